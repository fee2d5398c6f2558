"""`MQTT_URL` (mqtt://user:pass@host:1883, mqtts:// for TLS), parsed the same way everywhere.

Standard library only: the Pi node imports it too.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

_DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where and how to connect, parsed from `MQTT_URL`."""

    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None


def parse_mqtt_url(url: str) -> BrokerAddress:
    """`mqtt://user:pass@host:1883` or `mqtts://...` -> its parts, or ValueError saying why."""
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS:
        raise ValueError(f"scheme must be mqtt:// or mqtts://, got {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("no host in the URL: expected mqtt://[user:pass@]host[:port]")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise ValueError("the URL must not have a path, query or fragment")
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError as exc:
        raise ValueError(f"bad port: {exc}") from exc
    return BrokerAddress(
        host=parts.hostname,
        port=port,
        tls=parts.scheme == "mqtts",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )
