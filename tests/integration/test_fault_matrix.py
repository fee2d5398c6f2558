"""The fault matrix: 5,000 events from real nodes through broker, worker and database faults.

Real PostgreSQL and Mosquitto (dynamic security, persistence), two ingest worker processes,
two in-process camera nodes (`tests/support/faults.py` has the whole scenario). After each
fault, once every node's outbox is empty and the workers are quiet, nothing may be missing,
nothing stored twice, every slot must hold its newest observation; and a node's credentials
must not take over a worker's client id. `python -m bench.faults` prints the same figures.
"""

import tempfile
from pathlib import Path

import pytest

from tests.support.faults import (
    FAULTS,
    FaultResult,
    MatrixOptions,
    describe,
    dynsec_plugin,
    fault_scenario,
)

pytestmark = pytest.mark.integration

EVENTS = 5000


def problems(result: FaultResult) -> list[str]:
    """What is wrong with one fault's figures (empty when it passed)."""
    found = []
    name = f"({result.fault}) {result.label}"
    if not result.converged:
        found.append(f"{name}: outboxes not empty / workers not quiet within the bound")
    if result.lost:
        found.append(f"{name}: lost {result.lost} of {result.sent} events")
    if result.duplicated:
        found.append(f"{name}: {result.duplicated} event ids stored more than once")
    if result.slots_wrong:
        found.append(f"{name}: slots not at their newest event: {result.slots_wrong}")
    takeover = result.takeover
    if takeover is not None:
        if not takeover.refused:
            found.append(
                f"{name}: the broker accepted a node's credentials as {takeover.client_id} "
                f"({takeover.reason}); it received {takeover.stolen} of the worker's messages"
            )
        if takeover.worker_kicked:
            found.append(f"{name}: the worker {takeover.client_id} was disconnected")
    return found


def test_no_fault_loses_or_doubles_an_event_and_a_node_cannot_take_over_a_worker() -> None:
    if dynsec_plugin() is None:
        pytest.skip("Mosquitto's dynamic-security plugin is missing (it comes with Mosquitto 2)")
    # Not tmp_path: its folders are private to our user, and the servers may run as others.
    with (
        tempfile.TemporaryDirectory(prefix="parking-faults-") as folder,
        fault_scenario(Path(folder), MatrixOptions(events=EVENTS)) as scenario,
    ):
        results = scenario.run(on_result=lambda r: print(describe([r])))  # noqa: T201
    assert [r.fault for r in results] == list(FAULTS)
    assert sum(r.sent for r in results) == EVENTS
    found = [problem for result in results for problem in problems(result)]
    assert not found, "\n".join([*found, describe(results)])
    assert results[-1].takeover is not None
