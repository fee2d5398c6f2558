"""Registration, login and token documents."""

import re
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from api_service.models.common import Body, Out
from api_service.password_strength import personal_words, weakness
from schemas.enums import Role
from schemas.messages import UtcDatetime

PASSWORD_MIN: Final = 10
PASSWORD_MAX: Final = 128
# ASCII atext local part, dotted DNS-style domain: nothing that logs or SQL text would mangle.
_EMAIL_RE: Final = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$"
)


def normalise_email(value: str) -> str:
    """Trim and lower-case an address; refuse anything that is not `local@domain.tld`."""
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL_RE.fullmatch(email):
        raise ValueError("not a valid e-mail address")
    return email


def _password_policy(value: str) -> str:
    if not any(c.isalpha() for c in value) or all(c.isalpha() for c in value):
        raise ValueError("password needs at least one letter and one digit or symbol")
    if value.strip() != value:
        raise ValueError("password must not start or end with whitespace")
    return value


Email = Annotated[str, Field(max_length=320), AfterValidator(normalise_email)]


class Credentials(Body):
    email: Email = Field(description="E-mail address (case-insensitive).")
    password: str = Field(min_length=1, max_length=PASSWORD_MAX)


class Registration(Body):
    email: Email = Field(description="E-mail address; stored lower-case.")
    password: Annotated[
        str,
        Field(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX),
        AfterValidator(_password_policy),
    ] = Field(
        description=f"{PASSWORD_MIN}-{PASSWORD_MAX} characters, a letter and a non-letter, and"
        " hard to guess (zxcvbn score 3 of 4: no common or leaked password, name or pattern)."
    )

    @field_validator("password")
    @classmethod
    def _not_the_email(cls, value: str, info: ValidationInfo) -> str:
        name = str(info.data.get("email", "")).split("@")[0]
        if len(name) >= 4 and name in value.lower():
            raise ValueError("password must not contain the e-mail address")
        return value

    @field_validator("password")
    @classmethod
    def _hard_to_guess(cls, value: str, info: ValidationInfo) -> str:
        email = info.data.get("email")
        reason = weakness(value, personal_words(email) if isinstance(email, str) else [])
        if reason is not None:
            raise ValueError(reason)
        return value


class TokenPair(Out):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme name
    expires_in: int = Field(description="Access token lifetime in seconds.")


class AccessToken(Out):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the scheme name
    expires_in: int = Field(description="Access token lifetime in seconds.")


class UserView(Out):
    id: int
    email: str
    role: Role
    operator: str | None = Field(description="Operator code for operator staff.")
    created_at: UtcDatetime
