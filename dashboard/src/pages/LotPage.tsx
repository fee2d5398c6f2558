// One lot, live: counts per lot and floor, the slot grid, and the selected slot's panel.
import { useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import type { Availability, LotDetail, SlotView } from "../api/types";
import { Forecast } from "../components/Forecast";
import { openNowText } from "../components/OpeningHoursForm";
import { SlotPanel } from "../components/SlotPanel";
import { Async, ErrorState, Loading } from "../components/States";
import { StatusLegend } from "../components/StatusBadge";
import { StatusGrid } from "../components/StatusGrid";
import { useApi } from "../hooks/useApi";
import type { LinkState, SourceFactory } from "../hooks/liveSlots";
import { useLiveLot } from "../hooks/useLiveLot";

const LINK_TEXT: Record<LinkState, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  polling: "live stream unavailable; refreshing every 15 s",
};

export function LotPage() {
  const lot = useParams().lot ?? "";
  // A staff route first: it refuses another operator's lot (403) before anything is shown.
  const access = useApi<unknown>(`/admin/lots/${encodeURIComponent(lot)}/layout`);
  if (access.error) return <ErrorState what={`lot ${lot}`} error={access.error} retry={access.reload} />;
  if (access.data === null) return <Loading what={`lot ${lot}`} />;
  return <LiveLot lot={lot} />;
}

export function LiveLot({ lot, open }: { lot: string; open?: SourceFactory }) {
  const detail = useApi<LotDetail>(`/lots/${encodeURIComponent(lot)}`);
  const live = useLiveLot(lot, open);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const selected = useMemo(() => live.slots?.find((s) => s.slot_id === selectedId) ?? null, [live.slots, selectedId]);

  return (
    <Async what={`lot ${lot}`} result={detail}>
      {(d) => (
        <div className={`lot-layout${selected ? " with-panel" : ""}`}>
          <div>
            <p className="crumbs">
              <Link to="/">Lots</Link> / {d.name}
            </p>
            <h1>{d.name}</h1>
            <p className="muted">
              {d.address} · {d.operator} · <span data-testid="link-state">{LINK_TEXT[live.link]}</span> ·{" "}
              <Link to={`/lots/${encodeURIComponent(lot)}/settings`}>Tariff and opening hours</Link>
            </p>
            <p data-testid="lot-open">{openNowText(live.availability ? { opening_hours: d.opening_hours, open_now: live.availability.open, next_change: live.availability.next_change } : d)}</p>
            <Counts availability={live.availability} fallback={d.counts} />
            <Forecast lot={lot} />
            <StatusLegend />
            {live.error ? <ErrorState what="the slots" error={live.error} /> : null}
            {live.slots === null ? (
              live.error ? null : <Loading what="slots" />
            ) : (
              <StatusGrid floors={d.floors} slots={live.slots} selected={selectedId} onSelect={(s: SlotView) => setSelectedId(s.slot_id)} />
            )}
          </div>
          {selected ? <SlotPanel key={selected.slot_id} lot={lot} slot={selected} onClose={() => setSelectedId(null)} /> : null}
        </div>
      )}
    </Async>
  );
}

function Counts({ availability, fallback }: { availability: Availability | null; fallback: LotDetail["counts"] }) {
  const counts = availability ?? fallback;
  return (
    <div className="counts" aria-live="polite">
      <p className="big">
        <strong data-testid="free-count">{counts.free}</strong> free of <span data-testid="total-count">{counts.total}</span>
        <span className="muted">
          {" "}
          · {counts.occupied} occupied · {counts.reserved} reserved · {counts.unknown} unknown · {counts.closed} closed
        </span>
      </p>
      {availability?.floors?.length ? (
        <ul className="floor-counts">
          {(availability.floors ?? []).map((floor) => (
            <li key={floor.level}>
              {floor.name}: {floor.free}/{floor.total} free
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
