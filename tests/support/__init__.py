"""Test support: throwaway PostgreSQL and Mosquitto servers started from local binaries."""
