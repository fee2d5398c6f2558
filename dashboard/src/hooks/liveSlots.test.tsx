// The SSE update path: a frame on the availability stream re-reads the slots, and the grid
// and counts change without a reload.
import { act, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiClient, TokenStore } from "../api/client";
import type { Availability, SlotView } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import { LiveLot } from "../pages/LotPage";
import { FakeEventSource, routeFetch, slot } from "../test/fixtures";
import { followLot, type LiveSnapshot } from "./liveSlots";

const LOT = "harbour-surface";
const DETAIL = {
  lot_id: LOT, name: "Harbour surface lot", operator: "harbour-parking", address: "Quay 1",
  location: { lat: 52.38, lon: 4.9 }, timezone: "Europe/Amsterdam",
  counts: { total: 2, free: 2, occupied: 0, reserved: 0, unknown: 0, closed: 0 },
  floors: [{ level: 0, name: "Surface", rows: ["A"] }],
};

function availability(free: number, occupied: number): Availability {
  return { lot_id: LOT, total: 2, free, occupied, reserved: 0, unknown: 0, closed: 0, updated_at: "2026-11-26T10:00:01Z", floors: [], open: true, next_change: null };
}

let slots: SlotView[];

beforeEach(() => {
  slots = [slot("A01", "free"), slot("A02", "free")];
  FakeEventSource.last = null;
  routeFetch((method, url) => {
    if (method === "GET" && url.pathname === `/api/v1/lots/${LOT}`) return { status: 200, body: DETAIL };
    if (method === "GET" && url.pathname === `/api/v1/lots/${LOT}/slots`) return { status: 200, body: { items: slots, next_cursor: null } };
    return undefined;
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

function renderLot() {
  const client = new ApiClient(new TokenStore(window.sessionStorage));
  render(
    <AuthProvider client={client}>
      <MemoryRouter>
        <LiveLot lot={LOT} open={(url) => new FakeEventSource(url)} />
      </MemoryRouter>
    </AuthProvider>,
  );
}

describe("live lot", () => {
  it("repaints a slot and the counts when the stream says the lot changed", async () => {
    renderLot();
    expect(await screen.findByRole("button", { name: "Slot A02: Free" })).toBeInTheDocument();
    const source = FakeEventSource.last!;
    expect(source.url).toBe(`/api/v1/lots/${LOT}/availability/stream`);
    act(() => source.open());
    expect(screen.getByTestId("link-state")).toHaveTextContent("live");

    slots = [slot("A01", "free"), slot("A02", "occupied")];
    act(() => source.emit(availability(1, 1)));

    expect(await screen.findByRole("button", { name: "Slot A02: Occupied" })).toHaveClass("status-occupied");
    expect(screen.getByTestId("free-count")).toHaveTextContent("1");
  });

  it("falls back to polling when the server refuses the stream", async () => {
    renderLot();
    await screen.findByRole("button", { name: "Slot A01: Free" });
    act(() => FakeEventSource.last!.fail(true));
    expect(screen.getByTestId("link-state")).toHaveTextContent("refreshing every 15 s");
  });
});

describe("followLot", () => {
  it("coalesces a burst of frames into few re-reads", async () => {
    vi.useFakeTimers();
    const { calls } = routeFetch((_m, url) =>
      url.pathname.endsWith("/slots") ? { status: 200, body: { items: slots, next_cursor: null } } : undefined,
    );
    const seen: LiveSnapshot[] = [];
    let source: FakeEventSource | null = null;
    const stop = followLot(new ApiClient(new TokenStore(window.sessionStorage)), LOT, (s) => seen.push(s), (url) => (source = new FakeEventSource(url)));
    await vi.runAllTimersAsync();
    for (let i = 0; i < 50; i += 1) source!.emit(availability(i % 2, 2 - (i % 2)));
    await vi.runAllTimersAsync();
    const reads = calls.filter((c) => c.url.pathname.endsWith("/slots")).length;
    expect(reads).toBeGreaterThanOrEqual(2); // the first read, then at least one after the frames
    expect(reads).toBeLessThanOrEqual(3);
    expect(seen.at(-1)?.availability?.free).toBe(1);
    stop();
    expect(source!.closed).toBe(true);
  });

  it("refreshes an expired token once and retries", async () => {
    const store = new TokenStore(window.sessionStorage);
    store.set({ access: "old", refresh: "r1" });
    const { calls } = routeFetch((_method, url) => {
      if (url.pathname === "/api/v1/auth/refresh") return { status: 200, body: { access_token: "new", token_type: "Bearer", expires_in: 900 } };
      return { status: 200, body: { items: slots, next_cursor: null } };
    });
    // The first answer is a 401: reroute fetch for one call.
    const real = globalThis.fetch;
    let first = true;
    vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
      if (first) {
        first = false;
        return new Response(JSON.stringify({ title: "Unauthorized", status: 401 }), { status: 401 });
      }
      return real(input, init);
    });
    const client = new ApiClient(store);
    await expect(client.request(`/lots/${LOT}/slots`)).resolves.toMatchObject({ items: slots });
    expect(store.get()).toEqual({ access: "new", refresh: "r1" });
    expect(calls.map((c) => c.url.pathname)).toEqual(["/api/v1/auth/refresh", `/api/v1/lots/${LOT}/slots`]);
    await waitFor(() => expect(calls).toHaveLength(2));
  });
});
