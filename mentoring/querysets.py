"""Single-model read verbs of mentoring, exposed through the managers."""

import datetime as dt

from django.db import models
from django.utils import timezone

# Enrolments whose tutors are still at work (suspended paths keep their tutors).
LIVE_ENROLMENT_STATUSES = ("active", "suspended")


class AssignmentQuerySet(models.QuerySet):
    def overlapping(self, starts_on: dt.date, ends_on: dt.date) -> "AssignmentQuerySet":
        """Assignments sharing at least one day with [starts_on, ends_on] (both inclusive)."""
        return self.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)

    def live(self) -> "AssignmentQuerySet":
        """On an enrolment that is still running (not completed or withdrawn)."""
        return self.filter(enrolment__status__in=LIVE_ENROLMENT_STATUSES)

    def active_on(self, day: dt.date) -> "AssignmentQuerySet":
        return self.live().overlapping(day, day)


class TutoringSessionQuerySet(models.QuerySet):
    def overlapping(self, starts_at: dt.datetime, ends_at: dt.datetime) -> "TutoringSessionQuerySet":
        """Sessions sharing some time with [starts_at, ends_at); touching ends do not overlap."""
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def held(self, at: dt.datetime | None = None) -> "TutoringSessionQuerySet":
        """Sessions that took place: ended by ``at`` (now). The one rule of every figure
        that values tutoring (timesheets, cohort reports, the API), as for training
        sessions (``TrainingSessionQuerySet.held``): a booked session counts once held."""
        return self.filter(ends_at__lte=at or timezone.now())

    def in_month(self, year: int, month: int) -> "TutoringSessionQuerySet":
        """Sessions starting in the month, in the programme's time zone."""
        start = timezone.make_aware(dt.datetime(year, month, 1))
        following = timezone.make_aware(dt.datetime(year + month // 12, month % 12 + 1, 1))
        return self.filter(starts_at__gte=start, starts_at__lt=following)


class ActionItemQuerySet(models.QuerySet):
    def open(self) -> "ActionItemQuerySet":
        return self.filter(done_at__isnull=True)

    def overdue(self, day: dt.date | None = None) -> "ActionItemQuerySet":
        return self.open().filter(due_on__lt=day or timezone.localdate())
