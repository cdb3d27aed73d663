// Chart.js (vendored UMD build, global `Chart`) for the trend and the ranking.

import { integer, monthLabel, percent, t } from "./i18n.js";

const NAVY = "#1d4e89";
const BAR = "rgba(29, 78, 137, 0.22)";
const RED = "#c0392b";
const AMBER = "#d68910";
const GREEN = "#1e8449";
const charts = {};

function replace(id, config) {
  charts[id]?.destroy();
  charts[id] = new window.Chart(document.getElementById(id), config);
  return charts[id];
}

export function rateColour(rate) {
  if (rate === null) return "#999";
  return rate < 90 ? RED : rate < 97 ? AMBER : GREEN;
}

/** On-time rate by month (line, right axis) over the number received (bars, left axis). */
export function trend(groups) {
  replace("trend", {
    data: {
      labels: groups.map((g) => monthLabel(g.key)),
      datasets: [
        { type: "line", label: t("on_time_line"), yAxisID: "rate", borderColor: NAVY,
          backgroundColor: NAVY, data: groups.map((g) => g.rates.on_time), tension: 0.25,
          pointRadius: 3, spanGaps: true, order: 0 },
        { type: "bar", label: t("received_bar"), yAxisID: "count", backgroundColor: BAR,
          data: groups.map((g) => g.received.new), order: 1 },
      ],
    },
    options: {
      maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${
          c.dataset.yAxisID === "rate" ? percent(c.parsed.y) : integer(c.parsed.y)}` } },
      },
      scales: {
        count: { position: "left", beginAtZero: true, grid: { display: false },
                 ticks: { callback: (v) => integer(v) } },
        rate: { position: "right", suggestedMin: 80, max: 100,
                ticks: { callback: (v) => `${v}%` } },
      },
    },
  });
}

/** Units by on-time rate, worst first; clicking a bar calls `open(unitCode)`. */
export function ranking(items, selected, open) {
  const rows = items.filter((r) => r.on_time_rate !== null).reverse();
  const box = document.querySelector(".ranking-box");
  box.style.height = `${Math.max(200, 19 * rows.length + 50)}px`;
  const lowest = Math.min(...rows.map((r) => r.on_time_rate));
  const axisMin = Math.max(0, Math.floor((lowest - 2) / 10) * 10);
  replace("ranking", {
    type: "bar",
    data: {
      labels: rows.map((r) => r.name),
      datasets: [{
        label: t("k_on_time"), data: rows.map((r) => r.on_time_rate),
        backgroundColor: rows.map((r) => rateColour(r.on_time_rate)),
        borderColor: rows.map((r) => (r.unit === selected ? "#111" : "transparent")),
        borderWidth: 2, barThickness: 13, units: rows.map((r) => r.unit),
      }],
    },
    options: {
      indexAxis: "y", maintainAspectRatio: false, animation: false,
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (c) => {
          const r = rows[c.dataIndex];
          return `${percent(r.on_time_rate)} · ${integer(r.late)} ${t("tl_late").toLowerCase()}`
            + ` / ${integer(r.resolved)}`;
        } } },
      },
      scales: {
        x: { min: Math.min(axisMin, 80), max: 100, ticks: { callback: (v) => `${v}%` } },
        y: { ticks: { autoSkip: false, font: { size: 11.5 } } },
      },
      onClick: (_, elements) => {
        if (elements.length) open(rows[elements[0].index].unit);
      },
      onHover: (event, elements) => {
        event.native.target.style.cursor = elements.length ? "pointer" : "default";
      },
    },
  });
  return rows.length;
}

/** Each scorecard group as a bar against its maximum: points, missed, not computable. */
export function scorecard(groups) {
  const part = (label, colour, values) => ({ label, backgroundColor: colour, data: values,
                                              barThickness: 18 });
  return replace("sc-groups", {
    type: "bar",
    data: {
      labels: groups.map((g) => t(`g_${g.code}`)),
      datasets: [
        part(t("sc_points"), NAVY, groups.map((g) => g.points)),
        part(t("sc_lost"), RED, groups.map((g) => g.computable_max - g.points)),
        part(t("sc_unknown"), "#d5dbe3", groups.map((g) => g.max_points - g.computable_max)),
      ],
    },
    options: {
      indexAxis: "y", maintainAspectRatio: false, animation: false,
      plugins: {
        legend: { position: "bottom" },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${
          new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(c.parsed.x)}` } },
      },
      scales: { x: { stacked: true, min: 0, max: Math.max(...groups.map((g) => g.max_points)) },
                y: { stacked: true } },
    },
  });
}
