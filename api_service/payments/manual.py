"""The built-in `manual` provider: the driver pays at the lot's pay desk, staff confirm.

Staff confirm with `POST /admin/payments/{id}/confirm`; a pay-desk till (or any system of
the operator's) may instead send our own webhook format, signed with the `manual` secret
of API_PAYMENT_WEBHOOK_SECRETS (README, "Payments"):

    {"event_id": "till-7-000123", "type": "payment.succeeded", "payment_ref": "manual-..."}

`type` is `payment.succeeded`, `payment.failed` or `payment.refunded`; `event_id` is the
sender's own id for the event, unique per event (a repeat is recognised and not applied
again); `occurred_at` (RFC 3339) may say when it happened.
"""

import secrets
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api_service.payments.provider import (
    EventError,
    NextAction,
    ProviderEvent,
    Started,
    StartRequest,
)
from schemas.messages import UtcDatetime
from schemas.payments import PaymentState

NAME: Final = "manual"
EVENT_STATES: Final = {
    "payment.succeeded": PaymentState.SUCCEEDED,
    "payment.failed": PaymentState.FAILED,
    "payment.refunded": PaymentState.REFUNDED,
}
Reference = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")]


class ManualEvent(BaseModel):
    """The `manual` provider's webhook body."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    event_id: Reference
    type: Literal["payment.succeeded", "payment.failed", "payment.refunded"]
    payment_ref: Reference
    occurred_at: UtcDatetime | None = None


class ManualProvider:
    """Payments settled at the pay desk; references are random, so not guessable."""

    name = NAME

    def start(self, request: StartRequest) -> Started:
        reference = f"{NAME}-{secrets.token_hex(8)}"
        amount = request.amount
        instructions = (
            f"Pay {amount.amount_minor} {amount.currency} (minor units) at the pay desk of"
            f" {request.lot_code}, quoting {reference}."
        )
        return Started(reference, NextAction("pay_at_desk", instructions))

    def parse_event(self, body: bytes) -> ProviderEvent:
        try:
            event = ManualEvent.model_validate_json(body)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or 'body'}: {error['msg']}"
                for error in exc.errors(include_url=False)
            )
            raise EventError(problems) from exc
        return ProviderEvent(
            event.event_id,
            event.payment_ref,
            event.type,
            EVENT_STATES[event.type],
            event.model_dump(mode="json", exclude_none=True),
        )
