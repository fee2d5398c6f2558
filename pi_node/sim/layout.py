"""Virtual node slot maps for a lot layout file (examples/lots/*.json), split into nodes."""

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from pi_node.config import ConfigError
from schemas.messages import NodeConfig

FRAME_W, FRAME_H = 1280, 720
MARGIN_PX = 20
MAX_COLUMNS = 12


class _Slot(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: str


class _Row(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    slots: list[_Slot]


class _Floor(BaseModel):
    model_config = ConfigDict(extra="ignore")
    level: int
    rows: list[_Row]


class _Lot(BaseModel):
    """The parts of a lot layout file a simulator needs (the full contract lives in schemas)."""

    model_config = ConfigDict(extra="ignore")
    code: str
    floors: list[_Floor]


def grid_polygons(count: int) -> list[list[tuple[float, float]]]:
    """`count` slot outlines laid out in rows across a 1280x720 frame."""
    columns = max(1, min(count, MAX_COLUMNS))
    rows = -(-count // columns)
    width = (FRAME_W - 2 * MARGIN_PX) / columns
    height = (FRAME_H - 2 * MARGIN_PX) / rows
    polygons = []
    for index in range(count):
        x = MARGIN_PX + (index % columns) * width
        y = MARGIN_PX + (index // columns) * height
        x2, y2 = x + width - 4, y + height - 4
        polygons.append([(x, y), (x2, y), (x2, y2), (x, y2)])
    return polygons


def slot_groups(lot: _Lot, slots_per_node: int) -> list[list[str]]:
    """Slot codes per virtual node: rows in order, a long row split into chunks."""
    groups: list[list[str]] = []
    for floor in lot.floors:
        for row in floor.rows:
            codes = [slot.code for slot in row.slots]
            groups.extend(
                codes[i : i + slots_per_node] for i in range(0, len(codes), slots_per_node)
            )
    return [group for group in groups if group]


def node_configs(path: Path, slots_per_node: int) -> list[NodeConfig]:
    """Virtual node configs `{lot}-node-{n}` covering every slot of a layout file."""
    try:
        lot = _Lot.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        raise ConfigError(f"{path}: not a usable lot layout: {exc}") from exc
    configs = []
    for number, codes in enumerate(slot_groups(lot, slots_per_node), start=1):
        polygons = grid_polygons(len(codes))
        data = {
            "node_id": f"{lot.code}-node-{number}",
            "lot_id": lot.code,
            "camera": {"source": "simulator", "fps": 1.0},
            "detector": {"backend": "classic"},
            "slots": [
                {"slot_id": code, "polygon": polygon}
                for code, polygon in zip(codes, polygons, strict=True)
            ],
        }
        try:
            configs.append(NodeConfig.model_validate(data))
        except ValidationError as exc:
            raise ConfigError(f"{path}: cannot simulate it: {exc}") from exc
    return configs
