// Charts on recharts: a sparkline for the overview, an occupancy chart for history.
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { OccupancyStats } from "../api/types";
import { percent } from "./format";

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

export { percent };
