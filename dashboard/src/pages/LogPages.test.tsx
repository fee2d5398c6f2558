import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { DeadLetterView } from "../api/types";
import { dateTime } from "../components/format";
import { DeadLetterItem } from "./LogPages";

function letter(occurrences: number): DeadLetterView {
  return {
    id: 7,
    received_at: "2026-11-26T10:00:00.000Z",
    last_seen_at: "2026-11-26T12:30:00.000Z",
    occurrences,
    topic: "parking/v1/nodes/cam-1/occupancy",
    reason: "malformed_json",
    detail: "Expecting value",
    node_id: "cam-1",
    payload_base64: btoa("{garbage"),
    payload_size: 8,
  };
}

describe("DeadLetterItem", () => {
  it("counts a repeated message and says when it was last refused", () => {
    render(<ul><DeadLetterItem letter={letter(40)} /></ul>);
    expect(screen.getByText(`Refused 40 times, last ${dateTime("2026-11-26T12:30:00.000Z")}`)).toBeInTheDocument();
    expect(screen.getByText("{garbage")).toBeInTheDocument();
  });

  it("says nothing more about a message refused once", () => {
    render(<ul><DeadLetterItem letter={letter(1)} /></ul>);
    expect(screen.queryByText(/Refused/)).not.toBeInTheDocument();
    expect(screen.getByText("malformed_json")).toBeInTheDocument();
  });
});
