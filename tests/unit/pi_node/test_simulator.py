"""The simulator's traffic model, rate bound, lot splitting and scheduling."""

import itertools
import random
from datetime import datetime
from pathlib import Path

import pytest

from pi_node.config import ConfigError
from pi_node.core import NodeCore
from pi_node.outbox import Outbox
from pi_node.sim.layout import grid_polygons, node_configs
from pi_node.sim.runner import SimOptions, Simulator, VirtualNode
from pi_node.sim.traffic import (
    HOURLY_ARRIVALS,
    TokenBucket,
    arrival_rate,
    next_step,
    occupancy_share,
)
from schemas.enums import DetectedStatus
from schemas.messages import OccupancyEvent
from tests.unit.pi_node.factories import node_config

LOTS = Path(__file__).resolve().parents[3] / "examples" / "lots"
FREE, OCC = DetectedStatus.FREE, DetectedStatus.OCCUPIED


@pytest.mark.parametrize(
    ("hour", "rate"),
    [
        (8.0, HOURLY_ARRIVALS[8]),
        (8.5, (HOURLY_ARRIVALS[8] + HOURLY_ARRIVALS[9]) / 2),
        (24.0, HOURLY_ARRIVALS[0]),
    ],
)
def test_arrival_rate_interpolates_by_hour(hour: float, rate: float) -> None:
    assert arrival_rate(hour) == pytest.approx(rate)


def test_the_lot_fills_by_day_and_empties_by_night() -> None:
    assert occupancy_share(3.0) < 0.5 < occupancy_share(11.0) < 1.0


def test_stays_are_longer_overnight() -> None:
    rng = random.Random(1)  # noqa: S311 - test traffic, not secrets
    day = sorted(next_step(OCC, 10.0, rng, 0.0).delay_s for _ in range(501))[250]
    night = sorted(next_step(OCC, 20.0, rng, 0.0).delay_s for _ in range(501))[250]
    assert 60 * 60 < day < 3 * 60 * 60 < 6 * 60 * 60 < night


def test_noise_makes_low_confidence_glitches() -> None:
    rng = random.Random(2)  # noqa: S311 - test traffic, not secrets
    steps = [next_step(FREE, 9.0, rng, noise=1.0) for _ in range(20)]
    assert all(s.glitch and s.status is OCC and s.confidence <= 0.6 for s in steps)
    assert not any(next_step(FREE, 9.0, rng, noise=0.0).glitch for _ in range(20))


@pytest.mark.parametrize(
    ("times", "waits"),
    [
        ([0.0, 0.0, 0.0], [0.0, 0.0, 0.5]),  # a burst of 2, then one every 0.5 s
        ([0.0, 0.0, 0.5, 0.5], [0.0, 0.0, 0.0, 0.5]),
        ([0.0, 10.0, 10.0, 10.0], [0.0, 0.0, 0.0, 0.5]),  # idle time refills only to `burst`
    ],
)
def test_token_bucket(times: list[float], waits: list[float]) -> None:
    bucket = TokenBucket(rate=2.0, burst=2.0, tokens=2.0)
    assert [bucket.take(t) for t in times] == pytest.approx(waits)


@pytest.mark.parametrize(
    ("lot", "per_node", "nodes", "first"),
    [
        ("downtown-garage.json", 24, 16, ("downtown-node-1", "downtown", 20)),
        ("downtown-garage.json", 8, 48, ("downtown-node-1", "downtown", 8)),
        ("harbour-surface.json", 24, 2, ("harbour-surface-node-1", "harbour-surface", 12)),
    ],
)
def test_lots_split_into_virtual_nodes(
    lot: str, per_node: int, nodes: int, first: tuple[str, str, int]
) -> None:
    configs = node_configs(LOTS / lot, per_node)
    assert len(configs) == nodes
    assert (configs[0].node_id, configs[0].lot_id, len(configs[0].slots)) == first
    all_slots = [slot.slot_id for config in configs for slot in config.slots]
    assert len(all_slots) == len(set(all_slots))


def test_a_bad_layout_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "lot.json"
    path.write_text('{"code": "x"}')
    with pytest.raises(ConfigError, match="not a usable lot layout"):
        node_configs(path, 24)


def test_grid_polygons_stay_in_the_frame() -> None:
    polygons = grid_polygons(30)
    assert len(polygons) == 30
    assert all(0 <= x <= 1280 and 0 <= y <= 720 for polygon in polygons for x, y in polygon)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def virtual_node(tmp_path: Path, slots: int) -> VirtualNode:
    node = VirtualNode.__new__(VirtualNode)  # no MQTT link: the scheduler is under test
    node.outbox = Outbox(tmp_path / "sim.sqlite3", 10_000, durable=False)
    node.core = NodeCore(node_config(slots=slots), node.outbox)
    return node


def events(node: VirtualNode) -> list[OccupancyEvent]:
    return [OccupancyEvent.model_validate_json(p.payload) for p in node.outbox.pending(0, 10_000)]


def test_simulator_reports_every_slot_at_start_within_the_rate(tmp_path: Path) -> None:
    node = virtual_node(tmp_path, slots=6)
    clock = FakeClock()
    options = SimOptions(
        speedup=1.0, max_rate=4.0, start=datetime(2026, 11, 26, 9).astimezone(), seed=1
    )
    simulator = Simulator([node], options, clock)
    assert simulator.run_once() == pytest.approx(0.25)  # burst of 4, then wait for a token
    assert len(events(node)) == 4
    clock.now = 0.5
    simulator.run_once()
    assert sorted(e.slot_id for e in events(node)) == [f"A0{i}" for i in range(1, 7)]
    assert all(s is not DetectedStatus.UNKNOWN for s in node.core.statuses().values())


def test_simulated_hours_bring_changes_with_increasing_seq(tmp_path: Path) -> None:
    node = virtual_node(tmp_path, slots=6)
    clock = FakeClock()
    options = SimOptions(
        speedup=3600.0,
        max_rate=1000.0,
        noise=0.2,
        seed=3,
        start=datetime(2026, 11, 26, 7).astimezone(),
    )
    simulator = Simulator([node], options, clock)
    for second in range(1, 13):  # twelve simulated hours
        clock.now = float(second)
        simulator.run_once()
    published = events(node)
    assert len(published) > 12
    assert [e.seq for e in published] == list(range(1, len(published) + 1))
    by_slot: dict[str, list[DetectedStatus]] = {}
    for event in published:
        by_slot.setdefault(event.slot_id, []).append(event.status)
    for statuses in by_slot.values():  # each event is a change for its slot
        assert all(a is not b for a, b in itertools.pairwise(statuses))
