// Floors -> rows -> slots, each slot a button showing its code and status (symbol and word).
import { useMemo, type KeyboardEvent } from "react";
import type { LotDetail, SlotView } from "../api/types";
import { STATUS_LOOK } from "./status";

export interface GridFloor {
  level: number;
  name: string;
  rows: { name: string; slots: SlotView[] }[];
}

/** Slots grouped by the lot's floors and rows, in layout order; unplaced slots last. */
export function groupSlots(floors: LotDetail["floors"], slots: SlotView[]): GridFloor[] {
  const byPlace = new Map<string, SlotView[]>();
  for (const slot of slots) {
    const key = `${slot.floor ?? ""}|${slot.row ?? ""}`;
    byPlace.set(key, [...(byPlace.get(key) ?? []), slot]);
  }
  const grouped = floors.map((floor) => ({
    level: floor.level,
    name: floor.name,
    rows: floor.rows.map((row) => {
      const key = `${floor.level}|${row}`;
      const found = byPlace.get(key) ?? [];
      byPlace.delete(key);
      return { name: row, slots: found };
    }),
  }));
  const rest = [...byPlace.values()].flat();
  if (rest.length) grouped.push({ level: Number.NaN, name: "Other", rows: [{ name: "—", slots: rest }] });
  return grouped;
}

/** Arrow keys move between the slot buttons of a floor (Tab still leaves the grid). */
function moveFocus(event: KeyboardEvent<HTMLElement>) {
  const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
  if (!step) return;
  const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>("button.slot")];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const next = buttons[at + step];
  if (at >= 0 && next) {
    event.preventDefault();
    next.focus();
  }
}

export function StatusGrid({
  floors,
  slots,
  selected,
  onSelect,
}: {
  floors: LotDetail["floors"];
  slots: SlotView[];
  selected?: string | null;
  onSelect(slot: SlotView): void;
}) {
  const grouped = useMemo(() => groupSlots(floors, slots), [floors, slots]);
  if (!slots.length) return <p className="state empty">This lot has no slots yet.</p>;
  return (
    <div className="grid-floors">
      {grouped.map((floor) => (
        <section key={`${floor.level}-${floor.name}`} className="floor" aria-label={`Floor ${floor.name}`} onKeyDown={moveFocus}>
          <h3>
            {floor.name} {Number.isNaN(floor.level) ? null : <span className="muted">level {floor.level}</span>}
          </h3>
          {floor.rows.map((row) => (
            <div key={row.name} className="row" role="group" aria-label={`Row ${row.name}`}>
              <span className="row-name">{row.name}</span>
              <div className="slots">
                {row.slots.map((slot) => (
                  <SlotCell key={slot.slot_id} slot={slot} selected={slot.slot_id === selected} onSelect={onSelect} />
                ))}
              </div>
            </div>
          ))}
        </section>
      ))}
    </div>
  );
}

function SlotCell({ slot, selected, onSelect }: { slot: SlotView; selected: boolean; onSelect(slot: SlotView): void }) {
  const look = STATUS_LOOK[slot.status];
  const override = slot.source === "override" ? ", manual override" : "";
  return (
    <button
      type="button"
      className={`slot status-${slot.status}${selected ? " selected" : ""}`}
      data-slot={slot.slot_id}
      data-status={slot.status}
      aria-pressed={selected}
      aria-label={`Slot ${slot.slot_id}: ${look.label}${override}`}
      title={`${slot.slot_id}: ${look.label}${override}`}
      onClick={() => onSelect(slot)}
    >
      <span className="slot-code">{slot.slot_id}</span>
      <span className="slot-status" aria-hidden="true">
        {look.symbol} {look.label}
        {override ? " ⚑" : ""}
      </span>
    </button>
  );
}
