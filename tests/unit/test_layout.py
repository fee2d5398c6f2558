"""Layout files: the examples are valid, and every bad file is refused naming the place."""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemas.layout import LayoutError, LotLayout, parse_layout
from schemas.messages import NodeConfig

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LOTS = sorted((EXAMPLES / "lots").glob("*.json"))
NODES = sorted((EXAMPLES / "nodes").glob("*.yaml"))


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / "lots" / name).read_text())
    return document


@pytest.mark.parametrize("path", LOTS, ids=lambda path: path.name)
def test_example_layouts_are_valid(path: Path) -> None:
    assert parse_layout(path.read_bytes()).slot_count() > 0


def test_examples_cover_a_garage_and_a_surface_lot() -> None:
    sizes = {path.name: parse_layout(path.read_bytes()) for path in LOTS}
    garage, surface = sizes["downtown-garage.json"], sizes["harbour-surface.json"]
    assert len(garage.floors) > 1
    assert garage.slot_count() >= 200
    assert len(surface.floors) == 1


@pytest.mark.parametrize("path", NODES, ids=lambda path: path.name)
def test_example_node_maps_match_their_lot(path: Path) -> None:
    config = NodeConfig.model_validate(yaml.safe_load(path.read_text()))
    lots = {layout.code: layout for layout in map(parse_layout, map(Path.read_bytes, LOTS))}
    lot = lots[config.lot_id]
    codes = {slot.code for floor in lot.floors for row in floor.rows for slot in row.slots}
    assert {slot.slot_id for slot in config.slots} <= codes


def with_changes(**changes: Any) -> str:
    return json.dumps(example("harbour-surface.json") | changes)


def row(name: str, *codes: str, kind: str = "standard") -> dict[str, Any]:
    return {"name": name, "slots": [{"code": code, "kind": kind} for code in codes]}


def floor(level: int, *rows: dict[str, Any]) -> dict[str, Any]:
    return {"level": level, "name": f"Level {level}", "rows": list(rows)}


ROW = row("A", "A01")
BAD = {
    "not JSON": ("{'code': 'x'}", "Invalid JSON"),
    "missing field": (
        json.dumps({k: v for k, v in example("harbour-surface.json").items() if k != "name"}),
        "name: Field required",
    ),
    "unknown field": (with_changes(colour="blue"), "colour: Extra inputs are not permitted"),
    "bad lot code": (with_changes(code="down town"), "code: String should match pattern"),
    "latitude out of range": (
        with_changes(location={"lat": 95, "lon": 4}),
        "location.lat: Input should be less than or equal to 90",
    ),
    "unknown time zone": (with_changes(timezone="Europe/Atlantis"), "unknown IANA time zone"),
    "no floors": (with_changes(floors=[]), "floors: List should have at least 1 item"),
    "unknown slot kind": (
        with_changes(floors=[floor(0, row("A", "A01", kind="bus"))]),
        "floors[0].rows[0].slots[0].kind: Input should be",
    ),
    "duplicate level": (
        with_changes(
            floors=[
                floor(0, ROW),
                floor(0, row("B", "B1")),
            ]
        ),
        "floors[1].level: duplicate floor level 0 (also at floors[0].level)",
    ),
    "duplicate row name": (
        with_changes(floors=[floor(0, ROW, row("A", "A02"))]),
        "floors[0].rows[1].name: duplicate row name 'A'",
    ),
    "duplicate slot across floors": (
        with_changes(
            floors=[
                floor(0, ROW),
                floor(1, ROW),
            ]
        ),
        "floors[1].rows[0].slots[0].code: duplicate slot code 'A01' "
        "(also at floors[0].rows[0].slots[0].code)",
    ),
    "number as string": (
        with_changes(location={"lat": "52.3", "lon": 4.9}),
        "location.lat: Input should be a valid number",
    ),
}


@pytest.mark.parametrize(("document", "message"), BAD.values(), ids=BAD.keys())
def test_bad_layouts_are_refused_naming_the_place(document: str, message: str) -> None:
    with pytest.raises(LayoutError) as excinfo:
        parse_layout(document)
    assert message in str(excinfo.value)


def test_layout_is_frozen() -> None:
    layout = LotLayout.model_validate_json(json.dumps(example("harbour-surface.json")))
    with pytest.raises(ValueError, match="frozen"):
        layout.code = "elsewhere"  # type: ignore[misc]
