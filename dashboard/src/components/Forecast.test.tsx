// The forecast on the lot page: each horizon, its usual value, the basis, and the request.
import { render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LotForecast } from "../api/types";
import { renderSignedIn } from "../test/signedIn";
import { Forecast, ForecastView } from "./Forecast";

const SEASONAL: LotForecast = {
  lot_id: "harbour-surface", kind: null, generated_at: "2026-11-26T10:00:00Z", free_now: 12, capacity: 24, basis: "seasonal",
  horizons: [
    { minutes: 15, free: 10.6, baseline: 9.2 },
    { minutes: 30, free: 8.4, baseline: 8 },
    { minutes: 60, free: 5.5, baseline: 4.9 },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe("forecast", () => {
  it("shows each horizon's expected free slots, rounded, with the usual value", () => {
    render(<ForecastView forecast={SEASONAL} />);
    const items = within(screen.getByRole("list")).getAllByRole("listitem");
    expect(items.map((li) => li.textContent)).toEqual([
      "In 15 min: 11 of 24 free (usually 9)",
      "In 30 min: 8 of 24 free (usually 8)",
      "In 60 min: 6 of 24 free (usually 5)",
    ]);
    expect(screen.getByTestId("forecast-basis")).toHaveTextContent(/^Based on this lot's usual week/);
  });

  it("says when it only repeats the present", () => {
    const persistence: LotForecast = { ...SEASONAL, basis: "persistence", horizons: SEASONAL.horizons.map((h) => ({ ...h, free: 12, baseline: null })) };
    render(<ForecastView forecast={persistence} />);
    expect(screen.getByTestId("forecast-basis")).toHaveTextContent(/^Too little history yet: the forecast is the number free now\. 12 free at /);
    expect(screen.queryByText(/usually/)).not.toBeInTheDocument();
  });

  it("reads the lot's forecast from the API", async () => {
    const { calls } = renderSignedIn(<Forecast lot="harbour-surface" />, (method, url) =>
      method === "GET" && url.pathname === "/api/v1/lots/harbour-surface/forecast" ? { status: 200, body: SEASONAL } : undefined,
    );
    expect(await screen.findByText("11")).toBeInTheDocument();
    expect(calls.filter((c) => c.url.pathname.endsWith("/forecast")).map((c) => c.url.search)).toEqual([""]);
  });

  it("shows a missing forecast as an error state, not a broken page", async () => {
    renderSignedIn(<Forecast lot="harbour-surface" />, () => undefined);
    expect(await screen.findByRole("alert")).toHaveTextContent("Could not load the forecast. Not found (or not available in this API version).");
  });
});
