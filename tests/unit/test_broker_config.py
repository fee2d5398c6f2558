"""The broker's limits agree with the payload contracts."""

import re
from pathlib import Path

from schemas.messages import MAX_PAYLOAD_BYTES

FLOW_CONTROL = Path(__file__).resolve().parents[2] / "broker" / "conf.d" / "flow-control.conf"


def test_the_broker_takes_the_largest_payload_of_any_kind_and_nothing_larger() -> None:
    found = re.search(r"^message_size_limit (\d+)$", FLOW_CONTROL.read_text(), re.MULTILINE)
    assert found is not None
    assert int(found[1]) == max(MAX_PAYLOAD_BYTES.values())
