// The slot panel: the override in force when it opens, and the slot's stays.
import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiClient, TokenStore } from "../api/client";
import type { AdminSlot, SlotSessionPage } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import { routeFetch, slot } from "../test/fixtures";
import { SlotPanel } from "./SlotPanel";

const LOT = "harbour-surface";
const BASE = `/api/v1/admin/slots/${LOT}/A04`;

const forced: AdminSlot = {
  slot: { ...slot("A04", "closed"), source: "override" },
  override_status: "closed",
  override_reason: "resurfacing",
  override_until: null,
};

const stays: SlotSessionPage = {
  items: [
    { id: 9, started_at: "2026-11-26T12:00:00Z", ended_at: null, duration_s: null, opened_by: "detection", driver_checked_in: false },
    { id: 8, started_at: "2026-11-26T08:00:00Z", ended_at: "2026-11-26T08:30:00Z", duration_s: 1800, opened_by: "detection", driver_checked_in: true },
  ],
  next_cursor: null,
};

function renderPanel(sessions: SlotSessionPage) {
  routeFetch((method, url) => {
    if (method !== "GET") return undefined;
    if (url.pathname === BASE) return { status: 200, body: forced };
    if (url.pathname === `${BASE}/sessions`) return { status: 200, body: sessions };
    if (url.pathname === "/api/v1/admin/events") return { status: 200, body: { items: [], next_cursor: "0.0" } };
    return undefined;
  });
  render(
    <AuthProvider client={new ApiClient(new TokenStore(window.sessionStorage))}>
      <SlotPanel lot={LOT} slot={forced.slot} onClose={() => undefined} />
    </AuthProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("slot panel", () => {
  it("shows the override in force and the slot's stays", async () => {
    renderPanel(stays);
    expect(await screen.findByText(/Override: closed — “resurfacing”, until cleared/)).toBeInTheDocument();
    expect(await screen.findByText("still parked")).toBeInTheDocument();
    expect(screen.getByText(/\(30 min\)/)).toBeInTheDocument();
    expect(screen.getByText(/detected, driver checked in/)).toBeInTheDocument();
  });

  it("says so when the slot has no stays", async () => {
    renderPanel({ items: [], next_cursor: null });
    expect(await screen.findByText("No stays recorded for this slot.")).toBeInTheDocument();
  });
});
