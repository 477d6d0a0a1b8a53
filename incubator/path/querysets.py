"""Single-model read verbs of the path's enrolments."""

import datetime as dt

from django.db import models


class EnrolmentQuerySet(models.QuerySet):
    def active_on(self, day: dt.date) -> "EnrolmentQuerySet":
        """Enrolments running on ``day``: started, not ended, not exited, not suspended."""
        return self.filter(starts_on__lte=day, ends_on__gte=day, status="active").exclude(exited_on__lt=day)
