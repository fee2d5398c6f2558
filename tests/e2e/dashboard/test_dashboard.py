"""The admin dashboard in headless Chromium against the local stack (make demo's scripts).

Python prepares what a browser cannot: staff accounts (hashed with the API's own hasher), a
camera node registered for `harbour-surface`, a driver's pending pay-desk payment there,
ingest workers, the dashboard's server, and the MQTT payloads (built with the contract
models). `dashboard/e2e/dashboard.e2e.mjs` then drives
Debian's Chromium through playwright-core, publishing the event with `mosquitto_pub` when the
page is ready for it, and saves screenshots to dashboard/e2e/screenshots/.
"""

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api_service.passwords import Passwords
from api_service.settings import ApiSettings
from infra.local.ports import any_free_port
from schemas.enums import DetectedStatus
from schemas.messages import Heartbeat, NodeBirth, OccupancyEvent, to_payload
from schemas.topics import NodeTopicKind, node_topic
from tests.e2e.stack import REPO, LocalStack, eventually
from tests.support.slot_maps import slot_map

pytestmark = pytest.mark.e2e

DASHBOARD = REPO / "dashboard"
SCRIPT = DASHBOARD / "e2e" / "dashboard.e2e.mjs"
SCREENSHOTS = DASHBOARD / "e2e" / "screenshots"
CHROMIUM = os.environ.get("DASHBOARD_CHROMIUM", "/usr/bin/chromium")
LOT, OTHER_LOT = "harbour-surface", "downtown"
NODE = "dashboard-e2e-node"  # registered here, speaking through the simulator's account
EVENT_SLOT, OVERRIDE_SLOT = "B11", "B12"
EXPECTED_SHOTS = ("01-overview.png", "03-lot-event.png", "04-override.png",
                  "09-operator-denied.png", "14-alerts.png", "15-lot-settings.png",
                  "16-payments.png")  # fmt: skip
ADMIN = ("admin@dashboard-e2e.test", "admin-password-e2e")
OPERATOR = ("harbour@dashboard-e2e.test", "operator-password-e2e")
DRIVER = ("driver@dashboard-e2e.test", "driver-password-e2e")
PAID_SLOT, PAYMENT_MINOR = "A01", 450  # the seeded stay and its pay-desk payment (EUR)
RULE = "Harbour nearly full (e2e)"
WEBHOOK = "https://hooks.dashboard-e2e.test/alerts"


