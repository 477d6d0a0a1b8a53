"""Who may see a report export: only the user who asked for it (a participant-level file
is not for every coordinator of the programme to pick up, nor for an administrator).
Registered from ``CohortsConfig.ready``; pages and API start from ``own_exports``."""

from django.db.models import Q

from cohorts.reports.models import ReportExport
from incubator import access


@access.rule(ReportExport)
def _report_export(user) -> Q:
    return Q(requested_by=user)


def own_exports(user):
    """``access.visible`` without the superuser's blanket sight: a file is its requester's."""
    return access.visible(user, ReportExport).filter(requested_by_id=getattr(user, "pk", None))
