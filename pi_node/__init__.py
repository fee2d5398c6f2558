"""Raspberry Pi camera node: camera -> detector -> slot occupancy -> debounced MQTT events."""

from importlib import metadata

try:
    __version__ = metadata.version("parking-platform")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
