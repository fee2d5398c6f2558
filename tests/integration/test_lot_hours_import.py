"""`parkctl lots import` stores a lot's opening hours (omitted: kept; null: cleared), and
refuses bad ones naming them."""

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from parkctl.__main__ import main as parkctl
from schemas.db import Operator, ParkingLot

pytestmark = pytest.mark.integration

STATION = Path(__file__).resolve().parents[2] / "examples" / "lots" / "station-park-ride.json"


def hours(engine: Engine) -> list[str | None]:
    with Session(engine) as session:
        return list(session.scalars(select(ParkingLot.opening_hours)))


def test_import_stores_hours_and_refuses_bad_ones(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Session(engine) as session, session.begin():
        session.add(Operator(code="rail-parking", name="Rail Parking"))
    monkeypatch.setenv("DATABASE_URL", database_url)
    document = json.loads(STATION.read_text())
    assert parkctl(["lots", "import", str(STATION)]) == 0
    assert parkctl(["lots", "import", str(STATION)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "lot station-park-ride: unchanged"
    assert hours(engine) == [document["opening_hours"]]

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document | {"opening_hours": "Mo-Fr 05:30-01:00;; PH off"}))
    assert parkctl(["lots", "import", str(bad)]) == 2
    assert "opening_hours: invalid opening hours" in capsys.readouterr().err
    assert hours(engine) == [document["opening_hours"]]

    # Omitted: the lot keeps its hours; null: always open.
    omitted = tmp_path / "omitted.json"
    omitted.write_text(json.dumps({k: v for k, v in document.items() if k != "opening_hours"}))
    assert parkctl(["lots", "import", str(omitted)]) == 0
    assert capsys.readouterr().out.strip() == "lot station-park-ride: unchanged"
    assert hours(engine) == [document["opening_hours"]]
    always = tmp_path / "always.json"
    always.write_text(json.dumps(document | {"opening_hours": None}))
    assert parkctl(["lots", "import", str(always)]) == 0
    assert capsys.readouterr().out.strip() == "lot station-park-ride: updated"
    assert hours(engine) == [None]
