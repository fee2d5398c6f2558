"""What a payment provider does for us, whichever it is: start a payment, read its events.

The payment service never talks to a provider's API or parses its webhooks itself; a
provider is looked up by name (`registry.py`) and answers with these types. Webhook
signatures are checked before a body reaches `parse_event` (`schemas.signing`, one scheme
for every provider, with a secret per provider).
"""

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from schemas.payments import Money, PaymentState


@dataclass(frozen=True, slots=True)
class StartRequest:
    """A payment to start: our payment's identity, what it pays and who pays it."""

    idempotency_key: str
    session_id: int
    lot_code: str
    amount: Money


@dataclass(frozen=True, slots=True)
class NextAction:
    """What the driver does to pay: go to a pay desk, or open the provider's page."""

    kind: Literal["pay_at_desk", "redirect"]
    instructions: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Started:
    """The provider's reference for the payment and what the driver's app does next."""

    provider_ref: str
    next_action: NextAction


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """One verified webhook event: the payment it is about and the state it reports."""

    event_id: str
    provider_ref: str
    type: str
    state: PaymentState
    payload: dict[str, Any]


class EventError(ValueError):
    """A verified webhook body that is not an event this provider sends; says what is wrong."""


class Provider(Protocol):
    """A payment provider, registered under `name`."""

    name: str

    def start(self, request: StartRequest) -> Started:
        """Create the payment at the provider."""
        ...

    def parse_event(self, body: bytes) -> ProviderEvent:
        """The event in a webhook body whose signature was verified; `EventError` otherwise."""
        ...
