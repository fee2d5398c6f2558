"""Password hashing with argon2id (argon2-cffi), parameters from the settings."""

from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api_service.settings import ApiSettings

_DUMMY_PASSWORD: Final = "not-a-real-password-0"  # noqa: S105 - timing decoy only


class Passwords:
    """Hash and verify; unknown users cost the same time as known ones."""

    def __init__(self, settings: ApiSettings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
        )
        # Verified against when the e-mail is unknown, so timing does not reveal accounts.
        self._dummy = self._hasher.hash(_DUMMY_PASSWORD)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether `password` matches `stored` (None: no such user, always False)."""
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        """Whether `stored` was made with other parameters than the current ones."""
        return self._hasher.check_needs_rehash(stored)
