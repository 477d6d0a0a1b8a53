"""Reading an application through the API as its evaluator: the call's form section by
section with the answers, the budget and the files (404 to anyone but the evaluator it is
assigned to), and the coordinators' list of overdue evaluations. Query budgets at 1 and
50 rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from rest_framework.test import APIClient

from incubator import access
from incubator.selection.models import Answer, BudgetItem, Call, FormSection, Question, QuestionKind
from tests.api.helpers import ANONYMOUS, ROLES, client_for
from tests.selection.conftest import assign, eligible_application, make_eligible, submit

pytestmark = pytest.mark.django_db


def as_(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def answered(world):
    """The world's application with a form of two sections: a text, a choice, a file (the
    applicant's own file name) and a budget line; assigned to the world's evaluator."""
    application = make_eligible(world)
    first = FormSection.objects.create(call=world.call, title_it="Il progetto", title_en="The project", order=1)
    second = FormSection.objects.create(call=world.call, title_it="Allegati", title_en="Annexes", order=2)
    text = Question.objects.create(section=first, kind=QuestionKind.LONG_TEXT, label_it="Descrizione", order=1)
    choice = Question.objects.create(
        section=first, kind=QuestionKind.CHOICE, label_it="Ambito", choices="a | Quartiere\nb | Città", order=2
    )
    plan = Question.objects.create(section=second, kind=QuestionKind.FILE, label_it="Piano", order=1)
    Answer.objects.create(application=application, question=text, value="Una ciclofficina di quartiere.")
    Answer.objects.create(application=application, question=choice, value="a")
    Answer.objects.create(
        application=application,
        question=plan,
        file=ContentFile(b"%PDF-1.4 piano", name="Piano economico.pdf"),
        file_name="Piano economico.pdf",
    )
    BudgetItem.objects.create(application=application, category="equipment", description="Attrezzi", amount=1200)
    (evaluation,) = assign(world, application, world.evaluator)
    world.plan = plan
    return world, evaluation


def test_the_evaluator_reads_answers_budget_and_files(answered):
    world, evaluation = answered
    api = as_(world.evaluator)
    response = api.get(f"/api/v1/evaluations/{evaluation.pk}/reading/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["blind"] is False and data["label"] == world.venture.title
    # In the request's language (the API's default is English; both titles are given).
    assert [s["title"] for s in data["sections"]] == ["The project", "Annexes"]
    description, scope = data["sections"][0]["answers"]
    assert description["value"] == "Una ciclofficina di quartiere." and description["hidden"] is False
    assert scope["value"] == "a" and scope["kind"] == "choice"
    (plan,) = data["sections"][1]["answers"]
    # Not blind: the file keeps the name the applicant gave it.
    assert plan["file_name"] == "Piano economico.pdf"
    assert plan["file_url"].endswith(f"/api/v1/evaluations/{evaluation.pk}/files/{world.plan.pk}/")
    assert data["budget"] == [{"category": "equipment", "description": "Attrezzi", "amount": "1200.00"}]

    download = api.get(plan["file_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 piano"
    assert download["Content-Type"] == "application/pdf"
    assert "Piano" in download["Content-Disposition"]
    # A question without a file, or that does not exist: 404.
    text_question = description["question"]
    assert api.get(f"/api/v1/evaluations/{evaluation.pk}/files/{text_question}/").status_code == 404
    assert api.get(f"/api/v1/evaluations/{evaluation.pk}/files/999999/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_reading_and_files_are_for_the_assigned_evaluator_only(role, answered, admin_user):
    world, evaluation = answered
    client = client_for(role, world, admin_user)
    reading = client.get(f"/api/v1/evaluations/{evaluation.pk}/reading/")
    download = client.get(f"/api/v1/evaluations/{evaluation.pk}/files/{world.plan.pk}/")
    if role == "evaluator":
        assert reading.status_code == 200 and download.status_code == 200
    elif role == "anonymous":
        assert reading.status_code in ANONYMOUS and download.status_code in ANONYMOUS
    else:
        # The coordinator sees the evaluation on the board but does not read through it;
        # the others do not see it at all: the same 404 either way.
        assert reading.status_code == 404 and download.status_code == 404
        assert "Piano" not in download.get("Content-Disposition", "")


def test_another_evaluator_of_the_programme_gets_404(answered, other):
    world, evaluation = answered
    for user in (world.evaluator2, other.evaluator, other.coordinator):
        assert as_(user).get(f"/api/v1/evaluations/{evaluation.pk}/reading/").status_code == 404
        assert as_(user).get(f"/api/v1/evaluations/{evaluation.pk}/files/{world.plan.pk}/").status_code == 404


def test_a_recused_evaluator_still_reads_what_they_declared_about(answered):
    """As in the pages: the declaration stays on record and so does the reading."""
    from incubator.selection import services

    world, evaluation = answered
    services.evaluation_declare_conflict(actor=world.evaluator, evaluation=evaluation, note="Ex collega")
    assert as_(world.evaluator).get(f"/api/v1/evaluations/{evaluation.pk}/reading/").status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_reading_query_budget(rows, world, django_assert_num_queries):
    application = make_eligible(world)
    section = FormSection.objects.create(call=world.call, title_it="Domande", order=1)
    for i in range(rows):
        question = Question.objects.create(section=section, kind=QuestionKind.SHORT_TEXT, label_it=f"D{i}", order=i)
        Answer.objects.create(application=application, question=question, value=f"R{i}")
        BudgetItem.objects.create(application=application, category="other", description=f"B{i}", amount=10)
    (evaluation,) = assign(world, application, world.evaluator)
    access.forget(world.evaluator)
    client = as_(world.evaluator)
    # roles, the evaluation (with application, call, venture, evaluator), its scores;
    # answers, sections, questions, budget
    with django_assert_num_queries(7):
        data = client.get(f"/api/v1/evaluations/{evaluation.pk}/reading/").json()
    assert len(data["sections"][0]["answers"]) == rows and len(data["budget"]) == rows


def _past_deadline(call: Call) -> None:
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=20),
        evaluation_deadline=now - dt.timedelta(days=1),
    )


def test_overdue_evaluations_for_the_coordinator(world, other):
    first = make_eligible(world)
    second = eligible_application(world)
    late, done = assign(world, first, world.evaluator, world.evaluator2)
    (recused,) = assign(world, second, world.evaluator)
    submit(done, 5, 10)
    from incubator.selection import services

    services.evaluation_declare_conflict(actor=world.evaluator, evaluation=recused, note="Parente")
    coordinator = as_(world.coordinator)
    # Before the deadline nothing is overdue.
    before = coordinator.get("/api/v1/evaluations/", {"call": world.call.pk, "overdue": "true"}).json()
    assert before["results"] == []
    _past_deadline(world.call)
    rows = coordinator.get("/api/v1/evaluations/", {"call": world.call.pk, "overdue": "true"}).json()["results"]
    assert [(r["id"], r["overdue"]) for r in rows] == [(late.pk, True)]
    rest = coordinator.get("/api/v1/evaluations/", {"call": world.call.pk, "overdue": "false"}).json()["results"]
    assert {r["id"] for r in rest} == {done.pk, recused.pk} and not any(r["overdue"] for r in rest)
    # The evaluator sees their own as overdue; the other programme's coordinator sees none.
    own = as_(world.evaluator).get("/api/v1/evaluations/", {"overdue": "true"}).json()["results"]
    assert [r["id"] for r in own] == [late.pk]
    assert as_(other.coordinator).get("/api/v1/evaluations/", {"overdue": "true"}).json()["results"] == []


@pytest.mark.parametrize("rows", [1, 50])
def test_overdue_list_query_budget(rows, world, django_assert_num_queries):
    for i in range(rows):
        application = make_eligible(world) if i == 0 else eligible_application(world)
        assign(world, application, world.evaluator)
    _past_deadline(world.call)
    access.forget(world.coordinator)
    client = as_(world.coordinator)
    # roles, count, page (with application, call, venture, evaluator), scores
    with django_assert_num_queries(4):
        data = client.get("/api/v1/evaluations/", {"call": world.call.pk, "overdue": "true", "page_size": 100})
    assert data.json()["count"] == rows and all(r["overdue"] for r in data.json()["results"])


def test_board_moderation_reaches_the_ranking_preview_with_its_reason(world):
    """The board's features end to end through the API: disagreement flagged, moderation
    recorded, ranking preview with the agreed score, publication, decisions."""
    world.call.disagreement_threshold = Decimal("5")
    world.call.save(update_fields=["disagreement_threshold"])
    first = make_eligible(world)
    second = eligible_application(world)
    coordinator = as_(world.coordinator)
    assert (
        coordinator.post(
            f"/api/v1/calls/{world.call.pk}/assign-evaluators/", {"per_application": 2}, format="json"
        ).status_code
        == 200
    )
    for application, low, high in ((first, (1, 1), (10, 20)), (second, (5, 10), (5, 10))):
        e1, e2 = application.evaluations.order_by("pk")
        submit(e1, *low)
        submit(e2, *high)
    board = coordinator.get(f"/api/v1/calls/{world.call.pk}/board/").json()
    flagged = {d["application"]: d["flagged"] for d in board["disagreements"]}
    assert flagged == {first.pk: True, second.pk: False}
    funnel = {step["state"]: step["count"] for step in board["funnel"]}
    assert funnel["evaluated"] == 2
    assert {c["evaluator"]["id"] for c in board["calibration"]} == {world.evaluator.pk, world.evaluator2.pk}
    moderated = coordinator.post(
        f"/api/v1/applications/{first.pk}/moderate/", {"agreed_score": "30", "reason": "Panel"}, format="json"
    )
    assert moderated.status_code == 200
    preview = coordinator.get(f"/api/v1/calls/{world.call.pk}/ranking/preview/").json()
    assert [(r["application"], r["score"], r["moderation_reason"]) for r in preview] == [
        (first.pk, "30.000", "Panel"),
        (second.pk, "20.000", None),
    ]
    # Evaluators do not get the board, calibration or preview (403: the call is theirs to see).
    evaluator = as_(world.evaluator)
    assert evaluator.get(f"/api/v1/calls/{world.call.pk}/board/").status_code == 403
    assert evaluator.get(f"/api/v1/calls/{world.call.pk}/ranking/preview/").status_code == 403
    assert evaluator.post(f"/api/v1/calls/{world.call.pk}/ranking/compute/").status_code == 403
    from tests.selection.conftest import close_call

    close_call(world.call)
    published = coordinator.post(f"/api/v1/calls/{world.call.pk}/ranking/compute/")
    assert published.status_code == 200, published.content
    assert [r["application"] for r in published.json()] == [first.pk, second.pk]
    decided = coordinator.post(f"/api/v1/calls/{world.call.pk}/decide/", {}, format="json")
    assert decided.status_code == 200, decided.content
    assert sum(decided.json().values()) == 2
