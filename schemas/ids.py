"""Identifier syntax shared by payloads, topics and the database.

Node, lot and slot ids appear as MQTT topic segments, so they must never contain
`/`, `+`, `#` or whitespace; a conservative ASCII alphabet also keeps them safe in
URLs, file names and log lines.
"""

import re
from typing import Annotated, Final

from pydantic import StringConstraints

ID_MAX_LENGTH: Final = 64
ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_ID_RE: Final = re.compile(ID_PATTERN)

Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)]
"""A node, lot or slot id: 1-64 characters of `A-Z a-z 0-9 . _ -`, starting alphanumeric."""


def is_identifier(value: str) -> bool:
    """Whether `value` is a well-formed node, lot or slot id."""
    return _ID_RE.fullmatch(value) is not None
