"""The demo's consent records and refused erasure request (``incubator.privacy.demo``)."""

import random

import pytest
from django.utils import timezone

from incubator.demo_context import DemoContext
from incubator.privacy.demo import seed_consents
from incubator.privacy.models import ConsentRecord, ErasureRequest
from tests.funding.helpers import admitted

pytestmark = pytest.mark.django_db


def test_demo_consents_and_a_refused_erasure(world):
    ctx = DemoContext(rng=random.Random(7), today=timezone.localdate())
    ctx.programme = world.programme
    ctx.enrolments = [admitted(world)]
    ctx.users = {"coordinator": world.coordinator, "participant": world.participant}
    seed_consents(ctx)
    seed_consents(ctx)  # a second run adds nothing
    person = world.participant_person
    current = ConsentRecord.objects.filter(person=person, withdrawn_at__isnull=True, superseded_at__isnull=True)
    assert set(current.values_list("purpose", flat=True)) == {
        "esf_monitoring",
        "special_categories",
        "images",
        "follow_up",
    }
    assert ConsentRecord.objects.get(person=person, purpose="communications").withdrawn_at is not None
    (erasure,) = ErasureRequest.objects.filter(person=person)
    assert erasure.outcome == "refused" and erasure.refusal_code == "retention_not_started"
