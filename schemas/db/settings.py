"""Where the database is: the one setting every database client shares."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.env import DatabaseUrl

# Local development only (the `make demo` stack); deployments always set DATABASE_URL.
DEV_DATABASE_URL = "postgresql+psycopg://parking:parking-dev-only@127.0.0.1:5433/parking"


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: DatabaseUrl = Field(
        default=SecretStr(DEV_DATABASE_URL),
        description="SQLAlchemy URL of the PostgreSQL database (postgresql+psycopg://...).",
    )

    @property
    def url(self) -> str:
        """The URL itself, for the engine."""
        return self.database_url.get_secret_value()
