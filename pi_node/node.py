"""The camera node: frames -> detector -> debouncer -> `NodeCore`, never crashing on failures."""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

import cv2

from pi_node.backoff import Backoff
from pi_node.camera import FrameSource, RetryingCamera, open_source
from pi_node.core import NodeCore
from pi_node.debounce import Change, Debouncer, Thresholds
from pi_node.detect import DetectorError, Frame, SlotScorer, build_scorer
from pi_node.settings import NodeSettings
from schemas.enums import DetectedStatus
from schemas.messages import NodeConfig

log = logging.getLogger(__name__)

FPS_WINDOW_S = 10.0
# What one frame's analysis may raise without stopping the node.
ANALYSIS_FAILURES = (DetectorError, cv2.error, ValueError)

ScorerFactory = Callable[[NodeConfig], SlotScorer]
SourceFactory = Callable[[str], FrameSource]


class Pipeline:
    """A scorer and the debouncer over its readings, for one slot map."""

    def __init__(
        self,
        scorer: SlotScorer,
        config: NodeConfig,
        hysteresis: float,
        known: Mapping[str, DetectedStatus] | None = None,
    ) -> None:
        self.scorer = scorer
        thresholds = Thresholds(scorer.threshold, scorer.threshold * hysteresis)
        slot_ids = [slot.slot_id for slot in config.slots]
        self.debouncer = Debouncer(slot_ids, thresholds, config.occupancy.confirm_frames, known)

    def process(self, frame: Frame, observed_at: datetime) -> list[Change]:
        """One frame in, the confirmed changes it completes out."""
        return self.debouncer.observe(self.scorer.score(frame), observed_at)


class FpsMeter:
    """Frames analysed per second over the last few seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._ticks: deque[float] = deque()

    def tick(self) -> None:
        """Count one analysed frame."""
        self._ticks.append(self._clock())

    def fps(self) -> float:
        """The recent rate."""
        horizon = self._clock() - FPS_WINDOW_S
        while self._ticks and self._ticks[0] < horizon:
            self._ticks.popleft()
        return len(self._ticks) / FPS_WINDOW_S


class CameraNode:
    """Runs the detection loop at `camera.fps` and applies slot-map updates between frames."""

    def __init__(
        self,
        core: NodeCore,
        settings: NodeSettings,
        scorer_factory: ScorerFactory | None = None,
        source_factory: SourceFactory = open_source,
    ) -> None:
        self._core = core
        self._settings = settings
        self._scorer_factory = scorer_factory or (
            lambda config: build_scorer(config, settings.detector_threads)
        )
        self._source_factory = source_factory
        self._lock = threading.Lock()
        self._new_config: NodeConfig | None = None
        self._fps = FpsMeter()
        config = core.config
        self.pipeline = Pipeline(self._scorer_factory(config), config, settings.hysteresis)
        core.detector = self.pipeline.scorer.name
        self._source = config.camera.source
        self.camera = self._open_camera(self._source)
        core.on_config = self._config_arrived

    def _open_camera(self, source: str) -> RetryingCamera:
        backoff = Backoff(self._settings.camera_retry_min_s, self._settings.camera_retry_max_s)
        return RetryingCamera(lambda: self._source_factory(source), backoff)

    def _config_arrived(self, config: NodeConfig) -> None:
        with self._lock:  # called from the MQTT thread; applied between two frames
            self._new_config = config

    def health(self) -> tuple[float, bool]:
        """Frames per second and whether the camera delivers, for the heartbeat."""
        return self._fps.fps(), self.camera.healthy

    def step(self) -> list[Change]:
        """One iteration: apply a new slot map, grab a frame, analyse, emit the changes."""
        self._apply_new_config()
        now = datetime.now(UTC)
        frame = self.camera.read()
        changes = self._blind_changes(now) if frame is None else self._analyse(frame, now)
        for change in changes:
            self._core.emit(change)
        return changes

    def _analyse(self, frame: Frame, now: datetime) -> list[Change]:
        try:
            changes = self.pipeline.process(frame, now)
        except ANALYSIS_FAILURES as exc:
            log.warning("frame analysis failed: %s", exc)
            return []
        self._fps.tick()
        return changes

    def _blind_changes(self, now: datetime) -> list[Change]:
        """After a long camera outage every slot turns unknown (once), never stale `free`."""
        down_for = self.camera.down_for()
        if down_for is None or down_for < self._settings.camera_unknown_after_s:
            return []
        return self.pipeline.debouncer.forget(now)

    def _apply_new_config(self) -> None:
        with self._lock:
            config, self._new_config = self._new_config, None
        if config is None:
            return
        try:
            scorer = self._scorer_factory(config)
        except DetectorError as exc:
            log.warning("new slot map keeps the old detector: %s", exc)
            scorer = self.pipeline.scorer
        known = self.pipeline.debouncer.statuses()
        self.pipeline = Pipeline(scorer, config, self._settings.hysteresis, known)
        self._core.detector = scorer.name
        if config.camera.source != self._source:
            self.camera.close()
            self._source = config.camera.source
            self.camera = self._open_camera(self._source)

    def run(self, stop: threading.Event) -> None:
        """Analyse frames at the configured rate until `stop` is set."""
        try:
            while not stop.is_set():
                started = time.monotonic()
                self.step()
                interval = 1.0 / self._core.config.camera.fps
                pause = max(interval - (time.monotonic() - started), 0.0)
                stop.wait(max(pause, self.camera.seconds_until_retry()))
        finally:
            self.camera.close()
