import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { OccupancyStats } from "../api/types";
import { OccupancyChart, occupancyRows, Sparkline, sparklinePoints } from "./Charts";

// A fresh stack: the lot's first data arrived at 10:20, so 08:00 and 09:00 are unknown (null).
function stats(occupancy: (number | null)[]): OccupancyStats {
  return {
    lot_id: "harbour-surface",
    from: "2026-11-26T08:00:00.000Z",
    to: "2026-11-26T11:00:00.000Z",
    bucket_s: 3600,
    series: [
      {
        floor: null,
        slots: 24,
        buckets: occupancy.map((share, i) => ({
          start: `2026-11-26T${String(8 + i).padStart(2, "0")}:00:00.000Z`,
          occupancy: share,
          occupied_s: (share ?? 0) * 24 * 3600,
          sessions_started: 0,
        })),
      },
    ],
    durations: { sessions: 0, ended: 0, mean_s: null, p50_s: null, p90_s: null, max_s: null },
  };
}

describe("occupancy before any data", () => {
  it("is left empty in the chart's rows, not plotted as 0 %", () => {
    const { rows, keys } = occupancyRows(stats([null, null, 0.25]), new Map());
    expect(keys).toEqual(["Lot"]);
    expect(rows.map((row) => row.Lot)).toEqual([null, null, 25]);
  });

  it("is a gap in the sparkline", () => {
    expect(sparklinePoints(stats([null, 0, 0.5])).map((p) => p.v)).toEqual([null, 0, 0.5]);
  });

  it("reads 'no data' in the chart's table, while a known 0 % stays 0 %", () => {
    render(<OccupancyChart stats={stats([null, 0, 0.5])} floorNames={new Map()} title="Occupancy" />);
    const cells = screen.getAllByRole("row").slice(1).map((row) => row.lastElementChild?.textContent);
    expect(cells).toEqual(["no data", "0 %", "50 %"]);
  });

  it("says so when the lot has no data at all", () => {
    render(<Sparkline stats={stats([null, null, null])} label="Occupancy of Harbour" />);
    expect(screen.getByText("No occupancy data yet.")).toBeInTheDocument();
    expect(screen.queryByLabelText("Occupancy of Harbour")).not.toBeInTheDocument();
  });
});
