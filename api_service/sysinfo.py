"""Mosquitto's `$SYS/broker/...` values turned into the `/admin/broker` figures (pure)."""

from typing import Final

from api_service.models.admin_nodes import BrokerView

VERSION: Final = "$SYS/broker/version"
UPTIME: Final = "$SYS/broker/uptime"
CONNECTED: Final = "$SYS/broker/clients/connected"
RECEIVED_1MIN: Final = "$SYS/broker/load/messages/received/1min"
SENT_1MIN: Final = "$SYS/broker/load/messages/sent/1min"
RETAINED: Final = "$SYS/broker/retained messages/count"
STORED: Final = "$SYS/broker/store/messages/count"
WANTED: Final = frozenset({VERSION, UPTIME, CONNECTED, RECEIVED_1MIN, SENT_1MIN, RETAINED, STORED})


def _number(raw: str | None) -> float | None:
    """The leading number of a $SYS value ("12 seconds" -> 12.0), or None."""
    if raw is None:
        return None
    try:
        return float(raw.split()[0])
    except (ValueError, IndexError):
        return None


def _integer(raw: str | None) -> int | None:
    value = _number(raw)
    return None if value is None else int(value)


def _per_second(raw: str | None) -> float | None:
    # Mosquitto's load figures are per-minute moving averages.
    value = _number(raw)
    return None if value is None else round(value / 60, 3)


def broker_view(values: dict[str, str]) -> BrokerView:
    """The figures from whatever $SYS values arrived; missing ones are null."""
    return BrokerView(
        version=values.get(VERSION),
        uptime_s=_integer(values.get(UPTIME)),
        clients_connected=_integer(values.get(CONNECTED)),
        messages_in_per_s=_per_second(values.get(RECEIVED_1MIN)),
        messages_out_per_s=_per_second(values.get(SENT_1MIN)),
        retained=_integer(values.get(RETAINED)),
        stored=_integer(values.get(STORED)),
    )
