// Test doubles: a fetch that answers from a routing function, a controllable EventSource.
import { vi } from "vitest";
import type { EventSourceLike } from "../hooks/liveSlots";
import type { SlotView } from "../api/types";

export function slot(slot_id: string, status: SlotView["status"], row = "A", floor = 0): SlotView {
  return {
    lot_id: "harbour-surface",
    slot_id,
    floor,
    row,
    kind: "standard",
    status,
    since: "2026-11-26T10:00:00Z",
    last_confirmed_at: "2026-11-26T10:00:00Z",
    source: "detected",
    confidence: 0.9,
  };
}

export type Route = (method: string, url: URL, body: unknown) => { status: number; body?: unknown } | undefined;

/** Replaces global fetch; unrouted requests answer 404 problem+json. Returns the call log. */
export function routeFetch(route: Route): { calls: { method: string; url: URL; body: unknown }[] } {
  const calls: { method: string; url: URL; body: unknown }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init?: RequestInit) => {
      const url = new URL(input, "http://dashboard.test");
      const method = init?.method ?? "GET";
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      calls.push({ method, url, body });
      const answer = route(method, url, body) ?? { status: 404, body: { title: "Not Found", status: 404, detail: "unrouted" } };
      return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
        status: answer.status,
        headers: { "Content-Type": answer.status >= 400 ? "application/problem+json" : "application/json" },
      });
    }),
  );
  return { calls };
}

/** An EventSource the test drives: `emit` sends an `availability` frame. */
export class FakeEventSource implements EventSourceLike {
  static last: FakeEventSource | null = null;
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  private listeners: ((event: MessageEvent<string>) => void)[] = [];
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(_type: "availability", listener: (event: MessageEvent<string>) => void): void {
    this.listeners.push(listener);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  emit(data: unknown): void {
    const event = new MessageEvent<string>("availability", { data: JSON.stringify(data) });
    this.listeners.forEach((listener) => listener(event));
  }
  fail(closed: boolean): void {
    this.readyState = closed ? 2 : 0;
    this.onerror?.(new Event("error"));
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
}
