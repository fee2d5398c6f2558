"""The login decoy: unknown accounts and unusable hashes cost one argon2 verification too."""

import pytest

from api_service.passwords import Passwords
from api_service.settings import ApiSettings

PASSWORD = "a-real-password-42"


@pytest.fixture
def passwords() -> Passwords:
    return Passwords(ApiSettings(dev_mode=True, argon2_time_cost=1, argon2_memory_kib=1024))


@pytest.mark.parametrize("stored", [None, "", "x", "$2b$12$not-an-argon2-hash"])
def test_no_usable_hash_is_verified_against_the_decoy(
    passwords: Passwords, verified: list[str], stored: str | None
) -> None:
    assert passwords.verify(stored, PASSWORD) is False
    assert verified[-1] == passwords.decoy
    assert verified.count(passwords.decoy) == 1


def test_a_real_hash_is_verified_without_the_decoy(
    passwords: Passwords, verified: list[str]
) -> None:
    stored = passwords.hash(PASSWORD)
    assert passwords.verify(stored, PASSWORD) is True
    assert passwords.verify(stored, "wrong-password-1") is False
    assert verified == [stored, stored]


def test_the_decoy_is_made_once_with_the_same_parameters(passwords: Passwords) -> None:
    again = Passwords(ApiSettings(dev_mode=True, argon2_time_cost=1, argon2_memory_kib=1024))
    assert again.decoy is passwords.decoy
    assert not passwords.needs_rehash(passwords.decoy)
    other = Passwords(ApiSettings(dev_mode=True, argon2_time_cost=2, argon2_memory_kib=1024))
    assert other.decoy != passwords.decoy
    assert not other.needs_rehash(other.decoy)
