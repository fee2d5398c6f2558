"""Request models: e-mail normalisation, password policy, query parsing."""

import pytest
from pydantic import ValidationError

from api_service.models.auth import Registration, normalise_email
from api_service.models.lots import LotSearch


@pytest.mark.parametrize(
    ("raw", "normal"),
    [(" Ann@Example.COM ", "ann@example.com"), ("a.b+c@sub.example.org", "a.b+c@sub.example.org")],
)
def test_email_is_normalised(raw: str, normal: str) -> None:
    assert normalise_email(raw) == normal


@pytest.mark.parametrize(
    "raw", ["", "ann", "ann@", "@example.com", "a b@example.com", "a@b", "a\x00@b.com"]
)
def test_bad_emails(raw: str) -> None:
    with pytest.raises(ValueError, match="e-mail"):
        normalise_email(raw)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("correct-horse-42", True),
        ("short-1", False),
        ("onlyletterslong", False),
        ("1234567890123", False),
        ("contains-annabel-1", False),
        (" leading-space-1", False),
    ],
)
def test_password_policy(password: str, ok: bool) -> None:
    body = {"email": "annabel@example.com", "password": password}
    if ok:
        assert Registration.model_validate(body).password == password
    else:
        with pytest.raises(ValidationError):
            Registration.model_validate(body)


@pytest.mark.parametrize(
    ("args", "problems"),
    [
        ({"lat": "52", "lon": "4"}, []),
        ({}, []),
        ({"lat": "52"}, ["lon"]),
        ({"lon": "4"}, ["lat"]),
    ],
)
def test_search_point_goes_together(args: dict[str, str], problems: list[str]) -> None:
    assert [p.field for p in LotSearch.model_validate(args).problems()] == problems
