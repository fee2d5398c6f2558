"""How guessable a new password is, estimated by zxcvbn (Dropbox's estimator).

zxcvbn matches against frequency lists of leaked passwords, names and words, keyboard
walks, repeats, sequences, dates and l33t substitutions, and says why in plain words; a
maintained list beats rules of our own, which reject good passphrases and pass `Password123!`.
"""

import threading
from collections.abc import Sequence
from typing import Final

from zxcvbn import zxcvbn

# zxcvbn's 0-4 scale; 3 is "safely unguessable: moderate protection from an offline
# slow-hash attack", which is what a leaked argon2 table would face.
MIN_SCORE: Final = 3
# Words everybody here would try first.
SITE_WORDS: Final = ("parking",)
# zxcvbn keeps the caller's inputs in a module-level dictionary while it matches: two
# threads at once would see each other's e-mail addresses.
_LOCK: Final = threading.Lock()


def weakness(password: str, user_inputs: Sequence[str] = ()) -> str | None:
    """Why `password` is too easy to guess (zxcvbn's feedback), or None if it is not."""
    with _LOCK:
        # The request models bound the length (zxcvbn refuses more than max_length).
        result = zxcvbn(password, [*user_inputs, *SITE_WORDS], max_length=len(password))
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    reasons = " ".join(text for text in (feedback["warning"], *feedback["suggestions"]) if text)
    return f"too easy to guess: {reasons or 'add more words or characters'}"


def personal_words(email: str) -> list[str]:
    """What an address tells an attacker: itself, its local part and the domain's labels."""
    local, _, domain = email.partition("@")
    return [email, local, *domain.split(".")[:-1]]
