// The dashboard: login, pickers, headline figures, charts, queues and a dossier's timeline.

import { ApiError, all, get, session } from "./api.js";
import * as charts from "./charts.js";
import { dateTime, integer, language, percent, setLanguage, t } from "./i18n.js";
import * as period from "./period.js";
import * as scorecard from "./scorecard.js";
import { showDossier } from "./timeline.js";

const $ = (id) => document.getElementById(id);
const state = { units: new Map(), procedures: new Map(), root: null, unit: null,
                period: period.initial(), loads: 0 };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "dataset") Object.assign(node.dataset, v);
    else if (k === "on") for (const [e, f] of Object.entries(v)) node.addEventListener(e, f);
    else node[k] = v;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const unitName = (code) => state.units.get(code)?.name ?? code;
const procedureName = (code) => state.procedures.get(code)?.name ?? code;

// ---- login ---------------------------------------------------------------------------------

function showLogin(message) {
  $("login").hidden = false;
  $("board").hidden = $("filters").hidden = $("logout").hidden = true;
  $("login-error").hidden = !message;
  $("login-error").textContent = message || "";
  document.body.dataset.state = "login";
}

async function start() {
  try {
    const [units, procedures] = await Promise.all([all("units"), all("procedures")]);
    state.units = new Map(units.map((u) => [u.code, u]));
    state.procedures = new Map(procedures.map((p) => [p.code, p]));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      session.logout();
      return showLogin(t("login_failed"));
    }
    throw e;
  }
  const codes = new Set(state.units.keys());
  state.root = [...state.units.values()].find((u) => !codes.has(u.parent))?.code;
  state.unit = state.unit && codes.has(state.unit) ? state.unit : state.root;
  $("login").hidden = true;
  $("board").hidden = $("filters").hidden = $("logout").hidden = false;
  fillUnitPicker();
  fillPeriodPicker();
  await refresh();
}

// ---- pickers -------------------------------------------------------------------------------

const LEVEL_ORDER = { province: 0, district: 1, agency: 2, commune: 3 };

function fillUnitPicker() {
  const children = new Map();
  for (const u of state.units.values()) {
    if (!children.has(u.parent)) children.set(u.parent, []);
    children.get(u.parent).push(u);
  }
  const today = period.iso(new Date());
  const picker = $("unit");
  picker.replaceChildren();
  const walk = (code, depth) => {
    const u = state.units.get(code);
    const closed = u.valid_to && u.valid_to < today ? ` (${t("merged")})` : "";
    picker.append(el("option", { value: code,
      textContent: `${"\u2003".repeat(depth)}${u.name}${closed}` }));
    const kids = (children.get(code) || []).sort((a, b) =>
      LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || a.name.localeCompare(b.name, "vi"));
    for (const k of kids) walk(k.code, depth + 1);
  };
  walk(state.root, 0);
  picker.value = state.unit;
}

function fillPeriodPicker() {
  const thisYear = new Date().getFullYear();
  $("period-year").replaceChildren(...[0, 1, 2].map((k) =>
    el("option", { value: thisYear - k, textContent: thisYear - k })));
  $("period-month").replaceChildren(...Array.from({ length: 12 }, (_, k) =>
    el("option", { value: k + 1, textContent: k + 1 })));
  const p = state.period;
  $("period-kind").value = p.kind;
  $("period-year").value = p.year;
  $("period-month").value = p.month;
  $("period-quarter").value = p.quarter;
  $("period-from").value = p.from;
  $("period-to").value = p.to;
  showPeriodFields();
}

function showPeriodFields() {
  const kind = $("period-kind").value;
  for (const label of $("filters").querySelectorAll("label[class]")) {
    label.hidden = !label.classList.contains(`for-${kind}`);
  }
}

function readFilters() {
  state.unit = $("unit").value;
  state.period = {
    kind: $("period-kind").value, year: Number($("period-year").value),
    month: Number($("period-month").value), quarter: Number($("period-quarter").value),
    from: $("period-from").value, to: $("period-to").value,
  };
}

// ---- the board -----------------------------------------------------------------------------

async function refresh() {
  const load = ++state.loads;
  document.body.dataset.state = "loading";
  $("banner").hidden = true;
  const [from, to] = period.bounds(state.period);
  const [trendFrom, trendTo] = period.trendBounds(from, to);
  const unit = state.unit;
  $("scope-unit").textContent = unitName(unit);
  $("scope-period").textContent = period.label(state.period, t);
  const level = $("ranking-level").value;
  const rankRoot = hasLevelBelow(unit, level) ? unit : state.root;
  try {
    const [figures, months, ranked] = await Promise.all([
      get("stats/on-time", { unit, from, to }),
      get("stats/on-time", { unit, from: trendFrom, to: trendTo, group_by: "month" }),
      get("stats/ranking", { unit: rankRoot, level, from, to }),
      queues(unit),
      scorecard.show(unit, from, to, codeLink),
    ]);
    if (load !== state.loads) return; // a newer choice is already loading
    kpis(figures);
    charts.trend(months.groups);
    const shown = charts.ranking(ranked.items, unit, (code) => pick(code));
    $("ranking-card").classList.toggle("empty", shown === 0);
    $("ranking-empty").hidden = shown > 0;
    document.body.dataset.state = "ready";
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return showLogin(t("login_failed"));
    $("banner").textContent = `${t("error")}: ${e.message}`;
    $("banner").hidden = false;
    document.body.dataset.state = "error";
  }
}

function hasLevelBelow(code, level) {
  for (const u of state.units.values()) {
    if (u.level !== level) continue;
    for (let p = u.parent; p; p = state.units.get(p)?.parent) {
      if (p === code) return true;
    }
  }
  return false;
}

