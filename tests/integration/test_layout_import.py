"""Importing lot layouts: fresh, repeated, edited, and refused without writing anything."""

import copy
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from parkctl.__main__ import main as parkctl
from schemas.db import AuditEntry, Base, Floor, Operator, ParkingLot, Row, Slot, SlotEvent
from schemas.db.layout_import import ImportReport, import_layout
from schemas.enums import DetectedStatus, SlotKind
from schemas.layout import LayoutError, parse_layout

pytestmark = pytest.mark.integration

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "lots"
GARAGE = EXAMPLES / "downtown-garage.json"
SURFACE = EXAMPLES / "harbour-surface.json"


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


@pytest.fixture
def operators(engine: Engine) -> Engine:
    with Session(engine) as session, session.begin():
        session.add_all(
            [
                Operator(code="city-centre", name="City Centre Parking"),
                Operator(code="harbour-parking", name="Harbour Parking"),
            ]
        )
    return engine


def apply(engine: Engine, document: dict[str, Any]) -> ImportReport:
    with Session(engine) as session, session.begin():
        return import_layout(session, parse_layout(json.dumps(document)), actor="test")


def slot_ids(engine: Engine, lot: str) -> dict[str, int]:
    with Session(engine) as session:
        rows = session.execute(
            select(Slot.code, Slot.id)
            .join(ParkingLot, Slot.lot_id == ParkingLot.id)
            .where(ParkingLot.code == lot, Slot.retired_at.is_(None))
        )
        return dict(rows.all())


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to prove a refused import wrote nothing."""
    with engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }


def test_fresh_import_creates_the_whole_lot(operators: Engine) -> None:
    report = apply(operators, load(GARAGE))
    assert report.created
    assert report.counts == {"floors added": 4, "rows added": 16, "slots added": 320}
    with Session(operators) as session:
        lot = session.scalars(select(ParkingLot).where(ParkingLot.code == "downtown")).one()
        assert [floor.level for floor in lot.floors] == [-1, 0, 1, 2]
        assert [row.name for row in lot.floors[1].rows] == ["A", "B", "C", "D"]
        ground_a = lot.floors[1].rows[0]
        assert [slot.code for slot in ground_a.slots][:3] == ["L0-A-001", "L0-A-002", "L0-A-003"]
        assert ground_a.slots[0].kind is SlotKind.ACCESSIBLE
        assert {slot.status for slot in ground_a.slots} == {"unknown"}
        audit = session.scalars(select(AuditEntry)).one()
        assert (audit.action, audit.entity_id, audit.actor) == (
            "lot.layout_import",
            "downtown",
            "test",
        )


def test_repeated_import_changes_nothing(operators: Engine) -> None:
    apply(operators, load(GARAGE))
    before = snapshot(operators)
    report = apply(operators, load(GARAGE))
    assert not report.changed
    assert report.summary() == "lot downtown: unchanged"
    assert snapshot(operators) == before


def record_event(engine: Engine, lot_code: str, slot_code: str) -> uuid.UUID:
    event_id = uuid.uuid4()
    with Session(engine) as session, session.begin():
        slot = session.scalars(
            select(Slot).join(ParkingLot).where(ParkingLot.code == lot_code, Slot.code == slot_code)
        ).one()
        session.add(
            SlotEvent(
                event_id=event_id,
                slot_id=slot.id,
                lot_id=slot.lot_id,
                node_id="harbour-node-1",
                status=DetectedStatus.OCCUPIED,
                confidence=0.9,
                observed_at=datetime(2026, 11, 26, 10, tzinfo=UTC),
                seq=1,
            )
        )
    return event_id


def test_edited_layout_updates_in_place_and_keeps_history(operators: Engine) -> None:
    original = load(SURFACE)
    apply(operators, original)
    kept_event = record_event(operators, "harbour-surface", "A01")
    retired_event = record_event(operators, "harbour-surface", "B12")
    ids_before = slot_ids(operators, "harbour-surface")

    edited = copy.deepcopy(original)
    row_a, row_b = edited["floors"][0]["rows"]
    row_a["name"] = "North"  # renamed row: its slots move with their history
    row_a["slots"].append({"code": "A13", "kind": "compact"})  # added
    row_b["slots"] = [s for s in row_b["slots"] if s["code"] not in {"B11", "B12"}]  # removed
    row_b["slots"][0]["kind"] = "ev"  # changed kind
    edited["name"] = "Harbour Surface Lot (east)"
    report = apply(operators, edited)

    assert report.counts == {
        "rows added": 1,
        "rows removed": 1,
        "slots added": 1,
        "slots removed": 1,
        "slots retired": 1,
        "slots updated": 13,
    }
    ids_after = slot_ids(operators, "harbour-surface")
    remaining = set(ids_before) - {"B11", "B12"}
    assert {code: ids_after[code] for code in remaining} == {
        code: ids_before[code] for code in remaining
    }
    assert "A13" in ids_after
    assert "B12" not in ids_after
    with Session(operators) as session:
        events = {e.event_id: e.slot_id for e in session.scalars(select(SlotEvent))}
        assert events == {kept_event: ids_before["A01"], retired_event: ids_before["B12"]}
        retired = session.get_one(Slot, ids_before["B12"])
        assert retired.retired_at is not None
        assert retired.row_id is None
        assert session.get(Slot, ids_before["B11"]) is None  # no history: deleted
        rows = session.scalars(select(Row.name).order_by(Row.position)).all()
        assert rows == ["North", "B"]
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 2


def test_readding_a_retired_slot_restores_it(operators: Engine) -> None:
    original = load(SURFACE)
    apply(operators, original)
    record_event(operators, "harbour-surface", "B12")
    trimmed = copy.deepcopy(original)
    trimmed["floors"][0]["rows"][1]["slots"].pop()
    apply(operators, trimmed)
    report = apply(operators, original)
    assert report.counts == {"slots restored": 1, "slots updated": 1}
    with Session(operators) as session:
        restored = session.scalars(select(Slot).where(Slot.code == "B12")).one()
        assert restored.retired_at is None
        assert restored.row_id is not None


def test_removed_floor_goes_with_its_rows(operators: Engine) -> None:
    garage = load(GARAGE)
    apply(operators, garage)
    garage["floors"] = [floor for floor in garage["floors"] if floor["level"] != 2]
    report = apply(operators, garage)
    assert report.counts == {"floors removed": 1, "rows removed": 4, "slots removed": 80}
    with Session(operators) as session:
        assert session.scalars(select(Floor.level).order_by(Floor.level)).all() == [-1, 0, 1]


def test_unknown_operator_is_refused_and_nothing_is_written(operators: Engine) -> None:
    before = snapshot(operators)
    document = load(SURFACE) | {"operator": "nobody"}
    with pytest.raises(LayoutError, match="operator: unknown operator 'nobody'"):
        apply(operators, document)
    assert snapshot(operators) == before


BAD_FILES = {
    "invalid JSON": (b'{"code": "x",', "Invalid JSON"),
    "missing field": (
        json.dumps({k: v for k, v in load(SURFACE).items() if k != "address"}).encode(),
        "address: Field required",
    ),
    "duplicate slot codes": (
        json.dumps(
            load(SURFACE)
            | {
                "floors": [
                    {
                        "level": 0,
                        "name": "Surface",
                        "rows": [
                            {"name": "A", "slots": [{"code": "A01"}]},
                            {"name": "B", "slots": [{"code": "A01"}]},
                        ],
                    }
                ]
            }
        ).encode(),
        "floors[0].rows[1].slots[0].code: duplicate slot code 'A01'",
    ),
    "unknown operator": (
        json.dumps(load(SURFACE) | {"operator": "nobody"}).encode(),
        "unknown operator 'nobody'",
    ),
}


@pytest.mark.parametrize(("content", "message"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_parkctl_refuses_bad_files_naming_the_place(
    operators: Engine,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    message: str,
) -> None:
    apply(operators, load(SURFACE))
    before = snapshot(operators)
    monkeypatch.setenv("DATABASE_URL", database_url)
    layout_file = tmp_path / "lot.json"
    layout_file.write_bytes(content)
    assert parkctl(["lots", "import", str(layout_file)]) == 2
    assert message in capsys.readouterr().err
    assert snapshot(operators) == before


def test_parkctl_imports_the_examples(
    operators: Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert parkctl(["lots", "import", str(GARAGE)]) == 0
    assert parkctl(["lots", "import", str(SURFACE)]) == 0
    assert parkctl(["lots", "import", str(SURFACE)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "lot downtown: created (floors added 4, rows added 16, slots added 320)",
        "lot harbour-surface: created (floors added 1, rows added 2, slots added 24)",
        "lot harbour-surface: unchanged",
    ]
    assert len(slot_ids(operators, "downtown")) == 320