def prerequisites() -> list[str]:
    """What the browser run needs that `make dashboard` and .ci/run provide."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node (Node.js 20+)")
    if not (DASHBOARD / "node_modules" / "playwright-core").is_dir():
        missing.append("dashboard/node_modules (npm ci in dashboard/)")
    if not (DASHBOARD / "dist" / "index.html").is_file():
        missing.append("dashboard/dist (make dashboard)")
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    return missing


def add_staff(stack: LocalStack) -> None:
    """An admin, and an operator of `harbour-parking` (which does not run `downtown`)."""
    passwords = Passwords(ApiSettings(dev_mode=True, argon2_time_cost=1, argon2_memory_kib=8192))
    staff = (
        (ADMIN, "admin", None),
        (OPERATOR, "operator", "harbour-parking"),
        (DRIVER, "driver", None),
    )
    for (email, password), role, operator in staff:
        stack.sql(
            "INSERT INTO users (email, password_hash, role, operator_id) "
            "SELECT %s, %s, %s, (SELECT id FROM operators WHERE code = %s) "
            "ON CONFLICT (email) DO NOTHING RETURNING id",
            email, passwords.hash(password), role, operator,
        )  # fmt: skip


def register_node(stack: LocalStack) -> None:
    """NODE, registered with a slot map over its lot (ingest takes events for those only)."""
    codes = [code for (code,) in stack.sql(
        "SELECT s.code FROM slots s JOIN parking_lots l ON l.id = s.lot_id WHERE l.code = %s",
        LOT,
    )]  # fmt: skip
    stack.sql(
        "INSERT INTO nodes (id, lot_id, slot_map) SELECT %s, id, %s::jsonb FROM parking_lots "
        "WHERE code = %s ON CONFLICT (id) DO NOTHING RETURNING id",
        NODE, json.dumps(slot_map(NODE, LOT, codes)), LOT,
    )  # fmt: skip


def add_payment(stack: LocalStack) -> int:
    """A driver's ended stay at LOT and its pending pay-desk payment (as the payments service
    leaves one); its id."""
    [(payment,)] = stack.sql(
        "WITH stay AS (INSERT INTO parking_sessions (slot_id, lot_id, user_id, opened_by, "
        "started_at, ended_at) SELECT s.id, l.id, u.id, 'driver', now() - interval '2 hours', "
        "now() - interval '1 hour' FROM parking_lots l JOIN slots s ON s.lot_id = l.id "
        "JOIN users u ON u.email = %s WHERE l.code = %s AND s.code = %s "
        "RETURNING id, lot_id, user_id) "
        "INSERT INTO payments (session_id, user_id, lot_id, provider, provider_ref, "
        "idempotency_key, amount_minor, currency, state, next_action) "
        "SELECT id, user_id, lot_id, 'manual', 'desk-e2e-' || id, 'key-e2e-' || id, %s, 'EUR', "
        "'pending', %s::jsonb FROM stay RETURNING id",
        DRIVER[0], LOT, PAID_SLOT, PAYMENT_MINOR,
        json.dumps({"kind": "pay_at_desk", "instructions": "Pay at the desk (e2e)."}),
    )  # fmt: skip
    return int(payment)


def pub_argv(stack: LocalStack, kind: NodeTopicKind, *, retain: bool = False) -> list[str]:
    """mosquitto_pub as NODE (QoS 1, one message per stdin line)."""
    return ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(stack.mqtt_port), "-V", "5", "-q", "1",
            "-u", "simulator", "-P", stack.secrets["mqtt_simulator"], "-i", f"{NODE}-pub",
            "-t", node_topic(NODE, kind), "-l", *(["-r"] if retain else [])]  # fmt: skip


def publish(
    stack: LocalStack, kind: NodeTopicKind, payload: bytes, *, retain: bool = False
) -> None:
    subprocess.run(pub_argv(stack, kind, retain=retain), input=payload + b"\n", check=True,
                   capture_output=True, timeout=30)  # fmt: skip


def status_of(stack: LocalStack, slot: str) -> tuple[str, str]:
    found = stack.get(f"/api/v1/slots/{LOT}/{slot}")
    return found["status"], found["source"]


@pytest.fixture
def dashboard(stack: LocalStack) -> Iterator[str]:
    """Ingest workers and the dashboard server (as in make demo); its URL."""
    stack.start_worker(1)
    stack.start_worker(2)
    port = any_free_port()
    stack.start("dashboard", ["python", "-m", "infra.local.dashboard", "--port", str(port),
                              "--api", stack.api])  # fmt: skip
    url = f"http://127.0.0.1:{port}/"

    def answering() -> bool | None:
        try:
            with urllib.request.urlopen(url + "api/v1/lots", timeout=2):  # noqa: S310
                return True
        except (urllib.error.URLError, ConnectionError):
            return None

    eventually(answering, "the dashboard server (and the API behind it)")
    yield url
    stack.stop_all()


def test_dashboard_in_chromium(stack: LocalStack, dashboard: str) -> None:
    missing = prerequisites()
    assert not missing, f"the browser test needs: {', '.join(missing)}"
    add_staff(stack)
    register_node(stack)
    payment = add_payment(stack)
    now = datetime.now(UTC)
    snapshot = {EVENT_SLOT: DetectedStatus.FREE, OVERRIDE_SLOT: DetectedStatus.FREE}
    birth = NodeBirth(state="online", bdseq=1, lot_id=LOT, ts=now, seq=1, slots=snapshot,
                      software="dashboard-e2e/1", detector="e2e:mosquitto_pub")  # fmt: skip
    beat = Heartbeat(node_id=NODE, ts=now, uptime_s=1, fps=2, camera="ok", buffered=0, seq=1)
    publish(stack, NodeTopicKind.STATUS, to_payload(birth), retain=True)
    publish(stack, NodeTopicKind.HEARTBEAT, to_payload(beat))
    eventually(
        lambda: True if status_of(stack, EVENT_SLOT)[0] == "free" else None,
        f"{EVENT_SLOT} free after the node's birth",
    )
    occupied = OccupancyEvent(
        event_id=uuid.uuid4(), node_id=NODE, lot_id=LOT, slot_id=EVENT_SLOT,
        status=DetectedStatus.OCCUPIED, confidence=0.97, observed_at=datetime.now(UTC), seq=2,
        detector="e2e:mosquitto_pub",
    )  # fmt: skip
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    env = os.environ | {
        "DASHBOARD_URL": dashboard,
        "DASHBOARD_CHROMIUM": CHROMIUM,
        "SCREENSHOTS": str(SCREENSHOTS),
        "PROFILE_DIR": str(stack.state / "chromium-profile"),
        "LOT": LOT, "OTHER_LOT": OTHER_LOT, "NODE": NODE,
        "EVENT_SLOT": EVENT_SLOT, "OVERRIDE_SLOT": OVERRIDE_SLOT,
        "ADMIN_EMAIL": ADMIN[0], "ADMIN_PASSWORD": ADMIN[1],
        "OPERATOR_EMAIL": OPERATOR[0], "OPERATOR_PASSWORD": OPERATOR[1],
        "PAYMENT": str(payment), "RULE": RULE, "WEBHOOK": WEBHOOK,
        "OPERATOR_CODE": "harbour-parking",
        # The browser script runs this when the lot page is live: the event, as the node.
        "PUBLISH": json.dumps({"argv": pub_argv(stack, NodeTopicKind.OCCUPANCY),
                               "stdin": to_payload(occupied).decode() + "\n"}),
    }  # fmt: skip
    argv = ["node", "--test", "--test-reporter=spec", str(SCRIPT)]
    run = subprocess.run(argv, cwd=DASHBOARD, env=env, capture_output=True, text=True,
                         timeout=300, check=False)  # fmt: skip
    assert run.returncode == 0, f"browser run failed:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
    # What the browser did is in the database: the event landed, the override came and went.
    assert status_of(stack, EVENT_SLOT) == ("occupied", "detected")
    actions = [row[0] for row in stack.sql(
        "SELECT action FROM audit_log WHERE entity_id = %s ORDER BY id", f"{LOT}/{OVERRIDE_SLOT}"
    )]  # fmt: skip
    assert actions[-2:] == ["slot.override_set", "slot.override_clear"], actions
    assert status_of(stack, OVERRIDE_SLOT) == ("free", "detected")
    # The alert rule and webhook made in the alerts page, for the lot and its operator.
    rules = stack.sql(
        "SELECT r.kind, r.params, l.code FROM alert_rules r JOIN parking_lots l ON l.id = r.lot_id "
        "WHERE r.name = %s", RULE,
    )  # fmt: skip
    assert rules == [("lot_free_below", {"free_below": 2}, LOT)], rules
    hooks = stack.sql(
        "SELECT o.code, w.enabled FROM webhooks w JOIN operators o ON o.id = w.operator_id "
        "WHERE w.url = %s", WEBHOOK,
    )  # fmt: skip
    assert hooks == [("harbour-parking", True)], hooks
    # The tariff edited in the browser is the lot's newest version, its cap in minor units.
    [(definition,)] = stack.sql(
        "SELECT t.definition FROM tariffs t JOIN parking_lots l ON l.id = t.lot_id "
        "WHERE l.code = %s ORDER BY t.version DESC LIMIT 1", LOT,
    )  # fmt: skip
    assert (definition["free_minutes"], definition["daily_cap_minor"]) == (17, 1950), definition
    # The pay-desk payment confirmed from the payments page, and audited.
    assert stack.sql("SELECT state FROM payments WHERE id = %s", payment) == [("succeeded",)]
    confirmed = stack.sql(
        "SELECT action FROM audit_log WHERE entity_type = 'payment' AND entity_id = %s",
        str(payment),
    )  # fmt: skip
    assert confirmed == [("payment.confirm",)], confirmed
    shots = sorted(path.name for path in SCREENSHOTS.glob("*.png"))
    assert set(EXPECTED_SHOTS) <= set(shots), shots
