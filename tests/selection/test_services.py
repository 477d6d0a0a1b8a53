"""The evaluation services: drafts then submission, bulk assignment, reassignment after
a conflict, the rubric, moderation and the ranking that uses it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from incubator.exceptions import NotPermitted
from incubator.models import AuditEvent, Role, RoleAssignment
from incubator.selection import reviews, services
from incubator.selection import selectors_review as selectors
from incubator.selection.models import ApplicationState, Evaluation, Moderation, Score
from tests.selection.conftest import (
    assign,
    close_call,
    criteria,
    eligible_application,
    extra_evaluator,
    make_eligible,
    submit,
)

pytestmark = pytest.mark.django_db


def test_draft_keeps_partial_scores_then_submission_locks(world):
    application = make_eligible(world)
    (evaluation,) = assign(world, application, world.evaluator)
    innovation, feasibility = criteria(world)
    services.evaluation_save_draft(
        actor=world.evaluator,
        evaluation=evaluation,
        scores={innovation.pk: "7.5", feasibility.pk: None},
        comment="first read",
        criterion_comments={feasibility.pk: "check the budget"},
    )
    evaluation.refresh_from_db()
    assert evaluation.progress == "draft" and evaluation.submitted_at is None
    assert {(s.criterion_id, s.value, s.comment) for s in evaluation.scores.all()} == {
        (innovation.pk, Decimal("7.50"), ""),
        (feasibility.pk, None, "check the budget"),
    }
    with pytest.raises(ValidationError) as refused:
        services.evaluation_submit_scores(
            actor=world.evaluator, evaluation=evaluation, scores={innovation.pk: 7, feasibility.pk: ""}
        )
    assert refused.value.code == "incomplete"
    services.evaluation_submit_scores(
        actor=world.evaluator,
        evaluation=evaluation,
        scores={innovation.pk: 7, feasibility.pk: 12},
        criterion_comments={innovation.pk: "novel"},
    )
    evaluation.refresh_from_db()
    assert evaluation.progress == "submitted" and evaluation.weighted_total == Decimal("26")
    assert Score.objects.filter(evaluation=evaluation).count() == 2
    with pytest.raises(ValidationError) as locked:
        services.evaluation_save_draft(actor=world.evaluator, evaluation=evaluation, scores={innovation.pk: 1})
    assert locked.value.code == "already_scored"


def test_draft_refuses_out_of_range_and_other_peoples_evaluations(world):
    application = make_eligible(world)
    (evaluation,) = assign(world, application, world.evaluator)
    innovation, _feasibility = criteria(world)
    with pytest.raises(ValidationError) as refused:
        services.evaluation_save_draft(actor=world.evaluator, evaluation=evaluation, scores={innovation.pk: 11})
    assert refused.value.code == "out_of_range"
    with pytest.raises(NotPermitted):
        services.evaluation_save_draft(actor=world.evaluator2, evaluation=evaluation, scores={innovation.pk: 1})
    assert not Score.objects.exists()


def test_bulk_assignment_balances_load_and_skips_team_and_conflicts(world):
    third = extra_evaluator(world, "A-evaluator3")
    # evaluator2 is on the team of one application: never assigned to it.
    member = eligible_application(world, "Own idea")
    from tests import factories as f

    f.TeamMemberFactory(
        venture=member.venture, person=f.PersonFactory(programme=world.programme, user=world.evaluator2), role="member"
    )
    others = [make_eligible(world), eligible_application(world), eligible_application(world)]
    # evaluator declared a conflict on the first one: it stays declared, not reassigned to them.
    (recused,) = assign(world, others[0], world.evaluator)
    services.evaluation_declare_conflict(actor=world.evaluator, evaluation=recused, note="My cousin")

    outcome = reviews.call_assign_evaluators(actor=world.coordinator, call=world.call, per_application=2)

    assert outcome["short"] == []
    for application in [member, *others]:
        active = Evaluation.objects.filter(application=application, conflict_declared=False)
        assert active.count() == 2
        application.refresh_from_db()
        assert application.state == ApplicationState.UNDER_EVALUATION
    assert not Evaluation.objects.filter(application=member, evaluator=world.evaluator2).exists()
    assert Evaluation.objects.filter(application=others[0], evaluator=world.evaluator).get().conflict_declared
    loads = [
        Evaluation.objects.filter(evaluator=e, conflict_declared=False).count()
        for e in (world.evaluator, world.evaluator2, third)
    ]
    assert sum(loads) == 8 and max(loads) - min(loads) <= 1
    assert AuditEvent.objects.filter(verb="call.assign_evaluators").exists()


def test_bulk_assignment_reports_applications_it_cannot_complete(world):
    make_eligible(world)
    outcome = reviews.call_assign_evaluators(actor=world.coordinator, call=world.call, per_application=3)
    assert outcome["short"] == [world.application.pk] and len(outcome["assigned"]) == 2
    with pytest.raises(NotPermitted):
        reviews.call_assign_evaluators(actor=world.evaluator, call=world.call, per_application=1)
    with pytest.raises(ValidationError):
        reviews.call_assign_evaluators(actor=world.coordinator, call=world.call, per_application=0)


def test_reassigning_after_a_conflict_reopens_the_evaluation(world):
    application = make_eligible(world)
    first, second = assign(world, application, world.evaluator, world.evaluator2)
    submit(second, 8, 15)
    services.evaluation_declare_conflict(actor=world.evaluator, evaluation=first, note="I advised them")
    application.refresh_from_db()
    assert application.state == ApplicationState.EVALUATED
    third = extra_evaluator(world, "A-evaluator3")

    new = reviews.evaluation_reassign(actor=world.coordinator, evaluation=first, evaluator=third, reason="conflict")

    application.refresh_from_db()
    assert application.state == ApplicationState.UNDER_EVALUATION
    assert new.evaluator == third and Evaluation.objects.get(pk=first.pk).conflict_declared
    with pytest.raises(ValidationError):
        reviews.evaluation_reassign(actor=world.coordinator, evaluation=second, evaluator=third)
    with pytest.raises(NotPermitted):
        reviews.evaluation_reassign(actor=world.evaluator2, evaluation=new, evaluator=world.evaluator)


def test_rubric_bands_within_range_without_overlap(world):
    innovation, _ = criteria(world)
    reviews.criterion_set_rubric(
        actor=world.coordinator,
        criterion=innovation,
        guidance="How new is the idea for the area?",
        bands=[{"low": 0, "high": 3, "description": "Known"}, {"low": "3.01", "high": 10, "description": "New"}],
    )
    assert list(innovation.bands.values_list("description", flat=True)) == ["Known", "New"]
    for bad in (
        [{"low": 0, "high": 5, "description": "a"}, {"low": 5, "high": 10, "description": "b"}],
        [{"low": 0, "high": 11, "description": "a"}],
        [{"low": 0, "high": 2, "description": ""}],
    ):
        with pytest.raises(ValidationError):
            reviews.criterion_set_rubric(actor=world.coordinator, criterion=innovation, guidance="", bands=bad)
    assert innovation.bands.count() == 2
    with pytest.raises(NotPermitted):
        reviews.criterion_set_rubric(actor=world.evaluator, criterion=innovation, guidance="", bands=[])


def _two_scored(world, first=(10, 20), second=(2, 4)):
    application = make_eligible(world)
    e1, e2 = assign(world, application, world.evaluator, world.evaluator2)
    submit(e1, *first)
    submit(e2, *second)
    application.refresh_from_db()
    return application


def test_disagreement_flagged_above_the_threshold_and_calibration(world):
    world.call.disagreement_threshold = Decimal("10")
    world.call.save()
    application = _two_scored(world)  # 40 and 8: spread 32
    (row,) = selectors.disagreements(world.call)
    assert row.application == application and row.spread == Decimal("32") and row.flagged
    assert [(c.criterion.name, c.spread) for c in row.criteria] == [("Innovation", 8), ("Feasibility", 16)]
    calibration = {c.evaluator: c for c in selectors.calibration(world.call)}
    assert calibration[world.evaluator].tendency == "lenient" and calibration[world.evaluator].bias == 16
    assert calibration[world.evaluator2].tendency == "severe"
    world.call.disagreement_threshold = Decimal("40")
    assert not selectors.disagreements(world.call)[0].flagged


def test_moderation_sets_the_ranking_score_with_its_reason(world):
    application = _two_scored(world)  # mean 24
    with pytest.raises(ValidationError) as no_reason:
        reviews.application_moderate(actor=world.coordinator, application=application, agreed_score=30, reason=" ")
    assert no_reason.value.error_dict.keys() == {"reason"}
    with pytest.raises(ValidationError):
        reviews.application_moderate(actor=world.coordinator, application=application, agreed_score=41, reason="x")
    with pytest.raises(NotPermitted):
        reviews.application_moderate(actor=world.evaluator, application=application, agreed_score=30, reason="x")
    reviews.application_moderate(
        actor=world.coordinator, application=application, agreed_score="30.5", reason="Panel agreed"
    )
    assert Moderation.objects.get().agreed_score == Decimal("30.5")
    assert AuditEvent.objects.get(verb="application.moderate").reason == "Panel agreed"
    (preview,) = selectors.ranking_preview(world.call)
    assert preview.score == Decimal("30.5") and preview.moderation.reason == "Panel agreed"
    close_call(world.call)
    services.call_compute_ranking(actor=world.coordinator, call=world.call)
    application.refresh_from_db()
    assert application.score == Decimal("30.500") and application.rank == 1


def test_ranking_preview_explains_the_tie_break(world):
    first = _two_scored(world, (5, 10), (5, 10))
    second = eligible_application(world)
    e1, e2 = assign(world, second, world.evaluator, world.evaluator2)
    submit(e1, 5, 10)
    submit(e2, 5, 10)
    rows = selectors.ranking_preview(world.call)
    assert [r.application for r in rows] == [first, second]
    assert "earlier" in rows[0].tie_note and "later" in rows[1].tie_note
    assert [r.outcome for r in rows] == ["below", "below"]  # 20 < threshold 60


def test_evaluator_progress_counts_overdue_after_the_deadline(world):
    import datetime as dt

    from django.utils import timezone

    application = make_eligible(world)
    e1, e2 = assign(world, application, world.evaluator, world.evaluator2)
    submit(e1, 5, 10)
    progress = {p.evaluator: p for p in selectors.evaluator_progress(world.call)}
    assert progress[world.evaluator2].todo == 1 and progress[world.evaluator2].overdue == 0
    close_call(world.call)
    world.call.evaluation_deadline = timezone.now() - dt.timedelta(hours=1)
    world.call.save(update_fields=["evaluation_deadline"])
    progress = {p.evaluator: p for p in selectors.evaluator_progress(world.call)}
    assert progress[world.evaluator2].overdue == 1 and progress[world.evaluator].overdue == 0
    assert RoleAssignment.objects.filter(role=Role.EVALUATOR, programme=world.programme).count() == 2


def test_a_declared_conflict_tells_the_coordinators_and_assignment_tells_the_evaluator(
    world, django_capture_on_commit_callbacks
):
    from incubator.notifications.kinds import Kind
    from incubator.notifications.models import Notification

    application = make_eligible(world)
    with django_capture_on_commit_callbacks(execute=True):
        (evaluation,) = assign(world, application, world.evaluator)
        services.evaluation_declare_conflict(actor=world.evaluator, evaluation=evaluation, note="My cousin")
    told = Notification.objects.filter(kind=Kind.EVALUATION_CONFLICT)
    assert set(told.values_list("recipient_id", flat=True)) == {world.coordinator.pk}
    assert told.get().link.endswith(f"/selection/evaluations/{evaluation.pk}/reassign/")
    assigned = Notification.objects.get(kind=Kind.EVALUATOR_ASSIGNED)
    assert assigned.recipient_id == world.evaluator.pk
    assert assigned.link.endswith(f"/selection/evaluations/{evaluation.pk}/")


def test_evaluation_reminders_follow_the_calls_deadline(world):
    import datetime as dt

    from django.utils import timezone

    from incubator.notifications.kinds import Kind
    from incubator.selection import notices

    application = make_eligible(world)
    assign(world, application, world.evaluator)  # just assigned: not late by the default days
    now = timezone.now()
    Evaluation.objects.update(assigned_at=now)
    assert list(notices.evaluations_late(now)) == []
    world.call.opens_at, world.call.closes_at = now - dt.timedelta(days=30), now - dt.timedelta(days=2)
    world.call.evaluation_deadline = now - dt.timedelta(hours=1)
    world.call.save(update_fields=["opens_at", "closes_at", "evaluation_deadline"])
    (event,) = notices.evaluations_late(now)
    assert event.kind == Kind.EVALUATION_OVERDUE and list(event.recipient_ids) == [world.evaluator.pk]
