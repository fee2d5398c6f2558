"""Payment providers by name. A new provider is a module with a `Provider` and a line here."""

from typing import Final

from api_service.payments.manual import ManualProvider
from api_service.payments.provider import Provider

PROVIDERS: Final[dict[str, Provider]] = {ManualProvider.name: ManualProvider()}
NAMES: Final = frozenset(PROVIDERS)


def provider(name: str) -> Provider | None:
    """The provider registered as `name`, or None."""
    return PROVIDERS.get(name)
