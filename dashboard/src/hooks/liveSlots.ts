// A lot's slots kept current: one full read, then the availability SSE stream says when to
// read again. The stream carries counts only, so each change (throttled) re-reads the slots.
import { ApiError, apiUrl, type ApiClient } from "../api/client";
import type { Availability, SlotPage, SlotView } from "../api/types";

export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onerror: ((event: Event) => void) | null;
  addEventListener(type: "availability", listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}
export type SourceFactory = (url: string) => EventSourceLike;
export const browserEventSource: SourceFactory = (url) => new EventSource(url);

export type LinkState = "connecting" | "live" | "reconnecting" | "polling";

export interface LiveSnapshot {
  slots: SlotView[] | null;
  availability: Availability | null;
  link: LinkState;
  error: ApiError | null;
}

const CLOSED = 2; // EventSource.CLOSED (not defined outside browsers)
const MAX_PAGES = 20; // 500 slots a page: lots of up to 10 000 slots
export const REFRESH_GAP_MS = 1000; // at most one re-read a second, however busy the lot
export const POLL_MS = 15_000; // when the stream is unavailable

/** Every slot of a lot, page by page. */
export async function readAllSlots(client: ApiClient, lot: string, signal?: AbortSignal): Promise<SlotView[]> {
  const slots: SlotView[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const body: SlotPage = await client.request<SlotPage>(`/lots/${encodeURIComponent(lot)}/slots`, {
      query: { limit: 500, cursor },
      signal,
    });
    slots.push(...body.items);
    cursor = body.next_cursor ?? null;
    if (!cursor) break;
  }
  return slots;
}

/** Follows one lot until `stop()`; calls `emit` with every new snapshot. */
export function followLot(
  client: ApiClient,
  lot: string,
  emit: (snapshot: LiveSnapshot) => void,
  open: SourceFactory = browserEventSource,
): () => void {
  let state: LiveSnapshot = { slots: null, availability: null, link: "connecting", error: null };
  const abort = new AbortController();
  let reading = false;
  let dirty = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let poll: ReturnType<typeof setInterval> | undefined;

  const update = (patch: Partial<LiveSnapshot>) => {
    state = { ...state, ...patch };
    emit(state);
  };

  const read = async () => {
    reading = true;
    dirty = false;
    try {
      update({ slots: await readAllSlots(client, lot, abort.signal), error: null });
    } catch (error) {
      if (abort.signal.aborted) return;
      update({ error: error instanceof ApiError ? error : new ApiError(0, null) });
    } finally {
      reading = false;
      if (dirty && !abort.signal.aborted) schedule(REFRESH_GAP_MS);
    }
  };

  function schedule(delay: number) {
    if (reading) {
      dirty = true;
      return;
    }
    timer ??= setTimeout(() => {
      timer = undefined;
      void read();
    }, delay);
  }

  void read();
  const source = open(apiUrl(`/lots/${encodeURIComponent(lot)}/availability/stream`));
  source.onopen = () => update({ link: "live" });
  source.addEventListener("availability", (event) => {
    try {
      const availability = JSON.parse(event.data) as Availability;
      update({ availability, link: "live" });
      schedule(state.slots === null ? 0 : 100);
    } catch {
      // A malformed frame is ignored; the next one carries the whole document again.
    }
  });
  source.onerror = () => {
    if (source.readyState !== CLOSED) {
      update({ link: "reconnecting" });
      return;
    }
    // The server refused the stream (live updates off, too many streams): poll instead.
    update({ link: "polling" });
    poll ??= setInterval(() => schedule(0), POLL_MS);
  };

  return () => {
    abort.abort();
    source.close();
    clearTimeout(timer);
    clearInterval(poll);
  };
}
