"""Token subjects: only a user id in users.id's range names an account."""

import pytest

from api_service.access import subject_id


@pytest.mark.parametrize(
    ("subject", "user_id"),
    [
        ("1", 1),
        ("42", 42),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("abc", None),
        ("1.5", None),
        ("", None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1 ", None),
        ("1\n", None),
        ("1_000", None),
        ("\u0661", None),  # an Arabic-Indic digit: int() would take it
        ("01", None),
        (1, None),
        (None, None),
    ],
)
def test_subject_id(subject: object, user_id: int | None) -> None:
    assert subject_id(subject) == user_id
