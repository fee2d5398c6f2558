"""The checked-in JSON Schemas are current, valid, and agree with the pydantic models."""

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from schemas.export_json_schemas import (
    GENERATOR,
    JSON_DIR,
    JSON_SCHEMA_DIALECT,
    SCHEMA_ID_BASE,
    main,
    render_all,
    schema_file_name,
)
from schemas.messages import PayloadKind
from tests.unit.test_messages import EXAMPLES, OCCUPANCY


def load_schema(kind: PayloadKind) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((JSON_DIR / schema_file_name(kind)).read_text("utf-8"))
    return schema


def validator(kind: PayloadKind) -> Draft202012Validator:
    return Draft202012Validator(load_schema(kind))


@pytest.mark.parametrize(("name", "text"), render_all().items())
def test_checked_in_schema_is_current(name: str, text: str) -> None:
    path = JSON_DIR / name
    assert path.is_file(), f"{path} is missing: run `{GENERATOR}`"
    assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run `{GENERATOR}`"


@pytest.mark.parametrize("kind", PayloadKind)
def test_schema_is_valid_draft_2020_12_with_id(kind: PayloadKind) -> None:
    schema = load_schema(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == JSON_SCHEMA_DIALECT
    assert schema["$id"] == f"{SCHEMA_ID_BASE}{kind}.schema.json"


def test_design_example_validates_and_bad_events_do_not() -> None:
    events = validator(PayloadKind.OCCUPANCY_EVENT)
    assert list(events.iter_errors(OCCUPANCY)) == []
    for bad in (
        OCCUPANCY | {"status": "closed"},
        OCCUPANCY | {"seq": "12"},
        OCCUPANCY | {"slot_id": "a/b"},
        OCCUPANCY | {"observed_at": "2026-11-26T10:00:00.123"},
        OCCUPANCY | {"extra": 1},
        {key: value for key, value in OCCUPANCY.items() if key != "seq"},
    ):
        assert not events.is_valid(bad), bad


@pytest.mark.parametrize(("kind", "payload"), EXAMPLES)
def test_every_design_example_validates(kind: PayloadKind, payload: dict[str, Any]) -> None:
    assert list(validator(kind).iter_errors(payload)) == []


def test_check_mode_reports_stale_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    assert main(["--dir", str(tmp_path)]) == 0
    assert main(["--check", "--dir", str(tmp_path)]) == 0
    (tmp_path / "heartbeat.schema.json").write_text("{}\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["--check", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"stale: {tmp_path / 'heartbeat.schema.json'}" in err
    assert GENERATOR in err
