"""Who may see a report export: only the user who asked for it (a participant-level file
is not for every coordinator of the programme to pick up). Registered from
``CohortsConfig.ready``."""

from django.db.models import Q

from cohorts.models_reports import ReportExport
from incubator import access


@access.rule(ReportExport)
def _report_export(user) -> Q:
    return Q(requested_by=user)
