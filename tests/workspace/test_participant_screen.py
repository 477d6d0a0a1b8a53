"""The participant's first screen: next session, next milestone and overdue ones by name,
the month grid with names and a legend; a rejected applicant told the outcome, the reason
and the crowdfunding path."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from incubator.selection.models import ApplicationState
from tests.path.conftest import build_picture

pytestmark = pytest.mark.django_db


def test_first_screen_names_the_next_session_and_milestones(client, world):
    picture = build_picture(world)
    enrolment = picture.path.enrolment
    overdue = enrolment.milestones.order_by("due_on").first()
    overdue.due_on = timezone.localdate() - dt.timedelta(days=5)
    overdue.save(update_fields=["due_on"])
    client.force_login(world.participant)
    response = client.get(reverse("cohorts:my-path"))
    html = response.content.decode()
    first = html[html.index('data-testid="first-screen"') : html.index('class="path-summary"')]
    v = response.context["picture"].pictures[0]
    assert v.next_training[0].topic in first
    assert v.path.next_milestones[0].title in first and 'data-testid="next-milestone"' in first
    # The overdue ones by name (the first two, then how many more, linked to the timeline).
    named = v.path.overdue[:2]
    assert overdue in v.path.overdue and len(v.path.overdue) > 2
    assert all(m.title in first for m in named) and first.count('data-testid="overdue-milestone"') == 2
    assert f"and {len(v.path.overdue) - 2} more overdue milestone" in first
    # The grid: 36 months, each named, and a legend.
    assert html.count('role="listitem"') == 36
    assert 'class="months-legend"' in html and 'aria-hidden="true">' in html
    assert 'class="month-name"' in html


def test_a_rejected_applicant_sees_outcome_reason_and_crowdfunding(client, world):
    application = world.application
    application.state = ApplicationState.REJECTED
    application.submitted_at = timezone.now() - dt.timedelta(days=30)
    application.rank = 17
    application.decision_reason = "Punteggio sotto la soglia di ammissione ai contributi."
    application.crowdfunding_referral = True
    application.save()
    call = application.call
    client.force_login(world.participant)
    assert 'data-testid="outcome"' not in client.get(reverse("cohorts:my-path")).content.decode()  # not published
    call.ranking_published_at = timezone.now()
    call.save(update_fields=["ranking_published_at"])
    html = client.get(reverse("cohorts:my-path")).content.decode()
    assert 'data-testid="outcome"' in html
    assert "Rejected" in html and "rank 17" in html and application.decision_reason in html
    assert 'href="/tutoring/"' in html
    assert client.get("/tutoring/").status_code in (200, 302)
