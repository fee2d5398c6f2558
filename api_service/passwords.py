"""Password hashing with argon2id (argon2-cffi), parameters from the settings."""

from functools import cache
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api_service.settings import ApiSettings

_DECOY_PASSWORD: Final = "not-a-real-password-0"  # noqa: S105 - timing decoy only


@cache
def decoy_hash(time_cost: int, memory_kib: int) -> str:
    """A hash nobody's password matches, made once per process and parameter set."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib).hash(_DECOY_PASSWORD)


class Passwords:
    """Hash and verify; unknown users cost the same time as known ones."""

    def __init__(self, settings: ApiSettings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
        )
        # Same parameters as real hashes, so verifying against it takes as long.
        self.decoy = decoy_hash(settings.argon2_time_cost, settings.argon2_memory_kib)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether `password` matches `stored`.

        None (no such account, or one that may not log in) and a stored value that is no
        argon2 hash are verified against the decoy instead, and never match: the answer
        takes as long as for a real account, so timing does not reveal which e-mails exist.
        """
        if stored is not None:
            try:
                return self._hasher.verify(stored, password)
            except VerificationError:
                return False
            except InvalidHashError:
                pass  # argon2 refuses it without hashing: spend the time on the decoy
        self.verify_decoy(password)
        return False

    def verify_decoy(self, password: str) -> None:
        """Spend one verification on the decoy hash (the result is always a mismatch)."""
        try:
            self._hasher.verify(self.decoy, password)
        except VerificationError:
            return

    def needs_rehash(self, stored: str) -> bool:
        """Whether `stored` was made with other parameters than the current ones."""
        return self._hasher.check_needs_rehash(stored)
