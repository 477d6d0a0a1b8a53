"""The portal's demo step on the fixture programme: open calls with a form, the persona
``applicant`` with a submitted application (integration pending) and a draft with an
invitation."""

import datetime as dt
import random

import pytest

from incubator.demo_context import DemoContext
from incubator.selection.demo_portal import APPLICANT, build_portal, reset_portal
from incubator.selection.models import Application, ApplicationState, Call, CoApplicantInvitation, IntegrationRequest

pytestmark = pytest.mark.django_db


def test_demo_portal_builds_the_applicant_persona(world):
    ctx = DemoContext(rng=random.Random(1), today=dt.date.today(), users={"coordinator": world.coordinator})
    ctx.programme = world.programme
    build_portal(ctx)
    assert Call.objects.open().filter(programme=world.programme, form_sections__isnull=False).distinct().count() == 2
    mine = Application.objects.filter(venture__team__person__user__username=APPLICANT)
    assert sorted(mine.values_list("state", flat=True)) == [ApplicationState.DRAFT, ApplicationState.SUBMITTED]
    submitted = mine.get(state=ApplicationState.SUBMITTED)
    assert submitted.protocol_number and len(submitted.content_sha256) == 64
    assert IntegrationRequest.objects.get(application=submitted).state == IntegrationRequest.State.OPEN
    assert CoApplicantInvitation.objects.filter(application__in=mine, accepted_at=None).count() == 1
    reset_portal()
    assert not CoApplicantInvitation.objects.exists()
