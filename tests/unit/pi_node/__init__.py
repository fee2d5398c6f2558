"""Unit tests of the camera node."""
