"""Settings read from the environment, refusing unknown variables of their own prefix.

pydantic-settings silently ignores a prefixed variable that names no field, so a typo such as
`INGEST_BATCH_SIZ=5` would leave the default in force without a word. Every service's settings
derive from `PrefixedSettings`, which names such variables and stops the service instead.
`DatabaseUrl` and `MqttUrl` are the one type of each shared URL: secret (never echoed in a
validation error or a repr), checked the same way in every service.
"""

import difflib
import os
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, AliasChoices, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.broker_url import parse_mqtt_url

DATABASE_SCHEME = "postgresql+psycopg://"


def _database_url(value: SecretStr) -> SecretStr:
    if not value.get_secret_value().startswith(DATABASE_SCHEME):
        raise ValueError(f"must start with {DATABASE_SCHEME} (SQLAlchemy with psycopg 3)")
    return value


def _mqtt_url(value: SecretStr) -> SecretStr:
    parse_mqtt_url(value.get_secret_value())  # its errors never quote the URL
    return value


DatabaseUrl = Annotated[SecretStr, AfterValidator(_database_url)]
"""`DATABASE_URL`: postgresql+psycopg://user:password@host:port/database."""

MqttUrl = Annotated[SecretStr, AfterValidator(_mqtt_url)]
"""`MQTT_URL`: mqtt://user:password@host:1883, or mqtts:// for TLS."""


def unknown_settings(
    environ: Mapping[str, str],
    prefix: str,
    known: set[str],
    renamed: Mapping[str, str],
    *,
    shared_prefix: bool = False,
) -> list[str]:
    """The `prefix*` variables that are not `known` names, each with its new name if renamed.

    With `shared_prefix` (other software uses the prefix too: Node.js's `NODE_OPTIONS`,
    `NODE_EXTRA_CA_CERTS`, ...), only near misses of our names count, as typos.
    """
    found = []
    for key in sorted(k for k in environ if k.startswith(prefix) and k not in known):
        if key in renamed:
            found.append(f"{key} (now {renamed[key]})")
        elif near := difflib.get_close_matches(key, known, n=1, cutoff=0.85):
            found.append(f"{key} (did you mean {near[0]}?)")
        elif not shared_prefix:
            found.append(key)
    return found


class PrefixedSettings(BaseSettings):
    """Base of a service's settings: its `env_prefix` variables must all be known, and a
    refused value is never echoed (URLs and keys carry passwords)."""

    model_config = SettingsConfigDict(hide_input_in_errors=True)

    # Settings that were renamed: naming the new name beats a bare "unknown setting".
    renamed: ClassVar[Mapping[str, str]] = {}
    shared_prefix: ClassVar[bool] = False

    @model_validator(mode="before")
    @classmethod
    def _no_unknown_variables(cls, data: Any) -> Any:
        prefix = str(cls.model_config.get("env_prefix") or "")
        unknown = unknown_settings(
            os.environ, prefix, cls.variable_names(prefix), cls.renamed,
            shared_prefix=cls.shared_prefix,
        )  # fmt: skip
        if prefix and unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        return data

    @classmethod
    def variable_names(cls, prefix: str) -> set[str]:
        """The environment variables the settings read: PREFIX_FIELD, or a field's aliases
        (a field read as MQTT_URL is not read as PREFIX_MQTT_URL)."""
        names = set()
        for name, field in cls.model_fields.items():
            alias = field.validation_alias
            if alias is None:
                names.add(f"{prefix}{name}".upper())
            elif isinstance(alias, str):
                names.add(alias.upper())
            elif isinstance(alias, AliasChoices):
                names |= {choice.upper() for choice in alias.choices if isinstance(choice, str)}
        return names
