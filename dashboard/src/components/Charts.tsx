// Charts on recharts: a sparkline for the overview, occupancy and revenue charts for history.
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { OccupancyStats, RevenueStats } from "../api/types";
import { percent } from "./format";
import { minorDigits, money } from "./money";

const SERIES_COLOURS = ["#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#0f766e", "#4d7c0f", "#a21caf"];
const DASHES = ["", "6 3", "2 2", "8 2 2 2"]; // series differ by dash pattern as well as colour

/** Points of the sparkline: a bucket before the lot's first data has no value (a gap), not 0 %. */
export function sparklinePoints(stats: OccupancyStats): { t: string; v: number | null }[] {
  return stats.series[0]?.buckets.map((b) => ({ t: b.start, v: b.occupancy ?? null })) ?? [];
}

export function Sparkline({ stats, label }: { stats: OccupancyStats; label: string }) {
  const data = sparklinePoints(stats);
  if (!data.some((point) => point.v !== null)) return <p className="muted">No occupancy data yet.</p>;
  return (
    <figure className="sparkline" aria-label={label}>
      <ResponsiveContainer width="100%" height={40}>
        <AreaChart data={data} margin={{ top: 2, bottom: 2, left: 0, right: 0 }}>
          <YAxis hide domain={[0, 1]} />
          <Area type="monotone" dataKey="v" stroke="#1d4ed8" fill="#bfdbfe" isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </figure>
  );
}

type OccupancyRow = Record<string, number | string | null>;

/** Rows of {t, <series>: occupancy %} for recharts, one column per series (lot or floor); null
 * where the API knows nothing yet (before the lot's first data), which recharts leaves empty. */
export function occupancyRows(stats: OccupancyStats, floorNames: Map<number, string>): { rows: OccupancyRow[]; keys: string[] } {
  const keys = stats.series.map((s) => (s.floor === null || s.floor === undefined ? "Lot" : (floorNames.get(s.floor) ?? `Level ${s.floor}`)));
  const byStart = new Map<string, OccupancyRow>();
  stats.series.forEach((series, i) => {
    for (const bucket of series.buckets) {
      const row = byStart.get(bucket.start) ?? { t: bucket.start };
      const share = bucket.occupancy ?? null;
      row[keys[i] ?? `#${i}`] = share === null ? null : Math.round(share * 1000) / 10;
      byStart.set(bucket.start, row);
    }
  });
  return { rows: [...byStart.values()].sort((a, b) => String(a.t).localeCompare(String(b.t))), keys };
}

export function OccupancyChart({ stats, floorNames, title }: { stats: OccupancyStats; floorNames: Map<number, string>; title: string }) {
  const { rows, keys } = occupancyRows(stats, floorNames);
  const tick = (iso: string) => {
    const at = new Date(iso);
    return stats.bucket_s >= 86_400 ? at.toLocaleDateString() : at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  };
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={rows} margin={{ top: 14, right: 16, bottom: 8, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="t" tickFormatter={tick} minTickGap={24} />
          <YAxis unit="%" domain={[0, 100]} width={52} />
          <Tooltip labelFormatter={(v) => new Date(String(v)).toLocaleString()} formatter={(v) => (v === null || v === undefined ? "no data" : `${String(v)} %`)} />
          <Legend />
          {keys.map((key, i) => (
            <Line
              key={key}
              type="monotone"
              dataKey={key}
              stroke={SERIES_COLOURS[i % SERIES_COLOURS.length]}
              strokeDasharray={DASHES[i % DASHES.length]}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <table className="sr-only">
        <caption>{title} (table)</caption>
        <thead>
          <tr>
            <th>Start</th>
            {keys.map((k) => (
              <th key={k}>{k}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(-24).map((row) => (
            <tr key={String(row.t)}>
              <td>{new Date(String(row.t)).toLocaleString()}</td>
              {keys.map((k) => (
                <td key={k}>{row[k] === undefined || row[k] === null ? "no data" : `${row[k]} %`}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** The lot's local calendar day of an instant ("2026-11-26"). */
function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

type RevenueRow = { day: string } & Record<string, number | string>;

/** One row per local day of the window (days without money: 0), a column of net revenue in
 * major units per currency; the API lists only days with money in or out. */
export function revenueRows(stats: RevenueStats): { rows: RevenueRow[]; currencies: string[] } {
  const currencies = [...new Set(stats.days.map((d) => d.currency))].sort();
  const first = localDay(new Date(stats.from), stats.timezone);
  const last = localDay(new Date(new Date(stats.to).getTime() - 1), stats.timezone);
  const rows: RevenueRow[] = [];
  // Calendar days, counted in UTC so a DST change neither skips nor repeats one.
  for (let at = new Date(`${first}T00:00:00Z`); at.toISOString().slice(0, 10) <= last; at.setUTCDate(at.getUTCDate() + 1)) {
    const row: RevenueRow = { day: at.toISOString().slice(0, 10) };
    for (const currency of currencies) row[currency] = 0;
    rows.push(row);
  }
  const byDay = new Map(rows.map((row) => [row.day, row]));
  for (const d of stats.days) {
    const row = byDay.get(d.day);
    if (row) row[d.currency] = d.net_minor / 10 ** (minorDigits(d.currency) ?? 2);
  }
  return { rows, currencies };
}

export function RevenueChart({ stats, title }: { stats: RevenueStats; title: string }) {
  const { rows, currencies } = revenueRows(stats);
  if (!currencies.length) return <p className="muted">No payments succeeded or were refunded in this window.</p>;
  const totals = currencies.map((c) => money(stats.days.filter((d) => d.currency === c).reduce((sum, d) => sum + d.net_minor, 0), c));
  return (
    <figure className="chart">
      <figcaption>
        {title}: <strong data-testid="revenue-total">{totals.join(" + ")}</strong> net
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={rows} margin={{ top: 14, right: 16, bottom: 8, left: 4 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" minTickGap={24} />
          <YAxis width={64} />
          <Tooltip />
          <Legend />
          {currencies.map((c, i) => (
            <Bar key={c} dataKey={c} fill={SERIES_COLOURS[i % SERIES_COLOURS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <table className="sr-only">
        <caption>{title} (table)</caption>
        <thead>
          <tr>
            <th>Day</th>
            <th>Currency</th>
            <th>Succeeded</th>
            <th>Refunded</th>
            <th>Net</th>
          </tr>
        </thead>
        <tbody>
          {stats.days.map((d) => (
            <tr key={`${d.day}-${d.currency}`}>
              <td>{d.day}</td>
              <td>{d.currency}</td>
              <td>{money(d.succeeded_minor, d.currency)}</td>
              <td>{money(d.refunded_minor, d.currency)}</td>
              <td>{money(d.net_minor, d.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export { percent };
