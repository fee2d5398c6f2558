"""Payment rules: the state machine and money in minor units with an ISO 4217 currency."""

import pytest

from schemas.payments import (
    Money,
    PaymentState,
    TransitionRefusedError,
    currency_problem,
    transition,
)

P, S, F, R = (
    PaymentState.PENDING,
    PaymentState.SUCCEEDED,
    PaymentState.FAILED,
    PaymentState.REFUNDED,
)


@pytest.mark.parametrize(
    ("current", "wanted", "changes"),
    [
        (P, S, True),
        (P, F, True),
        (S, R, True),
        (P, P, False),
        (S, S, False),
        (F, F, False),
        (R, R, False),
    ],
)
def test_allowed_changes_and_same_state_no_ops(
    current: PaymentState, wanted: PaymentState, changes: bool
) -> None:
    assert transition(current, wanted) is changes


@pytest.mark.parametrize(
    ("current", "wanted", "reason"),
    [
        (P, R, "only a succeeded payment can be refunded"),
        (S, F, "a succeeded payment can only be refunded"),
        (S, P, "a succeeded payment can only be refunded"),
        (F, S, "a failed payment is final"),
        (F, P, "a failed payment is final"),
        (F, R, "a failed payment is final"),
        (R, S, "a refunded payment is final"),
        (R, P, "a refunded payment is final"),
        (R, F, "a refunded payment is final"),
    ],
)
def test_other_changes_are_refused_with_the_reason(
    current: PaymentState, wanted: PaymentState, reason: str
) -> None:
    with pytest.raises(TransitionRefusedError) as refused:
        transition(current, wanted)
    assert str(refused.value) == f"cannot change a {current} payment to {wanted}: {reason}"
    assert (refused.value.current, refused.value.wanted) == (current, wanted)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("EUR", None),
        ("JPY", None),
        ("eur", "must be three upper-case letters (ISO 4217)"),
        ("EURO", "must be three upper-case letters (ISO 4217)"),
        ("E1R", "must be three upper-case letters (ISO 4217)"),
        ("ÉUR", "must be three upper-case letters (ISO 4217)"),
        ("ABC", "ABC is not an ISO 4217 currency"),
    ],
)
def test_currency_codes(code: str, problem: str | None) -> None:
    assert currency_problem(code) == problem


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        (0, "EUR", "positive integer"),
        (-5, "EUR", "positive integer"),
        (True, "EUR", "positive integer"),
        (1.5, "EUR", "positive integer"),
        (100, "ABC", "not an ISO 4217 currency"),
    ],
)
def test_money_refuses_bad_amounts_and_currencies(
    amount: object, currency: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Money(amount, currency)  # type: ignore[arg-type]


def test_money_keeps_integer_minor_units() -> None:
    assert Money(250, "EUR") == Money(250, "EUR")
