import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { slot } from "../test/fixtures";
import { groupSlots, StatusGrid } from "./StatusGrid";

const FLOORS = [
  { level: 0, name: "Ground", rows: ["A", "B"] },
  { level: 1, name: "First", rows: ["C"] },
];
const SLOTS = [
  slot("A01", "free", "A"),
  slot("A02", "occupied", "A"),
  slot("B01", "reserved", "B"),
  slot("B02", "unknown", "B"),
  slot("C01", "closed", "C", 1),
];

describe("groupSlots", () => {
  it("puts slots under their floor and row, in layout order", () => {
    const grouped = groupSlots(FLOORS, SLOTS);
    expect(grouped.map((f) => f.name)).toEqual(["Ground", "First"]);
    expect(grouped[0]?.rows.map((r) => [r.name, r.slots.map((s) => s.slot_id)])).toEqual([
      ["A", ["A01", "A02"]],
      ["B", ["B01", "B02"]],
    ]);
  });

  it("keeps slots whose row is not in the layout, under Other", () => {
    const grouped = groupSlots(FLOORS, [...SLOTS, slot("Z01", "free", "Z", 9)]);
    expect(grouped.at(-1)?.name).toBe("Other");
    expect(grouped.at(-1)?.rows[0]?.slots.map((s) => s.slot_id)).toEqual(["Z01"]);
  });
});

describe("StatusGrid", () => {
  it("shows each status as text and symbol as well as colour", () => {
    render(<StatusGrid floors={FLOORS} slots={SLOTS} onSelect={() => {}} />);
    const cases: [string, string, string][] = [
      ["A01", "Free", "○"],
      ["A02", "Occupied", "●"],
      ["B01", "Reserved", "R"],
      ["B02", "Unknown", "?"],
      ["C01", "Closed", "✕"],
    ];
    for (const [code, label, symbol] of cases) {
      const cell = screen.getByRole("button", { name: `Slot ${code}: ${label}` });
      expect(cell).toHaveTextContent(`${code}${symbol} ${label}`);
      expect(cell).toHaveClass(`status-${label.toLowerCase()}`);
    }
  });

  it("groups rows under labelled floors", () => {
    render(<StatusGrid floors={FLOORS} slots={SLOTS} onSelect={() => {}} />);
    const ground = screen.getByRole("region", { name: "Floor Ground" });
    const rowB = within(ground).getByRole("group", { name: "Row B" });
    expect(within(rowB).getAllByRole("button").map((b) => b.dataset.slot)).toEqual(["B01", "B02"]);
  });

  it("marks overridden slots in their name", () => {
    render(<StatusGrid floors={FLOORS} slots={[{ ...slot("A01", "closed"), source: "override" }]} onSelect={() => {}} />);
    expect(screen.getByRole("button", { name: "Slot A01: Closed, manual override" })).toBeInTheDocument();
  });

  it("selects with the keyboard and moves with the arrow keys", async () => {
    const onSelect = vi.fn();
    render(<StatusGrid floors={FLOORS} slots={SLOTS} onSelect={onSelect} />);
    const first = screen.getByRole("button", { name: /Slot A01/ });
    first.focus();
    fireEvent.keyDown(first, { key: "ArrowRight" });
    expect(screen.getByRole("button", { name: /Slot A02/ })).toHaveFocus();
    await userEvent.keyboard("{Enter}");
    expect(onSelect).toHaveBeenCalledWith(expect.objectContaining({ slot_id: "A02" }));
  });

  it("says so when the lot has no slots", () => {
    render(<StatusGrid floors={FLOORS} slots={[]} onSelect={() => {}} />);
    expect(screen.getByText("This lot has no slots yet.")).toBeInTheDocument();
  });
});
