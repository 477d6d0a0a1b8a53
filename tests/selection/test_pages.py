"""The evaluators' workspace and the selection board as pages: who may open each (others
get 404), the scoring form's draft, errors and submission, the conflict declaration,
the board's actions, and their query budgets."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from incubator.selection import reviews, services
from incubator.selection.models import Evaluation, Moderation
from tests.selection.conftest import (
    assign,
    close_call,
    criteria,
    eligible_application,
    make_eligible,
    page_client,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(world):
    application = make_eligible(world)
    e1, e2 = assign(world, application, world.evaluator, world.evaluator2)
    return e1


def evaluator_pages(evaluation):
    return [
        reverse("selection-evaluation", args=[evaluation.pk]),
        reverse("selection-score", args=[evaluation.pk]),
        reverse("selection-conflict", args=[evaluation.pk]),
    ]


def board_pages(world, evaluation):
    call = world.call
    return [
        reverse("selection-calls"),
        reverse("selection-board", args=[call.pk]),
        reverse("selection-applications", args=[call.pk]) + "?state=under_evaluation",
        reverse("selection-reassign", args=[evaluation.pk]),
        reverse("selection-moderate", args=[evaluation.application_id]),
        reverse("selection-rubric", args=[criteria(world)[0].pk]),
    ]


def test_evaluator_pages_open_to_their_evaluator_only(world, other, assigned, admin_user):
    for url in evaluator_pages(assigned):
        assert page_client(world.evaluator).get(url).status_code == 200, url
        for user in (world.evaluator2, world.coordinator, world.tutor, world.participant, other.evaluator, admin_user):
            assert page_client(user).get(url).status_code == 404, (url, user)
        assert page_client().get(url)["Location"].startswith("/accounts/login/")
    assert page_client(world.evaluator).get(reverse("selection-my-evaluations")).status_code == 200
    for user in (world.coordinator, world.tutor, world.participant):
        assert page_client(user).get(reverse("selection-my-evaluations")).status_code == 404
        assert page_client(user).get(reverse("selection-my-export")).status_code == 404


def test_board_pages_open_to_the_programmes_coordinators_only(world, other, assigned, admin_user):
    for url in board_pages(world, assigned):
        assert page_client(world.coordinator).get(url).status_code == 200, url
        assert page_client(admin_user).get(url).status_code == 200, url
        for user in (world.evaluator, world.tutor, world.participant):
            assert page_client(user).get(url).status_code == 404, (url, user)
        if url != reverse("selection-calls"):
            assert page_client(other.coordinator).get(url).status_code == 404, url
    listing = page_client(other.coordinator).get(reverse("selection-calls")).content.decode()
    assert world.call.title not in listing and other.call.title in listing


def test_home_sends_an_evaluator_to_their_evaluations(world, assigned):
    response = page_client(world.evaluator).get("/")
    assert response["Location"] == reverse("selection-my-evaluations")
    body = page_client(world.evaluator).get(response["Location"]).content.decode()
    assert world.call.title in body and reverse("selection-evaluation", args=[assigned.pk]) in body


def test_my_evaluations_shows_state_deadline_and_overdue(world, assigned):
    close_call(world.call)
    world.call.evaluation_deadline = timezone.now() - dt.timedelta(hours=2)
    world.call.save(update_fields=["evaluation_deadline"])
    body = page_client(world.evaluator).get(reverse("selection-my-evaluations")).content.decode()
    assert "To do" in body and "Overdue" in body
    assert timezone.localtime(world.call.evaluation_deadline).strftime("%d/%m/%Y %H:%M") in body


def test_my_evaluations_counts_to_do_draft_and_submitted(world):
    first, second, third = make_eligible(world), eligible_application(world), eligible_application(world)
    (todo,) = assign(world, first, world.evaluator)
    (draft,) = assign(world, second, world.evaluator)
    (done,) = assign(world, third, world.evaluator)
    innovation, _ = criteria(world)
    services.evaluation_save_draft(actor=world.evaluator, evaluation=draft, scores={innovation.pk: Decimal(3)})
    submit(done, 5, 10)
    body = page_client(world.evaluator).get(reverse("selection-my-evaluations")).content.decode()
    counts = re.findall(r"<dt class=\"small\">([^<]+)</dt><dd class=\"h4 mb-0\">(\d+)</dd>", body)
    # The summary of all calls, then the call's own (one call here): 1 each.
    assert counts == [("To do", "1"), ("Draft", "1"), ("Submitted", "1")] * 2


def test_scoring_page_saves_a_draft_then_submits(world, assigned):
    innovation, feasibility = criteria(world)
    reviews.criterion_set_rubric(
        actor=world.coordinator,
        criterion=innovation,
        guidance="Is it new here?",
        bands=[{"low": 0, "high": 4, "description": "Already offered nearby"}],
    )
    client = page_client(world.evaluator)
    url = reverse("selection-score", args=[assigned.pk])
    page = client.get(url).content.decode()
    assert "Is it new here?" in page and "Already offered nearby" in page
    response = client.post(
        url, {f"score_{innovation.pk}": "6", f"comment_{feasibility.pk}": "budget?", "action": "draft"}
    )
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.progress == "draft"
    again = client.get(url).content.decode()
    assert 'value="6' in again and "budget?" in again

    missing = client.post(url, {f"score_{innovation.pk}": "6", "action": "submit"})
    assert missing.status_code == 200 and "Score this criterion before submitting." in missing.content.decode()
    too_high = client.post(url, {f"score_{innovation.pk}": "11", f"score_{feasibility.pk}": "3", "action": "submit"})
    assert too_high.status_code == 200 and f'href="#id_score_{innovation.pk}"' in too_high.content.decode()
    assigned.refresh_from_db()
    assert assigned.submitted_at is None

    done = client.post(
        url, {f"score_{innovation.pk}": "6", f"score_{feasibility.pk}": "12.5", "comment": "Solid", "action": "submit"}
    )
    assert done["Location"] == reverse("selection-my-evaluations")
    assigned.refresh_from_db()
    assert assigned.weighted_total == Decimal("24.5") and assigned.comment == "Solid"
    assert client.get(url)["Location"] == reverse("selection-evaluation", args=[assigned.pk])
    assert client.post(url, {"action": "draft"}).status_code == 302
    assigned.refresh_from_db()
    assert assigned.weighted_total == Decimal("24.5")


def test_conflict_needs_a_reason_and_shows_on_the_board(world, assigned):
    client = page_client(world.evaluator)
    url = reverse("selection-conflict", args=[assigned.pk])
    blank = client.post(url, {"note": ""})
    assert blank.status_code == 200 and 'href="#id_note"' in blank.content.decode()
    assert client.post(url, {"note": "I mentored the team"}).status_code == 302
    assigned.refresh_from_db()
    assert assigned.conflict_declared
    board = page_client(world.coordinator).get(reverse("selection-board", args=[world.call.pk])).content.decode()
    assert "I mentored the team" in board and reverse("selection-reassign", args=[assigned.pk]) in board


def test_board_assigns_reassigns_moderates_publishes_and_decides(world):
    world.call.disagreement_threshold = Decimal("5")
    world.call.pass_threshold = Decimal("10")
    world.call.save()
    application = make_eligible(world)
    coordinator = page_client(world.coordinator)
    board = reverse("selection-board", args=[world.call.pk])
    bad = coordinator.post(reverse("selection-assign", args=[world.call.pk]), {"per_application": "0"}, follow=True)
    assert not Evaluation.objects.exists() and "Evaluators per application" in bad.content.decode()
    coordinator.post(reverse("selection-assign", args=[world.call.pk]), {"per_application": "2"})
    e1, e2 = Evaluation.objects.filter(application=application).order_by("evaluator_id")
    submit(e1, 10, 20)
    submit(e2, 1, 2)
    page = coordinator.get(board).content.decode()
    assert "Flagged" in page and reverse("selection-moderate", args=[application.pk]) in page
    url = reverse("selection-moderate", args=[application.pk])
    assert 'href="#id_reason"' in coordinator.post(url, {"agreed_score": "30", "reason": ""}).content.decode()
    coordinator.post(url, {"agreed_score": "30", "reason": "Discussed in panel"})
    assert Moderation.objects.get(application=application).agreed_score == Decimal("30")
    assert "Discussed in panel" in coordinator.get(board).content.decode()
    refused = coordinator.post(reverse("selection-publish", args=[world.call.pk]), follow=True).content.decode()
    assert "after the call closes" in refused
    close_call(world.call)
    coordinator.post(reverse("selection-publish", args=[world.call.pk]))
    application.refresh_from_db()
    assert application.rank == 1 and application.score == Decimal("30.000")
    coordinator.post(reverse("selection-decide", args=[world.call.pk]))
    application.refresh_from_db()
    assert application.state == "admitted"


def test_reassign_page_lists_other_evaluators_and_replaces(world, assigned):
    from tests.selection.conftest import extra_evaluator

    third = extra_evaluator(world, "A-evaluator3")
    url = reverse("selection-reassign", args=[assigned.pk])
    page = page_client(world.coordinator).get(url).content.decode()
    assert "A-evaluator3" in page and f'value="{world.evaluator2.pk}"' not in page
    page_client(world.coordinator).post(url, {"evaluator": third.pk, "reason": "late"})
    assert Evaluation.objects.filter(application=assigned.application, evaluator=third).exists()
    assert not Evaluation.objects.filter(pk=assigned.pk).exists()


@pytest.mark.parametrize("rows", [1, 50])
def test_my_evaluations_query_budget(world, rows, django_assert_num_queries):
    for i in range(rows):
        application = make_eligible(world) if i == 0 else eligible_application(world)
        assign(world, application, world.evaluator)
    client = page_client(world.evaluator)
    # session, user, roles, the evaluations with their calls and ventures
    with django_assert_num_queries(4):
        body = client.get(reverse("selection-my-evaluations")).content.decode()
    assert body.count("badge bg-primary") == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_board_query_budget(world, rows, django_assert_num_queries):
    world.call.disagreement_threshold = Decimal("1")
    world.call.save()
    for i in range(rows):
        application = make_eligible(world) if i == 0 else eligible_application(world)
        e1, e2 = assign(world, application, world.evaluator, world.evaluator2)
        submit(e1, 5, 10)
        submit(e2, 6, 12)
    client = page_client(world.coordinator)
    # session, user, roles, call; criteria and their bands; funnel; progress (2);
    # disagreement (4); calibration (3); ranking (1); recused; pending; deciding
    with django_assert_num_queries(20):
        body = client.get(reverse("selection-board", args=[world.call.pk])).content.decode()
    assert body.count(">Flagged<") == rows


def test_rubric_page_writes_guidance_and_bands(world):
    innovation, _ = criteria(world)
    url = reverse("selection-rubric", args=[innovation.pk])
    client = page_client(world.coordinator)
    half = client.post(url, {"guidance": "New?", "low_0": "0"})
    assert half.status_code == 200 and 'href="#id_high_0"' in half.content.decode()
    overlapping = {
        "low_0": "0",
        "high_0": "5",
        "description_0": "a",
        "low_1": "5",
        "high_1": "10",
        "description_1": "b",
    }
    refused = client.post(url, {"guidance": "New?", **overlapping})
    assert refused.status_code == 200 and "must not overlap" in refused.content.decode()
    assert not innovation.bands.exists()
    saved = client.post(url, {"guidance": "New?", "low_0": "0", "high_0": "4.99", "description_0": "Weak"})
    assert saved.status_code == 302
    innovation.refresh_from_db()
    assert innovation.guidance == "New?" and list(innovation.bands.values_list("description", flat=True)) == ["Weak"]
    assert "Weak" in client.get(reverse("selection-board", args=[world.call.pk])).content.decode()
