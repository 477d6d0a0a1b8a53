"""Who sees a background import: the person who asked for it (and administrators, as
everywhere). Imported from ``IncubatorConfig.ready``."""

from django.db.models import Q

from incubator.access import rule
from incubator.imports.models import ImportJob


@rule(ImportJob)
def _import_job(user) -> Q:
    return Q(requested_by=user)
