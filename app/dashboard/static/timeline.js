// One dossier: its facts and its timeline, with its pauses (supplement, financial obligations)
// and apologies marked.

import { get } from "./api.js";
import { dateTime, integer, t } from "./i18n.js";

function item(term, value, className = "") {
  if (value === null || value === undefined || value === "") return [];
  const dd = document.createElement("dd");
  dd.textContent = value;
  dd.className = className;
  const dt = document.createElement("dt");
  dt.textContent = t(term);
  return [dt, dd];
}

function details(e, names) {
  const d = e.details || {};
  const parts = [];
  if (d.to_unit) parts.push(`${t("d_to_unit")} ${names.unitName(d.to_unit)}`);
  if (d.reason_code) parts.push(t(`rc_${d.reason_code}`));
  if (d.reason) parts.push(d.reason);
  if (d.documents?.length) parts.push(d.documents.join(", "));
  if (d.new_due_at) parts.push(`${t("d_new_due_at")} ${dateTime(d.new_due_at)}`);
  if (d.method) parts.push(t(`m_${d.method}`));
  if (d.waybill) parts.push(`${t("d_waybill")} ${d.waybill}`);
  if (d.rating) parts.push(`${t("d_rating")} ${"★".repeat(d.rating)}${"☆".repeat(5 - d.rating)}`);
  return parts.join(" · ");
}

/** Open the dialog on a dossier (GET /api/v1/dossiers/{code}). */
export async function showDossier(code, names) {
  const d = await get(`dossiers/${encodeURIComponent(code)}`);
  document.getElementById("dossier-title").textContent = d.code;
  const timeliness = d.timeliness ? t(`tl_${d.timeliness}`) : d.overdue ? t("tl_late") : "";
  document.getElementById("dossier-facts").replaceChildren(
    ...item("f_procedure", names.procedureName(d.procedure)),
    ...item("f_status", t(`st_${d.status}`), `status status-${d.status}`),
    ...item("f_receiving", names.unitName(d.receiving_unit)),
    ...item("f_handling", names.unitName(d.handling_unit)),
    ...item("f_channel", t(`ch_${d.channel}`)),
    ...item("f_received", dateTime(d.received_at)),
    ...item("f_due", dateTime(d.due_at)),
    ...item("f_rescheduled", d.rescheduled_due_at && dateTime(d.rescheduled_due_at)),
    ...item("f_resolved", d.resolved_at && dateTime(d.resolved_at)),
    ...item("f_timeliness", timeliness, `tl tl-${d.timeliness || (d.overdue ? "late" : "")}`),
    ...item("f_days", d.processing_working_days !== null
      ? integer(d.processing_working_days) : null),
    ...item("f_returned", d.returned_at && `${dateTime(d.returned_at)} (${t(`m_${d.return_method}`)})`),
    ...item("f_rating", d.rating && "★".repeat(d.rating) + "☆".repeat(5 - d.rating)),
  );
  let pausedSince = null;
  const pauses = ["supplement_requested", "financial_obligation_requested"];
  const steps = d.timeline.map((e) => {
    const li = document.createElement("li");
    li.className = `step step-${e.type}`;
    if (pauses.includes(e.type)) pausedSince = e.at;
    if (e.flags && e.flags.pause_ended) pausedSince = null;
    const head = document.createElement("div");
    head.className = "step-head";
    const what = document.createElement("strong");
    what.textContent = t(`ev_${e.type}`);
    const when = document.createElement("time");
    when.dateTime = e.at;
    when.textContent = dateTime(e.at);
    head.append(what, when);
    const body = document.createElement("p");
    body.textContent = details(e, names);
    li.append(head, body);
    const flags = Object.entries(e.flags || {}).filter(([k, v]) => v === true && k !== "from_unit");
    for (const [flag] of flags) {
      const tag = document.createElement("span");
      tag.className = "flag";
      tag.textContent = t(`fl_${flag}`);
      li.append(tag);
    }
    if (pauses.includes(e.type)) li.classList.add("pause");
    return li;
  });
  if (pausedSince && d.paused) {
    const li = document.createElement("li");
    li.className = "step pause open";
    const label = d.pause_kind === "financial_obligation" ? "paused_for_obligation" : "paused_for";
    li.textContent = `⏸ ${t(label)} (${dateTime(pausedSince)} →)`;
    steps.push(li);
  }
  document.getElementById("dossier-timeline").replaceChildren(...steps);
  const dialog = document.getElementById("dossier");
  if (!dialog.open) dialog.showModal();
}
