"""The events hooked in the services: who is told, with what, and what is never in the text
(scores, private notes). Made when the action commits."""

import datetime as dt
from decimal import Decimal

from django.core import mail

from incubator.funding import services as funding
from incubator.notifications.kinds import Kind
from incubator.notifications.models import Notification
from incubator.path import services as path_services
from incubator.path.models import MilestoneState
from incubator.selection import notices as selection_notices
from incubator.selection import services as selection
from incubator.selection.models import ApplicationState
from tests.funding import helpers as funding_helpers
from tests.funding.fixtures import without_attendance_check  # noqa: F401
from tests.mentoring.fixtures import build_mentoring, log


def told(kind) -> dict[int, Notification]:
    return {n.recipient_id: n for n in Notification.objects.filter(kind=kind)}


def test_selection_tells_the_team_and_the_evaluator(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        selection.application_submit(actor=world.participant, application=world.application)
    receipt = told(Kind.SUBMISSION_RECEIPT)
    assert list(receipt) == [world.participant.pk] and world.call.title in receipt[world.participant.pk].body
    with django_capture_on_commit_callbacks(execute=True):
        selection.application_check(actor=world.coordinator, application=world.application, answers=[], eligible=True)
        selection.evaluator_assign(actor=world.coordinator, application=world.application, evaluator=world.evaluator)
    outcome = told(Kind.ELIGIBILITY_OUTCOME)[world.participant.pk]
    assert outcome.subject == "News about your application"  # neutral: the outcome is in the text only
    assert "Eligible" in outcome.body
    assert list(told(Kind.EVALUATOR_ASSIGNED)) == [world.evaluator.pk]
    assert world.venture.title not in told(Kind.EVALUATOR_ASSIGNED)[world.evaluator.pk].body


def test_the_decision_and_the_ranking_reach_the_team_without_scores(world, django_capture_on_commit_callbacks):
    app = world.application
    app.state, app.rank, app.score, app.submitted_at = (
        ApplicationState.EVALUATED,
        1,
        Decimal("87.500"),
        world.call.opens_at,
    )
    app.save()
    with django_capture_on_commit_callbacks(execute=True):
        selection.application_decide(actor=world.coordinator, application=app, decision="waitlist")
        selection_notices.ranking_published(world.call, [app])
    outcome = told(Kind.APPLICATION_OUTCOME)[world.participant.pk]
    assert "Waitlisted" in outcome.body or "waiting" in outcome.body.lower()
    ranking = told(Kind.RANKING_PUBLISHED)[world.participant.pk]
    for text in (outcome.body, ranking.body, *(m.body for m in mail.outbox)):
        assert "87" not in text


def test_funding_tells_the_team(world, django_capture_on_commit_callbacks):
    funding_helpers.admitted(world)
    with django_capture_on_commit_callbacks(execute=True):
        grant = funding_helpers.awarded(world)
    assert list(told(Kind.GRANT_AWARDED)) == [world.participant.pk]
    assert list(told(Kind.CONTRACT_TO_SIGN)) == [world.participant.pk]
    assert "100" not in told(Kind.GRANT_AWARDED)[world.participant.pk].body  # no amount in the text
    assert grant.venture.title in told(Kind.GRANT_AWARDED)[world.participant.pk].body


def test_a_refused_expense_is_told_not_an_accepted_one(world, django_capture_on_commit_callbacks):
    funding_helpers.admitted(world)
    grant = funding_helpers.running(world)
    report = funding_helpers.report(world, grant)
    kept = funding_helpers.item(world, report)
    refused = funding_helpers.item(world, report)
    funding.expense_report_submit(actor=world.participant, report=report)
    with django_capture_on_commit_callbacks(execute=True):
        funding.expense_item_review(actor=world.coordinator, item=kept, accept=True)
        funding.expense_item_review(actor=world.coordinator, item=refused, accept=False, reason="Fattura illeggibile")
    rows = Notification.objects.filter(kind=Kind.EXPENSE_REFUSED)
    assert [(n.recipient_id, n.key) for n in rows] == [
        (world.participant.pk, f"expense_refused:incubator.expenseitem:{refused.pk}")
    ]


def test_shared_tutoring_notes_are_announced_private_notes_never_leave(world, django_capture_on_commit_callbacks):
    mentoring = build_mentoring(world)
    start = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        log(mentoring, start, shared_notes="Rivedere il piano economico", private_notes="Segreto: fragilità")
        log(mentoring, start + dt.timedelta(days=7), private_notes="Solo privato")
    rows = Notification.objects.filter(kind=Kind.TUTORING_NOTES)
    assert [n.recipient_id for n in rows] == [world.participant.pk]  # the second had no shared notes
    for text in (rows[0].subject, rows[0].body, *(m.body for m in mail.outbox)):
        assert "Segreto" not in text and "fragilità" not in text and "Rivedere" not in text


def test_a_verified_or_sent_back_milestone_is_told_to_the_team(world, django_capture_on_commit_callbacks):
    from tests.path.conftest import make_enrolment, make_templates

    make_templates(world)
    enrolment = make_enrolment(world, dt.date(2026, 1, 1))
    milestone = path_services.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment)[0]
    milestone.evidence_required = ""
    milestone.save()
    path_services.milestone_change_state(
        actor=world.coordinator, milestone=milestone, state=MilestoneState.ACHIEVED, on=dt.date(2026, 2, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        path_services.milestone_verify(actor=world.coordinator, milestone=milestone)
        path_services.milestone_change_state(
            actor=world.coordinator, milestone=milestone, state=MilestoneState.IN_PROGRESS
        )
    assert list(told(Kind.EVIDENCE_VERIFIED)) == [world.participant.pk]
    assert list(told(Kind.EVIDENCE_SENT_BACK)) == [world.participant.pk]


def test_an_erasure_is_told_to_the_coordinators_and_the_erased_inbox_is_emptied(
    world, django_capture_on_commit_callbacks
):
    from incubator.privacy import services as privacy

    Notification.objects.create(
        recipient=world.participant, kind=Kind.TUTORING_NOTES, key="before", subject="s", body=world.venture.title
    )
    world.programme.last_payment_on = dt.date(2015, 6, 30)  # retention ended
    world.programme.save()
    with django_capture_on_commit_callbacks(execute=True):
        erasure = privacy.person_erasure_request(actor=world.coordinator, person=world.participant_person)
    assert not Notification.objects.filter(recipient=world.participant).exists()
    done = told(Kind.ERASURE_DONE)
    assert list(done) == [world.coordinator.pk]
    assert str(erasure.pk) in done[world.coordinator.pk].body
    assert world.participant_person.last_name not in done[world.coordinator.pk].body
