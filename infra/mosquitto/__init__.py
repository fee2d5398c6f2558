"""Mosquitto's dynamic-security configuration for the Compose and local stacks."""
