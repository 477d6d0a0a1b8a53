from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts and training")

    def ready(self) -> None:
        # Registers the access rules and the calendar sources of training sessions.
        # ... and the attendance section of the data-subject export (incubator.gdpr).
        from cohorts import access, access_reports, gdpr, grant_checks, ical  # noqa: F401
