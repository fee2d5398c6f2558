// How each effective status is shown: a colour AND a symbol and word (never colour alone).
import type { SlotStatus } from "../api/types";

export interface StatusLook {
  label: string;
  symbol: string;
}

export const STATUS_LOOK: Record<SlotStatus, StatusLook> = {
  free: { label: "Free", symbol: "○" },
  occupied: { label: "Occupied", symbol: "●" },
  reserved: { label: "Reserved", symbol: "R" },
  unknown: { label: "Unknown", symbol: "?" },
  closed: { label: "Closed", symbol: "✕" },
};
