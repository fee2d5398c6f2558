"""A node's slot map (NodeConfig) over given slots, as `PUT /admin/nodes/{id}/config` stores it.

Ingest accepts a node's events only for the slots of its current slot map.
"""

from collections.abc import Iterable
from typing import Any

from schemas.messages import NodeConfig

_SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10]]


def slot_map(node_id: str, lot_code: str, slot_codes: Iterable[str]) -> dict[str, Any]:
    """The stored JSON of a minimal valid slot map watching `slot_codes`."""
    config = NodeConfig.model_validate(
        {
            "node_id": node_id,
            "lot_id": lot_code,
            "camera": {"source": "test"},
            "detector": {"backend": "classic"},
            "slots": [{"slot_id": code, "polygon": _SQUARE} for code in slot_codes],
        },
        strict=False,
    )
    return config.model_dump(mode="json", by_alias=True)
