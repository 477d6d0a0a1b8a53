"""Domain errors with a stable ``code``. They are Django ValidationErrors carrying the
field they concern, so the admin shows them as form errors and the API as HTTP 400 JSON."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy


class DomainError(ValidationError):
    """A refused write. ``field`` names the input at fault (``non_field_errors`` if none)."""

    def __init__(self, message: str, *, code: str, field: str = "non_field_errors", params=None):
        self.field = field
        super().__init__({field: [ValidationError(message, code=code, params=params)]})
        self.code = code


class TransitionNotAllowed(DomainError):
    def __init__(self, message: str, *, field: str = "state"):
        super().__init__(message, code="transition_not_allowed", field=field)


class NotPermitted(Exception):
    """The actor may see the record but not do this to it (answered 403 by the API).
    A record the actor may not see at all is answered 404 before any service runs."""

    code = "not_permitted"

    def __init__(self, message: str = gettext_lazy("You may not do this.")):
        super().__init__(message)
        self.message = message
