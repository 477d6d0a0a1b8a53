"""Demo step 25 on the fixture data of step 20: a session happening now, run by the
trainer, and someone under the attendance warning line."""

import pytest
from django.utils import timezone

from cohorts.demo import seed_cohorts
from cohorts.demo_workspace import DEMO_STEPS, NOW_TOPIC, seed_workspace
from cohorts.selectors import attendance_warnings
from cohorts.workspace import checkin
from incubator import access
from tests.cohorts.test_demo import _context

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_session_now_and_a_participant_under_the_warning_line(world, admin_user):
    assert [(25, seed_workspace)] == DEMO_STEPS
    ctx = _context(world, admin_user)
    seed_cohorts(ctx)
    seed_workspace(ctx)
    cohort = ctx.extra["cohort"]
    cohort.refresh_from_db()
    assert cohort.warning_threshold == 80
    now = ctx.extra["session_now"]
    assert now.topic == NOW_TOPIC and now.starts_at <= timezone.now() <= now.ends_at
    assert checkin.is_open(now, timezone.now())
    trainer = ctx.users["trainer"]
    access.forget(trainer)
    assert list(now.trainers.all()) == [trainer]
    assert attendance_warnings(cohort)
