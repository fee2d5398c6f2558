"""Debouncing: per-frame slot scores -> confirmed status changes (pure, no I/O).

Two guards keep flicker out of the event stream. Hysteresis in score space: a slot turns
occupied when its score reaches `enter` but turns free only once it drops below `leave`
(< `enter`), so a score wobbling around one threshold holds its state. Confirmation in
time: a new status must be voted `confirm_frames` frames in a row before it is published,
so a passer-by or a one-frame miss changes nothing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from schemas.enums import DetectedStatus


@dataclass(frozen=True, slots=True)
class Reading:
    """One frame's verdict on one slot: occupancy score and confidence, both 0..1."""

    score: float
    confidence: float


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Score at which a slot turns occupied (`enter`) and below which it turns free."""

    enter: float
    leave: float

    def __post_init__(self) -> None:
        if not 0.0 <= self.leave <= self.enter <= 1.0:
            raise ValueError(f"need 0 <= leave <= enter <= 1, got {self}")


@dataclass(frozen=True, slots=True)
class Track:
    """A slot's confirmed status and the challenger that is building up a streak."""

    status: DetectedStatus = DetectedStatus.UNKNOWN
    candidate: DetectedStatus | None = None
    streak: int = 0
    confidence_sum: float = 0.0


@dataclass(frozen=True, slots=True)
class Change:
    """A confirmed status change of one slot, ready to become an occupancy event."""

    slot_id: str
    status: DetectedStatus
    confidence: float
    observed_at: datetime


def vote(score: float, current: DetectedStatus, thresholds: Thresholds) -> DetectedStatus:
    """This frame's status for a slot: hysteresis keeps `current` inside the dead band."""
    if score >= thresholds.enter:
        return DetectedStatus.OCCUPIED
    if score < thresholds.leave or current is DetectedStatus.UNKNOWN:
        return DetectedStatus.FREE
    return current


def step(
    track: Track, voted: DetectedStatus, confidence: float, confirm_frames: int
) -> tuple[Track, float | None]:
    """Advance one slot by one frame; returns the new track and, on a change, its confidence."""
    if voted is track.status:
        return Track(track.status), None
    if voted is track.candidate:
        track = replace(
            track, streak=track.streak + 1, confidence_sum=track.confidence_sum + confidence
        )
    else:
        track = Track(track.status, voted, 1, confidence)
    if track.streak < confirm_frames:
        return track, None
    return Track(voted), track.confidence_sum / track.streak


class Debouncer:
    """The tracks of every slot of a node; feed it one frame's readings at a time."""

    def __init__(
        self,
        slot_ids: Iterable[str],
        thresholds: Thresholds,
        confirm_frames: int,
        known: Mapping[str, DetectedStatus] | None = None,
    ) -> None:
        self.thresholds = thresholds
        self.confirm_frames = confirm_frames
        known = known or {}
        self._tracks = {
            slot_id: Track(known.get(slot_id, DetectedStatus.UNKNOWN)) for slot_id in slot_ids
        }

    def statuses(self) -> dict[str, DetectedStatus]:
        """Every slot's confirmed status."""
        return {slot_id: track.status for slot_id, track in self._tracks.items()}

    def observe(self, readings: Mapping[str, Reading], observed_at: datetime) -> list[Change]:
        """Apply one frame; a slot missing from `readings` keeps its track unchanged."""
        changes: list[Change] = []
        for slot_id, track in self._tracks.items():
            reading = readings.get(slot_id)
            if reading is None:
                continue
            voted = vote(reading.score, track.status, self.thresholds)
            new_track, confidence = step(track, voted, reading.confidence, self.confirm_frames)
            self._tracks[slot_id] = new_track
            if confidence is not None:
                changes.append(Change(slot_id, voted, round(confidence, 4), observed_at))
        return changes

    def forget(self, observed_at: datetime) -> list[Change]:
        """Turn every known slot `unknown` (the camera went blind); returns those changes."""
        changes = [
            Change(slot_id, DetectedStatus.UNKNOWN, 1.0, observed_at)
            for slot_id, track in self._tracks.items()
            if track.status is not DetectedStatus.UNKNOWN
        ]
        self._tracks = {slot_id: Track() for slot_id in self._tracks}
        return changes
