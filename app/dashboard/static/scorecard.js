// The scorecard panel: the score over what is computable, each group against its maximum,
// every indicator (or the data it lacks), and the dossiers that will cost points.

import { ApiError, get } from "./api.js";
import * as charts from "./charts.js";
import { dateTime, decimal, percent, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const RISK = 10;

function cell(text, attrs = {}) {
  const td = document.createElement("td");
  Object.assign(td, attrs);
  td.textContent = text;
  return td;
}

function row(cells, className = "") {
  const tr = document.createElement("tr");
  tr.className = className;
  tr.append(...cells);
  return tr;
}

function head(keys) {
  const thead = document.createElement("thead");
  thead.append(row(keys.map((k) => {
    const th = document.createElement("th");
    th.textContent = t(k);
    return th;
  })));
  return thead;
}

function body(rows) {
  const tbody = document.createElement("tbody");
  tbody.append(...rows);
  return tbody;
}

/** Load and draw the panel; a period the weights do not cover says so instead. */
export async function show(unit, from, to, link) {
  let card;
  let risk;
  try {
    [card, risk] = await Promise.all([
      get("stats/scorecard", { unit, from, to }),
      get("stats/scorecard/at-risk", { unit, from, to, limit: RISK }),
    ]);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 422) throw e;
    $("sc-unavailable").textContent = `${t("sc_unavailable")}: ${e.message}`;
    $("sc-unavailable").hidden = false;
    $("scorecard-card").dataset.state = "unavailable";
    return;
  }
  $("sc-unavailable").hidden = true;
  $("scorecard-card").dataset.state = "ready";
  const total = card.total;
  $("sc-points").textContent = decimal(total.points);
  $("sc-points").dataset.value = total.points;
  $("sc-reach").textContent = `${decimal(total.computable_max)} (${t("sc_of_100")})`;
  $("sc-reach").dataset.value = total.computable_max;
  $("sc-forecast").textContent = total.forecast_points === null ? ""
    : t("sc_forecast", { points: decimal(total.forecast_points) });
  $("sc-forecast").dataset.value = total.forecast_points ?? "";
  charts.scorecard(card.groups);
  indicators(card.indicators, card.open);
  atRisk(risk, link);
}

function indicators(items, open) {
  const keys = ["sc_code", "sc_rate", "sc_got", ...(open ? ["sc_fc"] : [])];
  const rows = items.filter((i) => i.max_points > 0 || i.status === "computed").map((i) => {
    const rate = i.measure === "percent" ? percent(i.rate) : decimal(i.rate);
    let got = `${decimal(i.points)} / ${decimal(i.max_points)}`;
    if (i.status === "not_computable") got = t("sc_missing");
    else if (i.points === null && i.max_points > 0) got = t("sc_empty");
    else if (i.points === null) got = "—";
    const cells = [
      cell(`${i.code} ${i.name}`, { title: i.missing.join("; ") || i.source }),
      cell(i.status === "not_computable" ? "—" : rate, { className: "num" }),
      cell(got, { className: "num", title: i.missing.join("; ") }),
    ];
    if (open) cells.push(cell(i.forecast?.points === null || !i.forecast ? "—"
      : decimal(i.forecast.points), { className: "num" }));
    const tr = row(cells, i.status);
    tr.dataset.indicator = i.code;
    tr.dataset.points = i.points ?? "";
    return tr;
  });
  $("sc-indicators").replaceChildren(head(keys), body(rows));
}

function atRisk(page, link) {
  $("sc-risk-count").textContent = page.dossiers;
  $("sc-risk-count").dataset.value = page.dossiers;
  $("sc-risk-points").textContent = page.dossiers
    ? t("sc_risk_points", { points: decimal(page.points_at_risk) }) : "";
  $("sc-risk-points").dataset.value = page.points_at_risk;
  const rows = page.items.map((d) => {
    const code = cell("");
    code.append(link(d.code));
    const tr = row([code, cell(d.procedure_name, { title: d.procedure }),
      cell(`${dateTime(d.due_at)}${d.overdue_now ? ` (${t("sc_overdue_now")})` : ""}`,
           { className: d.overdue_now ? "late" : "" }),
      cell(`${d.indicator}: −${decimal(d.points, 4)}`, { className: "num" })]);
    tr.dataset.code = d.code;
    return tr;
  });
  if (!rows.length) rows.push(row([cell(t("none"), { colSpan: 4, className: "none" })]));
  if (page.next_cursor) {
    rows.push(row([cell(`… ${t("more")}`, { colSpan: 4, className: "none" })]));
  }
  $("sc-at-risk").replaceChildren(head(["c_code", "c_procedure", "c_due", "sc_cost"]),
                                  body(rows));
}
