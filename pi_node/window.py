"""Bounded in-flight accounting for one MQTT connection (pure, no I/O).

paho-mqtt keys unacknowledged QoS 1 publishes by their 16-bit message id, so more than
65,535 outstanding publishes would silently overwrite each other. The window never lets
more than `size` events be outstanding, and remembers which outbox row each id carries so
a PUBACK can remove exactly that row.
"""

from dataclasses import dataclass, field

MAX_MESSAGE_ID = 65535


@dataclass(slots=True)
class Window:
    """Events published on this connection and not yet acknowledged."""

    size: int
    cursor: int = 0  # the last outbox row handed to the client
    _rows: dict[int, int] = field(default_factory=dict)  # message id -> outbox row

    def __post_init__(self) -> None:
        if not 1 <= self.size < MAX_MESSAGE_ID:
            raise ValueError(f"window size must be 1..{MAX_MESSAGE_ID - 1}, got {self.size}")

    @property
    def outstanding(self) -> int:
        """Events awaiting their PUBACK."""
        return len(self._rows)

    def room(self) -> int:
        """How many more events may be published now."""
        return self.size - len(self._rows)

    def sent(self, message_id: int, row_id: int) -> None:
        """Record a publish; refuses to exceed the window or reuse an outstanding id."""
        if self.room() <= 0:
            raise RuntimeError(f"window of {self.size} is full")
        if message_id in self._rows:
            raise RuntimeError(f"message id {message_id} is still outstanding")
        self._rows[message_id] = row_id
        self.cursor = max(self.cursor, row_id)

    def acked(self, message_id: int) -> int | None:
        """The outbox row a PUBACK settles, or None for a message not ours (e.g. the birth)."""
        return self._rows.pop(message_id, None)
