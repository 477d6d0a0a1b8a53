from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts and training")

    def import_models(self) -> None:
        super().import_models()
        # The report exports' model lives with the reports (cohorts/reports/), app label "cohorts".
        from cohorts.reports import models  # noqa: F401

    def ready(self) -> None:
        # Access rules, the calendar sources of training sessions, the attendance grant check
        # and the attendance section of the data-subject export (incubator.privacy.registry).
        # The notices register the reminder of sessions tomorrow (incubator.notifications).
        from cohorts import access, gdpr, grant_checks, ical, notices  # noqa: F401
        from cohorts.reports import access as report_access  # noqa: F401
        from cohorts.workspace import home  # noqa: F401  (tasks on the home page)
