"""Runs many virtual nodes in one process: traffic -> `NodeCore` -> `MqttLink`, rate-bounded.

Simulated time runs `speedup` times faster than real time and drives the time-of-day
rates; events carry the real wall-clock time as `observed_at`, since the cloud rejects
timestamps in the future.
"""

import heapq
import itertools
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pi_node.core import NodeCore
from pi_node.debounce import Change
from pi_node.mqtt import LinkOptions, MqttLink
from pi_node.outbox import Outbox
from pi_node.settings import NodeSettings
from pi_node.sim.traffic import Step, TokenBucket, glitch_repair, initial_status, next_step
from schemas.enums import DetectedStatus
from schemas.messages import NodeConfig

log = logging.getLogger(__name__)

MAX_IDLE_WAIT_S = 0.5


@dataclass(frozen=True, slots=True)
class SimOptions:
    """How the traffic runs: speed, bound, noise, start time and randomness."""

    speedup: float = 60.0
    max_rate: float = 200.0  # events per second, all nodes together
    noise: float = 0.02
    start: datetime = field(default_factory=lambda: datetime.now().astimezone())
    seed: int | None = None


@dataclass(order=True, slots=True)
class _Due:
    at: float  # simulated seconds since the start
    order: int
    node: int = field(compare=False)
    slot_id: str = field(compare=False)
    step: Step = field(compare=False)


class VirtualNode:
    """One simulated camera node: its core, outbox and MQTT link, publishing like a real one."""

    def __init__(self, config: NodeConfig, settings: NodeSettings, state_dir: Path) -> None:
        self.outbox = Outbox(
            state_dir / f"{config.node_id}.sqlite3", settings.buffer_max_events, durable=False
        )
        self.core = NodeCore(config, self.outbox, detector="simulator")
        options = LinkOptions.from_settings(settings, config.node_id)
        self.link = MqttLink(self.core, self.outbox, options, lambda: (0.0, True))


class Simulator:
    """Schedules every slot's next reading on one heap; one thread drives all nodes."""

    def __init__(
        self,
        nodes: list[VirtualNode],
        options: SimOptions,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.nodes = nodes
        self.options = options
        self._clock = clock
        self._rng = random.Random(options.seed)  # noqa: S311 - traffic, not cryptography
        self._heap: list[_Due] = []
        self._order = itertools.count()
        self._started = clock()
        burst = max(1.0, options.max_rate)
        self._bucket = TokenBucket(options.max_rate, burst, tokens=burst, updated=self._started)
        self.emitted = 0
        self._seed_initial_states()

    def _hour(self, sim_s: float) -> float:
        moment = self.options.start + timedelta(seconds=sim_s)
        return moment.hour + moment.minute / 60.0

    def _seed_initial_states(self) -> None:
        """Every slot reports its start status at once: the full state on start-up."""
        hour = self._hour(0.0)
        for index, node in enumerate(self.nodes):
            for slot in node.core.config.slots:
                status = initial_status(hour, self._rng)
                self._push(0.0, index, slot.slot_id, Step(0.0, status, 0.95))

    def _push(self, now_sim: float, node: int, slot_id: str, step: Step) -> None:
        due = _Due(now_sim + step.delay_s, next(self._order), node, slot_id, step)
        heapq.heappush(self._heap, due)

    def sim_now(self) -> float:
        """Simulated seconds since the start."""
        return (self._clock() - self._started) * self.options.speedup

    def run_once(self) -> float:
        """Emit what is due (as the rate allows); returns how long to wait before next time."""
        now = self.sim_now()  # fixed for this call, so a backlog cannot keep it busy forever
        while self._heap and self._heap[0].at <= now:
            wait = self._bucket.take(self._clock())
            if wait > 0:
                return wait
            self._fire(heapq.heappop(self._heap))
        if not self._heap:
            return MAX_IDLE_WAIT_S
        ahead = (self._heap[0].at - self.sim_now()) / self.options.speedup
        return min(MAX_IDLE_WAIT_S, max(0.0, ahead))

    def _fire(self, due: _Due) -> None:
        core = self.nodes[due.node].core
        before = core.statuses().get(due.slot_id)
        if before is None:  # the slot left the node's map (config update)
            return
        step = due.step
        if step.status is not before or before is DetectedStatus.UNKNOWN:
            change = Change(due.slot_id, step.status, step.confidence, datetime.now(UTC))
            core.emit(change)
            self.emitted += 1
        if step.glitch:
            follow = glitch_repair(self._rng, before)
        else:
            follow = next_step(step.status, self._hour(due.at), self._rng, self.options.noise)
        self._push(due.at, due.node, due.slot_id, follow)

    def run(self, stop: threading.Event) -> None:
        """Drive the traffic until `stop` is set."""
        while not stop.is_set():
            stop.wait(self.run_once())
