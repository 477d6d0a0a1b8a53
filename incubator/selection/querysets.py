"""Single-model read verbs of calls and applications (``Call.objects.open()``)."""

import datetime as dt

from django.db import models
from django.utils import timezone


class CallQuerySet(models.QuerySet):
    def open(self, at: dt.datetime | None = None) -> "CallQuerySet":
        at = at or timezone.now()
        return self.filter(opens_at__lte=at, closes_at__gt=at)

    def closed(self, at: dt.datetime | None = None) -> "CallQuerySet":
        return self.filter(closes_at__lte=at or timezone.now())


class ApplicationQuerySet(models.QuerySet):
    def in_state(self, *states: str) -> "ApplicationQuerySet":
        return self.filter(state__in=states)
