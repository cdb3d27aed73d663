// Reporting periods as inclusive local dates (YYYY-MM-DD), as the statistics API takes them.

const pad = (n) => String(n).padStart(2, "0");
export const iso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const lastDay = (y, m) => new Date(y, m, 0).getDate(); // m is 1-based

/** [from, to] of a month, quarter, year or explicit range. */
export function bounds(p) {
  const y = Number(p.year);
  if (p.kind === "month") {
    const m = Number(p.month);
    return [`${y}-${pad(m)}-01`, `${y}-${pad(m)}-${pad(lastDay(y, m))}`];
  }
  if (p.kind === "quarter") {
    const first = 3 * (Number(p.quarter) - 1) + 1;
    return [`${y}-${pad(first)}-01`, `${y}-${pad(first + 2)}-${pad(lastDay(y, first + 2))}`];
  }
  if (p.kind === "year") return [`${y}-01-01`, `${y}-12-31`];
  return [p.from, p.to];
}

/** The trend's months: the period's, but at least the twelve months up to its end, and
 * none after today (an empty future month would read as a collapse). */
export function trendBounds(from, to, today = iso(new Date())) {
  const end = to < today ? to : today;
  const [y, m] = end.split("-").map(Number);
  const start = iso(new Date(y, m - 12, 1));
  return [from < start ? from : start, end];
}

/** The current quarter, the default view for a Monday morning. */
export function initial(today = new Date()) {
  return {
    kind: "quarter", year: today.getFullYear(), month: today.getMonth() + 1,
    quarter: Math.floor(today.getMonth() / 3) + 1,
    from: iso(new Date(today.getFullYear(), 0, 1)), to: iso(today),
  };
}

export function label(p, t) {
  const [from, to] = bounds(p);
  if (p.kind === "month") return `${t("month")} ${p.month}/${p.year}`;
  if (p.kind === "quarter") return `${t("quarter")} ${["I", "II", "III", "IV"][p.quarter - 1]}/${p.year}`;
  if (p.kind === "year") return `${t("year")} ${p.year}`;
  return `${from} – ${to}`;
}
