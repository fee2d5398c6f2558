"""Pure pieces of the admin API: tenant rule, layout edits, broker commands, $SYS, buckets."""

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api_service import layout_edits as edits
from api_service.access import Tenant
from api_service.broker_admin import (
    command_errors,
    registration_commands,
)
from api_service.errors import from_domain
from api_service.services.admin_stats import bucket_starts, series
from api_service.services.errors import DomainError
from api_service.sysinfo import broker_view
from schemas.broker_url import parse_mqtt_url
from schemas.enums import Role

ADMIN = Tenant(1, "a@x.io", Role.ADMIN, None)
OPERATOR = Tenant(2, "o@x.io", Role.OPERATOR, 7)


@pytest.mark.parametrize(
    ("tenant", "operator_id", "allowed"),
    [
        (ADMIN, 7, True),
        (ADMIN, 8, True),
        (OPERATOR, 7, True),
        (OPERATOR, 8, False),
        (OPERATOR, None, False),
    ],
)
def test_tenant_rule(tenant: Tenant, operator_id: int | None, allowed: bool) -> None:
    assert tenant.may_manage(operator_id) is allowed


def test_scope() -> None:
    assert (ADMIN.scope, OPERATOR.scope) == (None, 7)
    with pytest.raises(DomainError) as refused:
        OPERATOR.require(8, "lot x")
    assert from_domain(refused.value).status == 403


DOC: dict[str, Any] = {
    "code": "lot",
    "floors": [
        {
            "level": 0,
            "name": "G",
            "rows": [
                {"name": "A", "slots": [{"code": "A1", "kind": "standard"}]},
                {"name": "B", "slots": [{"code": "B1", "kind": "standard"}]},
            ],
        }
    ],
}


@pytest.mark.parametrize(
    ("edit", "status"),
    [
        (lambda d: edits.add_floor(d, {"level": 0, "name": "x", "rows": []}), 409),
        (lambda d: edits.rename_floor(d, 3, "x"), 404),
        (lambda d: edits.add_row(d, 0, {"name": "A", "slots": []}), 409),
        (lambda d: edits.rename_row(d, 0, "A", "B"), 409),
        (lambda d: edits.add_slot(d, 0, "B", {"code": "A1"}), 409),
        (lambda d: edits.delete_slot(d, "Z9"), 404),
        (lambda d: edits.update_slot(d, "A1", None, 0, "C"), 404),
    ],
)
def test_refused_edits(edit: Any, status: int) -> None:
    with pytest.raises(DomainError) as refused:
        edit(copy.deepcopy(DOC))
    assert from_domain(refused.value).status == status


def test_moving_a_slot_keeps_its_code() -> None:
    doc = copy.deepcopy(DOC)
    edits.update_slot(doc, "A1", "ev", None, "B")
    rows = doc["floors"][0]["rows"]
    assert rows[0]["slots"] == []
    assert rows[1]["slots"] == [{"code": "B1", "kind": "standard"}, {"code": "A1", "kind": "ev"}]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://api:p%40ss@broker:1884", ("broker", 1884, "api", "p@ss", False)),
        ("mqtts://broker", ("broker", 8883, None, None, True)),
        ("mqtt://127.0.0.1", ("127.0.0.1", 1883, None, None, False)),
    ],
)
def test_parse_mqtt_url(url: str, expected: tuple[Any, ...]) -> None:
    a = parse_mqtt_url(url)
    assert (a.host, a.port, a.username, a.password, a.tls) == expected


@pytest.mark.parametrize("url", ["http://x", "mqtt://", "broker:1883"])
def test_bad_mqtt_urls(url: str) -> None:
    with pytest.raises(ValueError, match="mqtt"):
        parse_mqtt_url(url)


def test_registration_replaces_the_role_and_binds_the_client_id() -> None:
    commands = registration_commands("cam-1", "pw")
    assert [c["command"] for c in commands] == ["deleteRole", "createRole", "createClient"]
    assert commands[2]["clientid"] == "cam-1"
    assert commands[1]["rolename"] == commands[2]["roles"][0]["rolename"] == "node:cam-1"


def test_command_errors_skip_tolerated_ones() -> None:
    responses = [
        {"command": "deleteRole", "error": "Role not found"},
        {"command": "createClient", "error": "Client already exists"},
        {"command": "x"},
    ]
    assert command_errors(responses, frozenset({"Role not found"})) == [
        "createClient: Client already exists"
    ]


def test_broker_view_parses_sys_values() -> None:
    view = broker_view(
        {
            "$SYS/broker/uptime": "42 seconds",
            "$SYS/broker/clients/connected": "3",
            "$SYS/broker/load/messages/received/1min": "120.00",
            "$SYS/broker/retained messages/count": "junk",
        }
    )
    assert (view.uptime_s, view.clients_connected, view.messages_in_per_s) == (42, 3, 2.0)
    assert (view.retained, view.version, view.stored) == (None, None, None)


def test_buckets_cover_the_window_with_a_short_last_one() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = start + timedelta(minutes=90)
    starts = bucket_starts(start, end, timedelta(hours=1))
    assert starts == [start, start + timedelta(hours=1)]
    figures = series(starts, end, timedelta(hours=1), 2, {starts[1]: (1800.0, 1)}, data_from=start)
    assert [f.occupancy for f in figures] == [0.0, 0.5]
    assert series(starts, end, timedelta(hours=1), 0, {}, data_from=start)[0].occupancy == 0.0
    # Before the lot's first data a bucket is unknown, not 0 %; the bucket holding it counts.
    later = start + timedelta(minutes=70)
    figures = series(starts, end, timedelta(hours=1), 2, {starts[1]: (1800.0, 1)}, data_from=later)
    assert [f.occupancy for f in figures] == [None, 0.5]
    nothing = series(starts, end, timedelta(hours=1), 2, {}, data_from=None)
    assert [f.occupancy for f in nothing] == [None, None]
