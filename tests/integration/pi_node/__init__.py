"""Integration tests of the camera node against a real Mosquitto."""
