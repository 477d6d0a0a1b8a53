"""A cohort with a session happening now (check-in open) for the workspace tests."""

import datetime as dt

from django.utils import timezone

from cohorts import services
from cohorts.models import TrainingSession


def now_minute() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0)


def session_now(cw, *, trainers=None, topic: str = "Lezione in corso") -> TrainingSession:
    start = now_minute() - dt.timedelta(minutes=30)
    return services.session_create(
        actor=cw.coordinator,
        cohort=cw.cohort,
        module=cw.module,
        topic=topic,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=120),
        place="Napoli, via Toledo 1",
        trainers=[cw.trainer] if trainers is None else trainers,
    )
