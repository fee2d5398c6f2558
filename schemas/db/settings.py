"""Where the database is: the one setting every database client shares."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Local development only (the `make demo` stack); deployments always set DATABASE_URL.
DEV_DATABASE_URL = "postgresql+psycopg://parking:parking-dev-only@127.0.0.1:5433/parking"


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    database_url: str = Field(
        default=DEV_DATABASE_URL,
        pattern=r"^postgresql\+psycopg://",
        description="SQLAlchemy URL of the PostgreSQL database (postgresql+psycopg://...).",
    )
