"""`MQTT_URL` (mqtt://user:pass@host:1883, mqtts:// for TLS), parsed the same way everywhere.

Standard library only: the Pi node imports it too.

The URL carries a password, and its errors end up in settings errors and logs, so no error
quotes any part of it: urllib's own messages do (a password with an unencoded `/`, `?` or `#`
is read as the port; a netloc refused under NFKC is quoted whole), so they are replaced by
fixed texts and never chained.
"""

from dataclasses import dataclass
from urllib.parse import SplitResult, unquote, urlsplit

_DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}
_FORM = "expected mqtt://[user:pass@]host[:port] or mqtts://"
_ENCODE = "percent-encode / ? # @ : [ ] in the user name and password"


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where and how to connect, parsed from `MQTT_URL`."""

    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None


class MqttUrlError(ValueError):
    """A malformed MQTT URL; the message never quotes the URL."""


def parse_mqtt_url(url: str) -> BrokerAddress:
    """`mqtt://user:pass@host:1883` or `mqtts://...` -> its parts, or ValueError saying why."""
    try:
        return _parse(url)
    except MqttUrlError:
        raise
    except ValueError:
        # urllib's message may quote the netloc, userinfo included.
        raise MqttUrlError(f"not a valid URL: {_FORM}; {_ENCODE}") from None


def _parse(url: str) -> BrokerAddress:
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS:
        # Not quoted: in `user:pass@host` without a scheme, the "scheme" is the user name.
        raise MqttUrlError(f"scheme must be mqtt:// or mqtts://: {_FORM}")
    if not parts.hostname:
        raise MqttUrlError(f"no host in the URL: {_FORM}")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise MqttUrlError(f"the URL must not have a path, query or fragment; {_ENCODE}")
    return BrokerAddress(
        host=parts.hostname,
        port=_port(parts),
        tls=parts.scheme == "mqtts",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def _port(parts: SplitResult) -> int:
    try:
        port = parts.port
    except ValueError:
        port = 0  # urllib quotes the text, which may be a password read as a port
    if port is None:
        return _DEFAULT_PORTS[parts.scheme]
    if not 1 <= port <= 65_535:
        raise MqttUrlError(f"bad port: a number 1-65535 is required; {_ENCODE}")
    return port
