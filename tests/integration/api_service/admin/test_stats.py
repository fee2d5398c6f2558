"""`GET /admin/stats/occupancy`: occupied slot-time per bucket and session durations."""

import random
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api_service.models.admin_history import BUCKETS
from api_service.services import admin_stats
from ingest_service.history import roll_up
from schemas.db import ParkingSession, SlotEvent
from tests.integration.api_service.admin.conftest import Staff
from tests.integration.api_service.conftest import lot_id, problem, slot_id

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 26, 8, tzinfo=UTC)


def stay(lots: Session, code: str, start: timedelta, minutes: int) -> None:
    """A stay in a slot of harbour-surface: its session and the detections behind it."""
    lot, slot = lot_id(lots, "harbour-surface"), slot_id(lots, "harbour-surface", code)
    began, ended = T0 + start, T0 + start + timedelta(minutes=minutes)
    lots.add(
        ParkingSession(
            slot_id=slot, lot_id=lot, opened_by="detection", started_at=began, ended_at=ended
        )
    )
    for seq, (status, at) in enumerate((("occupied", began), ("free", ended))):
        lots.add(
            SlotEvent(
                event_id=uuid.uuid4(), slot_id=slot, lot_id=lot, node_id="node-stats",
                status=status, observed_at=at, seq=seq,
            )
        )  # fmt: skip


def test_buckets_and_durations(admin_client: FlaskClient, staff: Staff, lots: Session) -> None:
    for code, start, minutes in (("A01", 0, 90), ("A02", 30, 30)):
        stay(lots, code, timedelta(minutes=start), minutes)
    lots.commit()
    url = (
        "/api/v1/admin/stats/occupancy?lot_id=harbour-surface&bucket=1h"
        "&from=2026-11-26T08:00:00Z&to=2026-11-26T10:00:00Z"
    )
    response = admin_client.get(url, headers=staff.headers("harbour"))
    assert response.status_code == 200, response.data
    stats = response.get_json()
    (series,) = stats["series"]
    assert series["slots"] == 24
    first, second = series["buckets"]
    assert first["occupied_s"] == 3600 + 1800
    assert first["sessions_started"] == 2
    assert first["occupancy"] == pytest.approx(5400 / (24 * 3600))
    assert second["occupied_s"] == 1800
    assert stats["durations"] == {
        "sessions": 2,
        "ended": 2,
        "mean_s": 3600.0,
        "p50_s": 3600.0,
        "p90_s": 5040.0,
        "max_s": 5400.0,
    }
    assert stats["from"] == "2026-11-26T08:00:00.000Z"
    per_floor = admin_client.get(url + "&by=floor", headers=staff.headers("admin")).get_json()
    assert [s["floor"] for s in per_floor["series"]] == [0]
    too_many = url.replace("bucket=1h", "bucket=5m").replace("to=2026-11-26T10", "to=2027-11-26T10")
    refused = admin_client.get(too_many, headers=staff.headers("harbour"))
    assert problem(refused)["errors"][0]["field"] == "bucket"


def test_hours_before_any_data_are_null_not_zero(
    admin_client: FlaskClient, staff: Staff, lots: Session
) -> None:
    url = (
        "/api/v1/admin/stats/occupancy?lot_id=harbour-surface&bucket=1h"
        "&from=2026-11-26T06:00:00Z&to=2026-11-26T10:00:00Z"
    )
    before = admin_client.get(url, headers=staff.headers("harbour")).get_json()
    # A fresh lot: nothing known yet, so no bucket claims 0 %.
    assert [b["occupancy"] for b in before["series"][0]["buckets"]] == [None] * 4
    stay(lots, "A01", timedelta(minutes=30), 30)
    lots.commit()
    after = admin_client.get(url, headers=staff.headers("harbour")).get_json()
    shares = [b["occupancy"] for b in after["series"][0]["buckets"]]
    # 06-07 and 07-08 ended before the first data; 08-09 holds it; 09-10 is a known 0 %.
    assert shares[:2] == [None, None]
    assert shares[2] == pytest.approx(1800 / (24 * 3600))
    assert shares[3] == 0.0


def test_a_month_from_rollups_equals_the_raw_computation(
    admin_client: FlaskClient, staff: Staff, lots: Session, database_url: str
) -> None:
    """Rolled-up hours, the hours after them from raw events, and the raw events alone agree."""
    lot = lot_id(lots, "harbour-surface")
    start = datetime(2026, 10, 27, tzinfo=UTC)
    randomly = random.Random(11)  # noqa: S311 - test data, not secrets
    for code in ("A01", "A02", "A03", "B01"):
        slot, at, seq = slot_id(lots, "harbour-surface", code), start - timedelta(hours=5), 0
        while at < start + timedelta(days=30):
            lots.add(
                SlotEvent(
                    event_id=uuid.uuid4(), slot_id=slot, lot_id=lot, node_id="node-stats",
                    status=randomly.choice(("free", "occupied", "occupied", "unknown")),
                    observed_at=at, seq=seq,
                )
            )  # fmt: skip
            at, seq = at + timedelta(seconds=randomly.randint(60, 6 * 3600)), seq + 1
    lots.commit()
    window = (start, start + timedelta(days=30))
    raw = {
        bucket: admin_stats.occupancy(
            lots, lot, window, timedelta(seconds=BUCKETS[bucket]), by_floor=False,
            now=window[1], rollups=False,
        )[None][1]
        for bucket in ("1h", "1d")
    }  # fmt: skip
    # Rolled up to 18 days in; the 12 days after are computed from the events.
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as conn:
        rolled = roll_up(conn, start + timedelta(days=18, minutes=30), max_hours=10_000)
    assert rolled.rolled_to == start + timedelta(days=18)
    url = (
        "/api/v1/admin/stats/occupancy?lot_id=harbour-surface&from=2026-10-27T00:00:00Z"
        "&to=2026-11-26T00:00:00Z&bucket="
    )
    for bucket, expected in raw.items():
        answer = admin_client.get(url + bucket, headers=staff.headers("harbour")).get_json()
        buckets = answer["series"][0]["buckets"]
        assert [b["occupied_s"] for b in buckets] == pytest.approx(
            [b.occupied_s for b in expected], abs=1e-6
        )
        assert [b["start"] for b in buckets] == [
            b.start.strftime("%Y-%m-%dT%H:%M:%S.000Z") for b in expected
        ]
    assert sum(b.occupied_s for b in raw["1d"]) > 0
    # The rolled-up hours really come from the rollups.
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(
            "UPDATE occupancy_hourly SET occupied_avg = occupied_avg + 1"
            " WHERE hour = %s AND kind = 'standard'",
            (start,),
        )
    answer = admin_client.get(url + "1h", headers=staff.headers("harbour")).get_json()
    first = answer["series"][0]["buckets"][0]["occupied_s"]
    assert first == pytest.approx(raw["1h"][0].occupied_s + 3600)
