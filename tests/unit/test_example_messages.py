"""examples/messages/: valid against the JSON Schemas, for harbour-node-1's own slots, and the
demo banner's publish lines produce fresh copies of them."""

import json
import shlex
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from infra.local.message import EXAMPLES, KINDS, REPO, fresh
from schemas.export_json_schemas import JSON_DIR, schema_file_name
from tests.support.demo_banner import sample_banner

NODE_MAP = yaml.safe_load((REPO / "examples" / "nodes" / "harbour-node-1.yaml").read_text())
MAPPED = {slot["slot_id"] for slot in NODE_MAP["slots"]}


def _validator(kind: str) -> Draft202012Validator:
    schema = json.loads((JSON_DIR / schema_file_name(KINDS[kind])).read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _errors(kind: str, message: dict[str, Any]) -> list[str]:
    return [error.message for error in _validator(kind).iter_errors(message)]


def test_every_kind_has_an_example_and_nothing_else_is_there() -> None:
    assert {path.stem for path in EXAMPLES.glob("*.json")} == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_example_validates_against_its_json_schema(kind: str) -> None:
    message = json.loads((EXAMPLES / f"{kind}.json").read_text(encoding="utf-8"))
    assert _errors(kind, message) == []


def test_examples_speak_for_harbour_node_1_about_its_own_slots() -> None:
    birth, event, beat = (
        json.loads((EXAMPLES / f"{kind}.json").read_text(encoding="utf-8"))
        for kind in ("birth", "occupancy", "heartbeat")
    )
    assert NODE_MAP["node_id"] == event["node_id"] == beat["node_id"] == "harbour-node-1"
    assert NODE_MAP["lot_id"] == event["lot_id"] == birth["lot_id"] == "harbour-surface"
    assert event["slot_id"] in MAPPED
    assert set(birth["slots"]) <= MAPPED


def test_fresh_copies_are_valid_current_and_ordered() -> None:
    clock = iter([1_800_000_000.0, 1_800_000_000.5, 1_800_000_001.0])
    birth = fresh("birth", clock=lambda: next(clock))
    first = fresh("occupancy", slot="A07", status="free", clock=lambda: next(clock))
    second = fresh("occupancy", clock=lambda: next(clock))
    for kind, message in (("birth", birth), ("occupancy", first), ("occupancy", second)):
        assert _errors(kind, message) == []
    assert birth["seq"] < first["seq"] < second["seq"]
    assert first["event_id"] != second["event_id"]
    assert (first["slot_id"], first["status"]) == ("A07", "free")
    assert first["observed_at"] == "2027-01-15T08:00:00.500Z"


def test_the_banner_publishes_files_that_exist_and_says_birth_first() -> None:
    text = sample_banner()
    assert "-f event.json" not in text
    assert "only after its birth" in text
    pipes = [line for line in text.splitlines() if "| mosquitto_pub" in line]
    assert {shlex.split(line)[3] for line in pipes} == {"birth", "occupancy", "heartbeat"}
    # The node's own account, bound to its own client id.
    assert all("-u harbour-node-1 -i harbour-node-1" in line for line in pipes)


def test_the_banner_message_command_prints_a_fresh_valid_event() -> None:
    (line,) = [line for line in sample_banner().splitlines() if "message occupancy" in line]
    command = shlex.split(line.split("|")[0])
    assert command[1:3] == ["-m", "infra.local.message"]
    done = subprocess.run(
        [sys.executable, *command[1:]], cwd=REPO, capture_output=True, text=True, check=True
    )
    event = json.loads(done.stdout)
    assert _errors("occupancy", event) == []
    assert (event["slot_id"], event["status"]) == ("A01", "occupied")
    observed = datetime.fromisoformat(event["observed_at"])
    assert abs(observed - datetime.now(UTC)) < timedelta(minutes=1)
    assert uuid.UUID(event["event_id"]).version == 4