function pick(code) {
  state.unit = code;
  $("unit").value = code;
  refresh();
}

function kpi(name, value, text, sub) {
  return el("div", { className: `kpi kpi-${name}`, dataset: { kpi: name, value: value ?? "" } },
    el("span", { className: "label", textContent: t(`k_${name}`) }),
    el("span", { className: "value", textContent: text }),
    el("span", { className: "sub", textContent: sub }));
}

function kpis(f) {
  const r = f.rates;
  const tone = r.on_time === null ? "" : charts.rateColour(r.on_time);
  $("kpis").replaceChildren(
    kpi("received", f.received.total, integer(f.received.total),
        t("s_received", { new: integer(f.received.new), carried: integer(f.received.carried_over),
                          moved: integer(f.received.transferred_in) })),
    kpi("resolved", f.resolved.total, integer(f.resolved.total),
        t("s_resolved", { early: integer(f.resolved.early), on_time: integer(f.resolved.on_time) })),
    kpi("on_time", r.on_time, percent(r.on_time),
        t("s_on_time", { progress: percent(r.national_progress) })),
    kpi("late", f.resolved.late, integer(f.resolved.late), t("s_late", { rate: percent(r.late) })),
    kpi("overdue", f.pending.overdue, integer(f.pending.overdue),
        t("s_overdue", { pending: integer(f.pending.total) })),
    kpi("apology", r.apology_coverage, percent(r.apology_coverage),
        t("s_apology", { timely: percent(r.apology_timely) })),
    kpi("online", r.online, percent(r.online),
        t("s_online", { n: integer(f.received.online) })),
    kpi("postal", r.postal_return, percent(r.postal_return), t("s_postal")),
    kpi("satisfaction", r.satisfaction, percent(r.satisfaction), t("s_satisfaction")),
  );
  $("kpis").querySelector(".kpi-on_time .value").style.color = tone;
}

// ---- queues --------------------------------------------------------------------------------

const QUEUE = 10;

async function queues(unit) {
  const open = ["received", "processing"];
  const { due_at: soon } = await get("calendar/due", {
    unit, start: new Date().toISOString(), working_days: 1 });
  const [overdue, dueSoon] = await Promise.all([
    get("dossiers", { unit, overdue: true, limit: QUEUE }),
    get("dossiers", { unit, status: open, overdue: false, due_before: soon, limit: QUEUE }),
  ]);
  // Oldest appointment first: the most urgent at the top.
  const byDue = (a, b) => a.due_at.localeCompare(b.due_at);
  table($("overdue"), overdue.items.sort(byDue), overdue.next_cursor, true);
  table($("due-soon"), dueSoon.items.sort(byDue), dueSoon.next_cursor, false);
  $("overdue-count").textContent = overdue.next_cursor ? `${QUEUE}+` : overdue.items.length;
  $("due-soon-count").textContent = dueSoon.next_cursor ? `${QUEUE}+` : dueSoon.items.length;
}

function codeLink(code) {
  return el("a", { href: `#hoso=${encodeURIComponent(code)}`, textContent: code,
                   className: "code" });
}

function table(node, items, more, late) {
  const head = el("tr", {}, ...["c_code", "c_procedure", "c_unit", "c_due"].map((k) =>
    el("th", { textContent: t(k) })));
  const rows = items.map((d) => el("tr", {},
    el("td", {}, codeLink(d.code)),
    el("td", { textContent: procedureName(d.procedure), title: d.procedure }),
    el("td", { textContent: unitName(d.handling_unit) }),
    el("td", { className: late ? "late" : "", textContent: dateTime(d.due_at) })));
  if (!rows.length) rows.push(el("tr", {}, el("td", { colSpan: 4, className: "none",
                                                      textContent: t("none") })));
  if (more) rows.push(el("tr", {}, el("td", { colSpan: 4, className: "none",
                                              textContent: `… ${t("more")}` })));
  node.replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
}

// ---- wiring --------------------------------------------------------------------------------

function route() {
  const m = location.hash.match(/^#hoso=(.+)$/);
  if (m && session.key()) {
    showDossier(decodeURIComponent(m[1]), { unitName, procedureName }).catch(fail);
  }
}

function wire() {
  $("login-form").addEventListener("submit", (e) => {
    e.preventDefault();
    session.login($("key").value.trim());
    $("key").value = "";
    start().catch(fail);
  });
  $("logout").addEventListener("click", () => {
    session.logout();
    showLogin();
  });
  $("filters").addEventListener("change", (e) => {
    if (e.target.id === "period-kind") showPeriodFields();
    readFilters();
    refresh();
  });
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("ranking-level").addEventListener("change", () => refresh());
  $("lang").addEventListener("click", () => {
    setLanguage(language() === "vi" ? "en" : "vi");
    $("lang").textContent = language() === "vi" ? "EN" : "VI";
    if (session.key() && !$("board").hidden) {
      fillUnitPicker();
      refresh();
    }
  });
  $("dossier-close").addEventListener("click", () => $("dossier").close());
  $("dossier").addEventListener("close", () => {
    if (location.hash.startsWith("#hoso=")) history.replaceState(null, "", location.pathname);
  });
  window.addEventListener("hashchange", route);
}

function fail(e) {
  $("banner").textContent = `${t("error")}: ${e.message}`;
  $("banner").hidden = false;
  document.body.dataset.state = "error";
}

setLanguage(language());
$("lang").textContent = language() === "vi" ? "EN" : "VI";
wire();
if (session.key()) start().then(route).catch(fail);
else showLogin();
