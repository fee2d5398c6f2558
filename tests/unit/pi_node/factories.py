"""Node configs for tests."""

from typing import Any

from schemas.messages import NodeConfig
from tests.unit.pi_node.scenes import slot_polygons


def node_config(
    node_id: str = "test-node", slots: int = 6, version: int | None = 1, **changes: Any
) -> NodeConfig:
    """A classic-detector node over `slots` synthetic slots (see scenes.py)."""
    data: dict[str, Any] = {
        "node_id": node_id,
        "lot_id": "test-lot",
        "version": version,
        "camera": {"source": "images/", "fps": 5},
        "detector": {"backend": "classic"},
        "slots": [slot.model_dump() for slot in slot_polygons(slots)],
        "occupancy": {"min_overlap": 0.35, "confirm_frames": 2},
    }
    data.update(changes)
    return NodeConfig.model_validate(data)
