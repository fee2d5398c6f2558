// Revenue per day: every local day of the window, net in major units, and the request sent.
import { render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RevenueStats } from "../api/types";
import { Revenue } from "../pages/HistoryPage";
import { renderSignedIn } from "../test/signedIn";
import { RevenueChart, revenueRows } from "./Charts";

function stats(days: RevenueStats["days"]): RevenueStats {
  // 2026-10-23 22:00Z to 2026-10-27 23:00Z is 24 Oct 00:00 to 28 Oct 00:00 in Amsterdam, across
  // the night clocks go back (25 Oct): four local days, none skipped or repeated.
  return { lot_id: "harbour-surface", timezone: "Europe/Amsterdam", from: "2026-10-23T22:00:00Z", to: "2026-10-27T23:00:00Z", days };
}

const day = (d: string, currency: string, succeeded: number, refunded = 0) => ({ day: d, currency, succeeded_minor: succeeded, refunded_minor: refunded, net_minor: succeeded - refunded });

afterEach(() => vi.unstubAllGlobals());

describe("revenue per day", () => {
  it("has a row for each local day, 0 where no money moved, net in major units per currency", () => {
    const { rows, currencies } = revenueRows(stats([day("2026-10-25", "EUR", 1250, 250), day("2026-10-27", "EUR", 500), day("2026-10-27", "JPY", 700)]));
    expect(currencies).toEqual(["EUR", "JPY"]);
    expect(rows).toEqual([
      { day: "2026-10-24", EUR: 0, JPY: 0 },
      { day: "2026-10-25", EUR: 10, JPY: 0 },
      { day: "2026-10-26", EUR: 0, JPY: 0 },
      { day: "2026-10-27", EUR: 5, JPY: 700 },
    ]);
  });

  it("totals the window and tabulates each day for screen readers", () => {
    render(<RevenueChart stats={stats([day("2026-10-25", "EUR", 1250, 250), day("2026-10-27", "EUR", 500)])} title="Revenue" />);
    expect(screen.getByTestId("revenue-total")).toHaveTextContent("€15.00");
    const table = screen.getByRole("table", { name: "Revenue (table)" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent(/2026-10-25\s*EUR\s*€12\.50\s*€2\.50\s*€10\.00/);
  });

  it("says so when no money moved", () => {
    render(<RevenueChart stats={stats([])} title="Revenue" />);
    expect(screen.getByText("No payments succeeded or were refunded in this window.")).toBeInTheDocument();
  });

  it("asks the API for the lot's last 30 days", async () => {
    const { calls } = renderSignedIn(<Revenue lot="harbour-surface" />, (_method, url) =>
      url.pathname === "/api/v1/admin/stats/revenue" ? { status: 200, body: stats([day("2026-10-25", "EUR", 300)]) } : undefined,
    );
    expect(await screen.findByTestId("revenue-total")).toHaveTextContent("€3.00");
    const query = calls.find((c) => c.url.pathname === "/api/v1/admin/stats/revenue")?.url.searchParams;
    expect(query?.get("lot_id")).toBe("harbour-surface");
    const span = new Date(query?.get("to") ?? "").getTime() - new Date(query?.get("from") ?? "").getTime();
    expect(span).toBe(30 * 86_400_000);
  });
});
