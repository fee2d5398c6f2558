"""Payment rules, free of I/O: the state machine and money as integer minor units.

A payment starts `pending`; the provider (or, for the `manual` provider, a member of staff)
settles it `succeeded` or `failed`, and only a succeeded payment can be `refunded`. Failed
and refunded are final. Asking for the state a payment is already in changes nothing (a
provider may report one outcome twice under two event ids); every other change is refused
with the reason.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import pycountry


class PaymentState(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"


ALLOWED: Final[dict[PaymentState, frozenset[PaymentState]]] = {
    PaymentState.PENDING: frozenset({PaymentState.SUCCEEDED, PaymentState.FAILED}),
    PaymentState.SUCCEEDED: frozenset({PaymentState.REFUNDED}),
    PaymentState.FAILED: frozenset(),
    PaymentState.REFUNDED: frozenset(),
}
# States that hold a session's payment: a session has at most one payment in them.
OPEN_OR_PAID: Final = frozenset({PaymentState.PENDING, PaymentState.SUCCEEDED})


class TransitionRefusedError(ValueError):
    """A state change the payment's current state does not allow; says why."""

    def __init__(self, current: PaymentState, wanted: PaymentState, reason: str) -> None:
        super().__init__(f"cannot change a {current} payment to {wanted}: {reason}")
        self.current = current
        self.wanted = wanted


def _reason(current: PaymentState, wanted: PaymentState) -> str:
    if current in {PaymentState.FAILED, PaymentState.REFUNDED}:
        return f"a {current} payment is final"
    if current is PaymentState.SUCCEEDED:
        return "a succeeded payment can only be refunded"
    return "only a succeeded payment can be refunded"  # pending -> refunded


def transition(current: PaymentState, wanted: PaymentState) -> bool:
    """Whether moving to `wanted` changes the payment: True to apply it, False for the state
    it is already in; raises `TransitionRefusedError` for a change the rules forbid."""
    if wanted is current:
        return False
    if wanted not in ALLOWED[current]:
        raise TransitionRefusedError(current, wanted, _reason(current, wanted))
    return True


def currency_problem(code: str) -> str | None:
    """Why `code` is not an ISO 4217 currency code, or None if it is one."""
    if len(code) != 3 or not code.isascii() or not code.isupper() or not code.isalpha():
        return "must be three upper-case letters (ISO 4217)"
    if pycountry.currencies.get(alpha_3=code) is None:
        return f"{code} is not an ISO 4217 currency"
    return None


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in the currency's minor unit (cents for EUR), never a float."""

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        # bool is an int subclass: True must not read as one cent.
        if type(self.amount_minor) is not int or self.amount_minor <= 0:
            raise ValueError(f"amount_minor must be a positive integer, not {self.amount_minor!r}")
        problem = currency_problem(self.currency)
        if problem is not None:
            raise ValueError(f"currency {problem}")
