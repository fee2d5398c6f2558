"""Frame sources, chosen by `camera.source`, and the retrying camera the node loop reads."""

from pi_node.camera.base import CameraError, FrameSource
from pi_node.camera.registry import open_source
from pi_node.camera.retry import RetryingCamera

__all__ = ["CameraError", "FrameSource", "RetryingCamera", "open_source"]
