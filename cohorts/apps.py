from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts and training")

    def ready(self) -> None:
        # Registers the access rules and the calendar sources of training sessions.
        from cohorts import access, ical  # noqa: F401
        from cohorts import access_reports  # noqa: F401
        from cohorts import grant_checks  # noqa: F401
