"""What a service refuses, in the domain's words; HTTP never appears here.

Services raise these; `api_service.errors` maps each one to its problem+json document at
the HTTP boundary, and parkctl reports them as command errors.
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid input: where (`field`, dotted) and why."""

    field: str
    message: str


class DomainError(Exception):
    """A request the domain refuses; `detail` says what went wrong this time."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(DomainError):
    """`what` does not exist (or is not visible to the caller)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} does not exist")


class ForbiddenError(DomainError):
    """The caller may not act on this."""


class ConflictError(DomainError):
    """The current state refuses the change; `slug` names which rule."""

    def __init__(self, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.slug = slug


class InvalidError(DomainError):
    """Bad input, naming each bad field. `kind` tells what was invalid (a request, a
    layout, a slot map); `detail` defaults to every field error in one line."""

    def __init__(
        self, errors: list[FieldError], kind: str = "validation-error", detail: str | None = None
    ) -> None:
        named = "; ".join(f"{error.field}: {error.message}" for error in errors)
        super().__init__(named if detail is None else detail)
        self.errors = errors
        self.kind = kind


class UnavailableError(DomainError):
    """A system the service needs (the broker) did not answer or refused."""

    def __init__(self, slug: str, detail: str) -> None:
        super().__init__(detail)
        self.slug = slug
