// The event log: newest first, older pages on demand.
import { fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiClient, TokenStore } from "../api/client";
import type { EventPage } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import { routeFetch } from "../test/fixtures";
import { EventsPage } from "./LogPages";

function event(n: number): EventPage["items"][number] {
  return {
    event_id: `00000000-0000-4000-8000-00000000000${n}`,
    lot_id: "harbour-surface",
    slot_id: `A0${n}`,
    node_id: "harbour-node-1",
    status: "occupied",
    confidence: 0.9,
    observed_at: `2026-11-26T10:0${n}:00.000Z`,
    seq: n,
    detector: null,
    origin: "event",
    received_at: `2026-11-26T10:0${n}:00.100Z`,
  };
}

afterEach(() => vi.unstubAllGlobals());

describe("event log", () => {
  it("asks for the newest events first and loads older ones below them", async () => {
    const { calls } = routeFetch((method, url) => {
      if (method !== "GET" || url.pathname !== "/api/v1/admin/events") return undefined;
      if (url.searchParams.get("order") !== "newest") return { status: 200, body: { items: [event(1)], next_cursor: "9.9" } };
      if (url.searchParams.get("cursor") === "1.2") return { status: 200, body: { items: [event(1)], next_cursor: null } };
      return { status: 200, body: { items: [event(3), event(2)], next_cursor: "1.2" } };
    });
    render(
      <AuthProvider client={new ApiClient(new TokenStore(window.sessionStorage))}>
        <EventsPage />
      </AuthProvider>,
    );
    const slots = () => screen.getAllByRole("row").slice(1).map((row) => within(row).getByText(/A0\d/).textContent);
    expect(await screen.findByText(/A03/)).toBeInTheDocument();
    expect(slots()).toEqual(["harbour-surface / A03", "harbour-surface / A02"]);
    fireEvent.click(screen.getByRole("button", { name: "Load older events" }));
    expect(await screen.findByText(/A01/)).toBeInTheDocument();
    expect(slots()).toEqual(["harbour-surface / A03", "harbour-surface / A02", "harbour-surface / A01"]);
    // The oldest page reached: nothing more to load.
    expect(screen.queryByRole("button", { name: "Load older events" })).not.toBeInTheDocument();
    expect(calls.filter((c) => c.url.pathname === "/api/v1/admin/events").every((c) => c.url.searchParams.get("order") === "newest")).toBe(true);
  });
});
