from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring")

    def ready(self) -> None:
        # Registers the access rules and the calendar sources.
        # ... and the tutoring sections of the data-subject export (incubator.privacy.registry).
        # ... and the reminder of action items due (incubator.notifications).
        from mentoring import access, gdpr, home, ical, notices  # noqa: F401
