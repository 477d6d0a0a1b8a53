"""Single-model read verbs of the cohorts app, exposed through the managers."""

import datetime as dt

from django.db import models
from django.utils import timezone


class CohortQuerySet(models.QuerySet):
    def running_on(self, day: dt.date) -> "CohortQuerySet":
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class TrainingSessionQuerySet(models.QuerySet):
    def not_cancelled(self) -> "TrainingSessionQuerySet":
        return self.filter(cancelled_at__isnull=True)

    def held(self, at: dt.datetime | None = None) -> "TrainingSessionQuerySet":
        """Sessions that took place: not cancelled and already ended at ``at``."""
        return self.not_cancelled().filter(ends_at__lte=at or timezone.now())

    def upcoming(self, at: dt.datetime | None = None) -> "TrainingSessionQuerySet":
        return self.not_cancelled().filter(starts_at__gt=at or timezone.now())

    def between(self, start: dt.datetime, end: dt.datetime) -> "TrainingSessionQuerySet":
        """Sessions overlapping ``[start, end)`` (a calendar window)."""
        return self.filter(ends_at__gt=start, starts_at__lt=end)

    def run_by(self, user) -> "TrainingSessionQuerySet":
        return self.filter(pk__in=self.model.trainers.through.objects.filter(user=user).values("trainingsession_id"))

    def counting(self) -> "TrainingSessionQuerySet":
        """Sessions whose minutes count toward completion (training, not outreach)."""
        return self.filter(kind=self.model.Kind.TRAINING)


class AttendanceQuerySet(models.QuerySet):
    def of_person(self, person) -> "AttendanceQuerySet":
        return self.filter(person=person)
