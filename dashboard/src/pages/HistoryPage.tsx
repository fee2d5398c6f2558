// Occupancy over time per lot and floor (a day or a week), parking session durations, and
// revenue per day.
import { useMemo, useState } from "react";
import type { AdminLotPage, LotDetail, OccupancyStats, RevenueStats } from "../api/types";
import { OccupancyChart, RevenueChart } from "../components/Charts";
import { duration } from "../components/format";
import { Async, Empty } from "../components/States";
import { useApi } from "../hooks/useApi";

const RANGES = { day: { hours: 24, bucket: "1h" }, week: { hours: 24 * 7, bucket: "6h" } } as const;
type Range = keyof typeof RANGES;

export function HistoryPage() {
  const lots = useApi<AdminLotPage>("/admin/lots");
  const [chosen, setChosen] = useState<string>("");
  const lot = chosen || lots.data?.items[0]?.lot_id || "";
  return (
    <>
      <h1>History and analytics</h1>
      <Async what="your lots" result={lots}>
        {(page) =>
          page.items.length ? (
            <>
              <label htmlFor="history-lot">Lot</label>{" "}
              <select id="history-lot" value={lot} onChange={(e) => setChosen(e.target.value)}>
                {page.items.map((l) => (
                  <option key={l.lot_id} value={l.lot_id}>
                    {l.name}
                  </option>
                ))}
              </select>
              <LotHistory key={lot} lot={lot} />
            </>
          ) : (
            <Empty>No lots yet.</Empty>
          )
        }
      </Async>
    </>
  );
}

function LotHistory({ lot }: { lot: string }) {
  const [range, setRange] = useState<Range>("day");
  const [by, setBy] = useState<"lot" | "floor">("lot");
  const window = useMemo(() => {
    const to = new Date();
    // Whole buckets: the API counts buckets between from and to.
    to.setMinutes(0, 0, 0);
    to.setHours(to.getHours() + 1);
    return { from: new Date(to.getTime() - RANGES[range].hours * 3600_000).toISOString(), to: to.toISOString() };
  }, [range]);
  const detail = useApi<LotDetail>(`/lots/${encodeURIComponent(lot)}`);
  const stats = useApi<OccupancyStats>("/admin/stats/occupancy", { lot_id: lot, ...window, bucket: RANGES[range].bucket, by });
  const floorNames = new Map((detail.data?.floors ?? []).map((f) => [f.level, f.name]));
  return (
    <>
      <fieldset className="choices">
        <legend>Range</legend>
        {(Object.keys(RANGES) as Range[]).map((r) => (
          <label key={r}>
            <input type="radio" name="range" checked={range === r} onChange={() => setRange(r)} /> {r === "day" ? "Last 24 hours" : "Last 7 days"}
          </label>
        ))}
      </fieldset>
      <fieldset className="choices">
        <legend>Series</legend>
        <label>
          <input type="radio" name="by" checked={by === "lot"} onChange={() => setBy("lot")} /> Whole lot
        </label>
        <label>
          <input type="radio" name="by" checked={by === "floor"} onChange={() => setBy("floor")} /> Per floor
        </label>
      </fieldset>
      <Async what="occupancy statistics" result={stats}>
        {(s) => (
          <>
            <OccupancyChart stats={s} floorNames={floorNames} title={`Occupancy of ${lot}, ${range === "day" ? "last 24 hours" : "last 7 days"}`} />
            <h2>Parking sessions started in this window</h2>
            <dl className="facts durations">
              <dt>Sessions</dt>
              <dd>{s.durations.sessions}</dd>
              <dt>Ended</dt>
              <dd>{s.durations.ended}</dd>
              <dt>Mean</dt>
              <dd>{duration(s.durations.mean_s)}</dd>
              <dt>Median</dt>
              <dd>{duration(s.durations.p50_s)}</dd>
              <dt>90th percentile</dt>
              <dd>{duration(s.durations.p90_s)}</dd>
              <dt>Longest</dt>
              <dd>{duration(s.durations.max_s)}</dd>
            </dl>
          </>
        )}
      </Async>
      <Revenue lot={lot} />
    </>
  );
}

const REVENUE_DAYS = 30;

/** Net revenue per local day of the lot over the last 30 days. */
export function Revenue({ lot }: { lot: string }) {
  const window = useMemo(() => {
    const to = new Date();
    to.setMinutes(0, 0, 0);
    to.setHours(to.getHours() + 1);
    return { from: new Date(to.getTime() - REVENUE_DAYS * 86_400_000).toISOString(), to: to.toISOString() };
  }, []);
  const stats = useApi<RevenueStats>("/admin/stats/revenue", { lot_id: lot, ...window });
  return (
    <section aria-labelledby="revenue-title">
      <h2 id="revenue-title">Revenue per day</h2>
      <Async what="revenue" result={stats}>
        {(s) => <RevenueChart stats={s} title={`Revenue of ${lot}, last ${REVENUE_DAYS} days`} />}
      </Async>
    </section>
  );
}
