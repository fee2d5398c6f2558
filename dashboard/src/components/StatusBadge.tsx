import type { SlotStatus } from "../api/types";
import { STATUS_LOOK } from "./status";

/** A status as a coloured, patterned chip with its symbol and word. */
export function StatusBadge({ status }: { status: SlotStatus }) {
  const look = STATUS_LOOK[status];
  return (
    <span className={`badge status-${status}`}>
      <span aria-hidden="true">{look.symbol}</span> {look.label}
    </span>
  );
}

/** The legend of the slot grid. */
export function StatusLegend() {
  return (
    <ul className="legend" aria-label="Legend">
      {(Object.keys(STATUS_LOOK) as SlotStatus[]).map((status) => (
        <li key={status}>
          <StatusBadge status={status} />
        </li>
      ))}
    </ul>
  );
}
