"""Contract violations: a topic or a payload that does not follow the shared contracts.

The exceptions keep their parts as attributes (and as `args`, so they pickle and cross
process boundaries intact); the ingest worker stores `code` and `detail` with dead letters.
"""

from typing import Final, Literal, TypeAlias

PayloadErrorCode: TypeAlias = Literal["oversize", "malformed_json", "schema_violation"]

# Messages end up in logs and dead-letter reasons; a 64 KiB topic should not.
_MAX_SHOWN_CHARS: Final = 200


def _quoted(text: str) -> str:
    if len(text) <= _MAX_SHOWN_CHARS:
        return repr(text)
    return f"{text[:_MAX_SHOWN_CHARS]!r}... ({len(text)} characters)"


class ContractError(Exception):
    """Base class of every contract violation."""


class TopicError(ContractError):
    """A topic string that is not one of the platform's topics."""

    def __init__(self, topic: str, reason: str) -> None:
        super().__init__(topic, reason)
        self.topic = topic
        self.reason = reason

    def __str__(self) -> str:
        return f"invalid topic {_quoted(self.topic)}: {self.reason}"


class PayloadError(ContractError):
    """A payload that is too large, is not JSON, or does not match its schema."""

    def __init__(self, code: PayloadErrorCode, detail: str) -> None:
        super().__init__(code, detail)
        self.code: PayloadErrorCode = code
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"
