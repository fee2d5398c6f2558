"""Edits of one lot's layout document (the `parkctl lots import` JSON), as pure functions.

Floor, row and slot CRUD changes the exported layout and imports it again, so every change
takes the one import path: the same validation naming the bad place, the same matching by
level, name and code, and a removed slot with history is retired, never lost.
"""

from typing import Any

from api_service.services.errors import ConflictError, NotFoundError

Layout = dict[str, Any]


def _floor(doc: Layout, level: int) -> dict[str, Any]:
    for floor in doc["floors"]:
        if floor["level"] == level:
            return floor  # type: ignore[no-any-return]
    raise NotFoundError(f"floor {level} of lot {doc['code']}")


def _row(doc: Layout, level: int, name: str) -> dict[str, Any]:
    for row in _floor(doc, level)["rows"]:
        if row["name"] == name:
            return row  # type: ignore[no-any-return]
    raise NotFoundError(f"row {name!r} on floor {level} of lot {doc['code']}")


Place = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


def locate(doc: Layout, code: str) -> Place | None:
    for floor in doc["floors"]:
        for row in floor["rows"]:
            for slot in row["slots"]:
                if slot["code"] == code:
                    return floor, row, slot
    return None


def find_slot(doc: Layout, code: str) -> Place:
    """(floor, row, slot) of the slot in service with `code`; 404 if there is none."""
    place = locate(doc, code)
    if place is None:
        raise NotFoundError(f"slot {doc['code']}/{code}")
    return place


def add_floor(doc: Layout, floor: dict[str, Any]) -> None:
    if any(f["level"] == floor["level"] for f in doc["floors"]):
        raise ConflictError("floor-exists", f"lot {doc['code']} already has floor {floor['level']}")
    doc["floors"].append(floor)


def rename_floor(doc: Layout, level: int, name: str) -> None:
    _floor(doc, level)["name"] = name


def delete_floor(doc: Layout, level: int) -> None:
    doc["floors"].remove(_floor(doc, level))


def add_row(doc: Layout, level: int, row: dict[str, Any]) -> None:
    rows = _floor(doc, level)["rows"]
    if any(r["name"] == row["name"] for r in rows):
        raise ConflictError("row-exists", f"floor {level} already has row {row['name']!r}")
    rows.append(row)


def rename_row(doc: Layout, level: int, name: str, new_name: str) -> None:
    row = _row(doc, level, name)
    if new_name != name and any(r["name"] == new_name for r in _floor(doc, level)["rows"]):
        raise ConflictError("row-exists", f"floor {level} already has row {new_name!r}")
    row["name"] = new_name


def delete_row(doc: Layout, level: int, name: str) -> None:
    _floor(doc, level)["rows"].remove(_row(doc, level, name))


def add_slot(doc: Layout, level: int, row_name: str, slot: dict[str, Any]) -> None:
    if locate(doc, slot["code"]) is not None:
        raise ConflictError("slot-exists", f"lot {doc['code']} already has slot {slot['code']}")
    _row(doc, level, row_name)["slots"].append(slot)


def update_slot(
    doc: Layout, code: str, kind: str | None, level: int | None, row_name: str | None
) -> None:
    """Change a slot's kind and/or move it to another row (it keeps its history)."""
    floor, row, slot = find_slot(doc, code)
    if kind is not None:
        slot["kind"] = kind
    if level is not None or row_name is not None:
        target = _row(doc, floor["level"] if level is None else level, row_name or row["name"])
        if target is not row:
            row["slots"].remove(slot)
            target["slots"].append(slot)


def delete_slot(doc: Layout, code: str) -> None:
    _, row, slot = find_slot(doc, code)
    row["slots"].remove(slot)
