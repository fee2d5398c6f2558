"""`python -m infra.local.message KIND [--slot A01] [--status occupied]`: an example node message.

Prints `examples/messages/KIND.json` (birth, occupancy or heartbeat of camera node
harbour-node-1) stamped for now, ready for `mosquitto_pub -s`: the times are now, the event gets
a new `event_id`, and `seq` (and a birth's `bdseq`) come from the clock, so each message follows
the previous one the way a node's own counters do. The result is checked against the payload
contract before it is printed.
"""

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from schemas.errors import PayloadError
from schemas.messages import MAX_PAYLOAD_BYTES, PAYLOAD_ADAPTERS, PayloadKind, parse_payload

REPO = Path(__file__).resolve().parents[2]
EXAMPLES: Final = REPO / "examples" / "messages"
KINDS: Final = {
    "birth": PayloadKind.NODE_STATUS,
    "occupancy": PayloadKind.OCCUPANCY_EVENT,
    "heartbeat": PayloadKind.HEARTBEAT,
}


def example(kind: str) -> dict[str, Any]:
    """The checked-in example message of `kind`, as it is in the file."""
    loaded: dict[str, Any] = json.loads((EXAMPLES / f"{kind}.json").read_text(encoding="utf-8"))
    return loaded


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def fresh(
    kind: str,
    *,
    slot: str | None = None,
    status: str | None = None,
    clock: Callable[[], float] = time.time,
) -> dict[str, Any]:
    """The example of `kind` stamped at `clock()`; `slot`/`status` set an occupancy event's."""
    now = clock()
    message = example(kind)
    at = _stamp(datetime.fromtimestamp(now, UTC))
    seq = int(now * 1000)  # milliseconds: strictly increasing across calls, as a node's seq
    if kind == "birth":
        message |= {"ts": at, "seq": seq, "bdseq": int(now)}
    elif kind == "occupancy":
        message |= {"observed_at": at, "seq": seq, "event_id": str(uuid.uuid4())}
        message |= {"slot_id": slot} if slot else {}
        message |= {"status": status} if status else {}
    else:
        message |= {"ts": at}
    return message


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.message", description=__doc__)
    parser.add_argument("kind", choices=sorted(KINDS), help="which example message")
    parser.add_argument("--slot", help="occupancy: the slot (one of the node's slot map)")
    parser.add_argument("--status", choices=["free", "occupied"], help="occupancy: the status")
    args = parser.parse_args(argv)
    if args.kind != "occupancy" and (args.slot or args.status):
        parser.error("--slot and --status are for occupancy events")
    text = json.dumps(fresh(args.kind, slot=args.slot, status=args.status))
    try:
        kind = KINDS[args.kind]
        parse_payload(PAYLOAD_ADAPTERS[kind], text.encode(), MAX_PAYLOAD_BYTES[kind])
    except PayloadError as exc:
        print(f"message: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    print(text)  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
