"""New passwords are checked by zxcvbn: common, leaked-style and personal ones are refused."""

import pytest
from pydantic import ValidationError

from api_service.models.admin_users import StaffCreate
from api_service.models.auth import Registration
from api_service.password_strength import personal_words, weakness


@pytest.mark.parametrize(
    "password",
    ["Password123!", "P@ssw0rd2024", "qwerty123456", "iloveyou12345", "1234567890123"],
)
def test_common_passwords_are_weak(password: str) -> None:
    reason = weakness(password)
    assert reason is not None
    assert reason.startswith("too easy to guess: ")
    assert "common" in reason  # zxcvbn's own feedback, not a rule of ours


@pytest.mark.parametrize(
    "password", ["correct-horse-42", "harbour-pass-42", "Tr0ub4dor&3-x", "a strong zebra lamp"]
)
def test_uncommon_passwords_pass(password: str) -> None:
    assert weakness(password) is None


def test_the_site_and_the_address_count_as_guessable_words() -> None:
    assert weakness("parking-2026") is not None
    assert weakness("zelda-2026") is None
    assert weakness("zelda-2026", personal_words("zelda@example.com")) is not None


def test_personal_words() -> None:
    assert personal_words("ann.lee@mail.city.example") == [
        "ann.lee@mail.city.example",
        "ann.lee",
        "mail",
        "city",
    ]


@pytest.mark.parametrize("model", [Registration, StaffCreate])
def test_registration_and_staff_accounts_refuse_weak_passwords(
    model: type[Registration],
) -> None:
    body = {"email": "ann@example.com", "password": "Password123!", "role": "admin"}
    if model is Registration:
        del body["role"]
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    (error,) = refused.value.errors()
    assert error["loc"] == ("password",)
    assert "commonly used password" in error["msg"]
