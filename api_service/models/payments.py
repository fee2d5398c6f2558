"""Payments: a driver pays an ended session's fee; providers report outcomes; staff list them."""

from datetime import date
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, ConfigDict, Field, JsonValue

from api_service.errors import FieldError
from api_service.models.common import Body, Cursor, Limit, Out, Query
from api_service.payments.registry import NAMES
from schemas.ids import Identifier
from schemas.messages import UtcDatetime
from schemas.payments import PaymentState

IDEMPOTENCY_HEADER: Final = "Idempotency-Key"
# Printable ASCII without spaces, as a header value survives proxies unchanged.
IDEMPOTENCY_KEY: Final = r"^[\x21-\x7e]{1,200}$"
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code.")]
MinorUnits = Annotated[int, Field(gt=0, description="Amount in the currency's minor unit.")]


_PROVIDERS: Final[list[JsonValue]] = [*sorted(NAMES)]


def _registered(name: str) -> str:
    if name not in NAMES:
        raise ValueError(f"one of {', '.join(sorted(NAMES))}")
    return name


class PaymentBody(Body):
    """How to pay; send it with an `Idempotency-Key` header (see the route)."""

    provider: Annotated[str, AfterValidator(_registered)] = Field(
        default="manual",
        json_schema_extra={"enum": _PROVIDERS},
        description="Payment provider: `manual` is paid at the lot's pay desk.",
    )


class NextActionView(Out):
    kind: Literal["pay_at_desk", "redirect"] = Field(
        description="`pay_at_desk`: show the instructions; `redirect`: open `url`."
    )
    instructions: str
    url: str | None = None


class PaymentView(Out):
    id: int
    session_id: int
    lot_id: Identifier
    provider: str
    provider_ref: str | None = Field(description="The provider's reference for this payment.")
    amount_minor: MinorUnits
    currency: Currency
    state: PaymentState
    created_at: UtcDatetime
    updated_at: UtcDatetime
    succeeded_at: UtcDatetime | None
    refunded_at: UtcDatetime | None
    next_action: NextActionView | None = Field(
        description="What to do to pay, while the payment is pending."
    )


class PaymentList(Out):
    items: list[PaymentView] = Field(description="Newest first.")


class AdminPaymentView(PaymentView):
    user_id: int


class AdminPaymentPage(Out):
    items: list[AdminPaymentView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for older payments.")


class _Selection(Query):
    lot_id: Identifier | None = Field(default=None, description="Lot code; default all yours.")
    from_: UtcDatetime | None = Field(
        default=None, alias="from", description="Created at or after this instant."
    )
    to: UtcDatetime | None = Field(default=None, description="Created before this instant.")
    state: PaymentState | None = None

    def problems(self) -> list[FieldError]:
        if self.from_ is not None and self.to is not None and self.to <= self.from_:
            return [FieldError("to", "must be after from")]
        return []


class PaymentQuery(_Selection):
    cursor: Cursor | None = None
    limit: Limit = 50


class ExportQuery(_Selection):
    """The same selection as the listing, every row."""


class WebhookResult(Out):
    result: Literal["applied", "unchanged", "duplicate"] = Field(
        description="`applied`: the payment changed; `unchanged`: it already was in that "
        "state; `duplicate`: this event id was received before and is not applied again."
    )
    payment_id: int
    state: PaymentState


class RevenueQuery(Query):
    lot_id: Identifier = Field(description="Lot code.")
    from_: UtcDatetime = Field(alias="from", description="Start of the window.")
    to: UtcDatetime = Field(description="End of the window (exclusive).")

    def problems(self) -> list[FieldError]:
        if self.to <= self.from_:
            return [FieldError("to", "must be after from")]
        if (self.to - self.from_).days > MAX_REVENUE_DAYS:
            return [FieldError("to", f"at most {MAX_REVENUE_DAYS} days after from")]
        return []


MAX_REVENUE_DAYS: Final = 1000


class RevenueDay(Out):
    day: date = Field(description="Local day in the lot's time zone.")
    currency: Currency
    succeeded_minor: int = Field(ge=0, description="Payments that succeeded that day.")
    refunded_minor: int = Field(ge=0, description="Payments refunded that day.")
    net_minor: int = Field(description="succeeded_minor - refunded_minor.")


class RevenueStats(Out):
    model_config = ConfigDict(frozen=True, serialize_by_alias=True)

    lot_id: Identifier
    timezone: str
    from_: UtcDatetime = Field(serialization_alias="from")
    to: UtcDatetime
    days: list[RevenueDay] = Field(description="Days with money in or out, by day and currency.")
