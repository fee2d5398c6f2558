"""The frame-source interface."""

from typing import Protocol

from pi_node.detect.base import Frame


class CameraError(Exception):
    """A source that cannot deliver a frame now: unplugged, stream dropped, unreadable file."""


class FrameSource(Protocol):
    """Where frames come from; `read` blocks for at most one frame interval or so."""

    def read(self) -> Frame:
        """The next BGR frame, or raise `CameraError`."""
        ...

    def close(self) -> None:
        """Release the device; safe to call twice."""
        ...
