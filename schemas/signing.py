"""Signed webhook bodies: one scheme for what we send (alerts) and what we accept (payments).

The header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>`, the scheme Stripe
and others use: the timestamp is signed with the body, so a captured request cannot be
replayed after `tolerance` (and within it the receiver refuses an event id it has seen).
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Final

HEADER: Final = "X-Parking-Signature"
DEFAULT_TOLERANCE: Final = timedelta(minutes=5)
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


class SignatureError(ValueError):
    """A signature header that is missing, malformed, wrong or outside its time window."""


def _digest(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: bytes, body: bytes, at: datetime) -> str:
    """The header value for `body` sent at `at`."""
    timestamp = int(at.timestamp())
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify(
    secret: bytes,
    body: bytes,
    header: str | None,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> datetime:
    """The signed time of a valid `header` for `body`; raises `SignatureError` otherwise."""
    if not header:
        raise SignatureError(f"missing {HEADER} header")
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise SignatureError(f"malformed {HEADER} header: expected t=...,v1=...")
        fields.setdefault(key, []).append(value)
    stamps, signatures = fields.get("t", []), fields.get("v1", [])
    # ASCII digits, at most 20: str.isdigit() takes digits int() refuses (and int() refuses
    # thousands of digits), compare_digest() refuses non-ASCII text; the header is the
    # sender's, so any of these would escape as a crash instead of a refusal.
    if (
        len(stamps) != 1
        or not (stamps[0].isascii() and stamps[0].isdigit() and len(stamps[0]) <= 20)
        or not signatures
        or not all(candidate.isascii() for candidate in signatures)
    ):
        raise SignatureError(f"malformed {HEADER} header: expected t=...,v1=...")
    timestamp = int(stamps[0])
    # In integer microseconds: a far-off `t` is stale, not a date out of datetime's range.
    skew_us = timestamp * 1_000_000 - (now - EPOCH) // _MICROSECOND
    if abs(skew_us) > tolerance // _MICROSECOND:
        raise SignatureError(
            f"signature time is outside the {int(tolerance.total_seconds())} s window"
        )
    expected = _digest(secret, timestamp, body)
    # Several v1 values let a sender sign with an old and a new secret while rotating.
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("signature does not match the body")
    return datetime.fromtimestamp(timestamp, tz=now.tzinfo)
