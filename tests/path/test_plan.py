"""Milestone templates and the plan: due dates from the enrolment's start, the
crowdfunding track, idempotency, the hook on enrolment creation, and the suspension clock
with the 36-month cap."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incubator.dates import add_months
from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.models import AuditEvent
from incubator.path import services as path_services
from incubator.path import services as services_path
from incubator.path.models import EnrolmentStatus, EnrolmentSuspension, Milestone, MilestoneState
from incubator.path.selectors import enrolment_paths, with_flags
from incubator.selection import services
from tests import factories as f
from tests.path.conftest import INNESCO, make_enrolment, make_templates

pytestmark = pytest.mark.django_db

ALL_BUT_CROWDFUNDING = [title for title, _o, _e, crowdfunding in INNESCO if not crowdfunding]


def _due(enrolment) -> dict[str, dt.date]:
    return dict(enrolment.milestones.values_list("title", "due_on"))


# --- templates ---------------------------------------------------------------------------


def test_template_create_and_update(world):
    template = services_path.milestone_template_create(
        actor=world.coordinator, programme=world.programme, title="Idea canvas", offset_months=1
    )
    second = services_path.milestone_template_create(
        actor=world.coordinator, programme=world.programme, title="Business plan", offset_months=4
    )
    assert second.order > template.order
    services_path.milestone_template_update(actor=world.coordinator, template=template, offset_months=2)
    template.refresh_from_db()
    assert template.offset_months == 2
    assert AuditEvent.objects.filter(verb="milestone_template.update", target_id=template.pk).exists()


@pytest.mark.parametrize("offset", [37, -1, "3"])
def test_template_offset_outside_the_36_months_is_refused(world, offset):
    with pytest.raises(DomainError) as error:
        services_path.milestone_template_create(
            actor=world.coordinator, programme=world.programme, title="Late", offset_months=offset
        )
    assert error.value.field == "offset_months"
    assert not world.programme.milestone_templates.exists()


def test_template_duplicate_title_and_unknown_field_are_refused(world):
    template = services_path.milestone_template_create(
        actor=world.coordinator, programme=world.programme, title="Idea canvas", offset_months=1
    )
    with pytest.raises(ValidationError):
        services_path.milestone_template_create(
            actor=world.coordinator, programme=world.programme, title="Idea canvas", offset_months=2
        )
    with pytest.raises(DomainError) as error:
        services_path.milestone_template_update(actor=world.coordinator, template=template, programme=None)
    assert error.value.field == "programme"


@pytest.mark.parametrize("who", ["tutor", "participant", "evaluator"])
def test_only_coordinators_write_templates(world, who):
    with pytest.raises(NotPermitted):
        services_path.milestone_template_create(
            actor=getattr(world, who), programme=world.programme, title="X", offset_months=1
        )


def test_another_programmes_coordinator_cannot_write_templates(world, other):
    with pytest.raises(NotPermitted):
        services_path.milestone_template_create(
            actor=other.coordinator, programme=world.programme, title="X", offset_months=1
        )


# --- plan generation ---------------------------------------------------------------------


def test_plan_copies_templates_with_due_dates_from_the_start(world):
    make_templates(world)
    start = dt.date(2026, 1, 31)
    enrolment = make_enrolment(world, start)
    created = services_path.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment)
    assert [m.title for m in created] == ALL_BUT_CROWDFUNDING
    due = _due(enrolment)
    # 31 January + 1 month is clamped to the last day of February; + 36 months is the cap.
    assert due["Idea canvas"] == dt.date(2026, 2, 28)
    assert due["Business plan"] == dt.date(2026, 5, 31)
    assert due["Mid-term review"] == dt.date(2027, 7, 31)
    assert due["Exit"] == dt.date(2029, 1, 31) == enrolment.ends_on
    canvas = enrolment.milestones.get(title="Business plan")
    assert canvas.evidence_required == "Business plan document"
    assert canvas.template.title == "Business plan"
    assert {m.state for m in enrolment.milestones.all()} == {MilestoneState.PLANNED}
    assert AuditEvent.objects.filter(verb="milestone.plan", target_id=enrolment.pk).count() == 1


def test_plan_is_idempotent_and_adds_templates_created_later(world):
    make_templates(world)
    enrolment = make_enrolment(world, dt.date(2026, 1, 1))
    services_path.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment)
    assert services_path.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment) == []
    services_path.milestone_template_create(
        actor=world.coordinator, programme=world.programme, title="Social impact report", offset_months=24
    )
    added = services_path.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment)
    assert [m.title for m in added] == ["Social impact report"]
    assert enrolment.milestones.count() == len(ALL_BUT_CROWDFUNDING) + 1


def test_crowdfunding_step_only_on_that_track(world):
    make_templates(world)
    enrolment = make_enrolment(world, dt.date(2026, 1, 1))
    services_path.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment)
    assert not enrolment.milestones.filter(title="Crowdfunding campaign").exists()
    services_path.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment, crowdfunding=True)
    assert enrolment.milestones.get(title="Crowdfunding campaign").due_on == dt.date(2026, 11, 1)

    referred = f.VentureFactory(programme=world.programme)
    second = make_enrolment(world, dt.date(2026, 1, 1), venture=referred)
    second.application.crowdfunding_referral = True
    second.application.save()
    services_path.milestone_plan_generate(actor=world.coordinator, enrolment=second)
    assert second.milestones.filter(title="Crowdfunding campaign").exists()


def test_template_beyond_a_shorter_enrolment_is_flagged_after_the_end(world):
    make_templates(world)
    enrolment = make_enrolment(world, dt.date(2026, 1, 1), months=24)
    services_path.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment)
    flagged = {m.title for m in with_flags(enrolment.milestones.all()) if m.after_end}
    assert flagged == {"Final grant report", "Exit"}
    (path,) = enrolment_paths(world.coordinator, type(enrolment).objects.filter(pk=enrolment.pk))
    assert path.counts.after_end == 2


@pytest.mark.parametrize("who", ["tutor", "participant"])
def test_only_coordinators_generate_plans(world, who):
    make_templates(world)
    enrolment = make_enrolment(world, dt.date(2026, 1, 1))
    with pytest.raises(NotPermitted):
        services_path.milestone_plan_generate(actor=getattr(world, who), enrolment=enrolment)
    assert not enrolment.milestones.exists()


def test_plan_refused_on_a_closed_enrolment(world):
    make_templates(world)
    enrolment = make_enrolment(world, dt.date(2026, 1, 1))
    path_services.enrolment_change_status(
        actor=world.coordinator, enrolment=enrolment, status=EnrolmentStatus.WITHDRAWN, reason="Moved away"
    )
    with pytest.raises(DomainError) as error:
        services_path.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment)
    assert error.value.code == "enrolment_closed"


def test_admission_generates_the_plan(world):
    """The hook in the lead's ``_enrolment_create``: admitting a ranked application
    creates the enrolment and its plan in the same transaction."""
    make_templates(world)
    app = world.application
    services.application_submit(actor=world.participant, application=app)
    services.application_check(actor=world.coordinator, application=app, answers=[], eligible=True)
    evaluation = services.evaluator_assign(actor=world.coordinator, application=app, evaluator=world.evaluator)
    scores = dict.fromkeys(world.call.criteria.values_list("pk", flat=True), 10)
    services.evaluation_submit_scores(actor=world.evaluator, evaluation=evaluation, scores=scores)
    world.call.closes_at = timezone.now() - dt.timedelta(minutes=1)
    world.call.pass_threshold = 1
    world.call.save()
    services.call_compute_ranking(actor=world.coordinator, call=world.call)
    app.refresh_from_db()
    services.application_decide(
        actor=world.coordinator, application=app, decision="admit", starts_on=dt.date(2026, 3, 1)
    )
    enrolment = app.enrolment
    assert list(enrolment.milestones.values_list("title", flat=True)) == ALL_BUT_CROWDFUNDING
    assert enrolment.milestones.get(title="Idea canvas").due_on == dt.date(2026, 4, 1)


# --- the suspension clock ----------------------------------------------------------------


def _suspend_and_resume(world, enrolment, suspended_on, resumed_on, reason="Illness"):
    services_path.enrolment_suspend(actor=world.coordinator, enrolment=enrolment, reason=reason, on=suspended_on)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.SUSPENDED
    services_path.enrolment_resume(actor=world.coordinator, enrolment=enrolment, on=resumed_on)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE


def test_suspension_moves_open_milestones_and_the_end_within_the_cap(world):
    make_templates(world)
    start = dt.date(2026, 1, 1)
    enrolment = make_enrolment(world, start, months=30)  # six months of room below the cap
    services_path.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment)
    canvas = enrolment.milestones.get(title="Idea canvas")  # due 1 Feb, before the pause
    plan = enrolment.milestones.get(title="Business plan")  # due 1 May
    services_path.milestone_change_state(
        actor=world.coordinator, milestone=plan, state=MilestoneState.ACHIEVED, on=dt.date(2026, 4, 1)
    )
    before = _due(enrolment)

    _suspend_and_resume(world, enrolment, dt.date(2026, 3, 1), dt.date(2026, 3, 31))  # 30 days

    after = _due(enrolment)
    pause = dt.timedelta(days=30)
    assert enrolment.ends_on == dt.date(2028, 7, 1) + pause
    assert after["Idea canvas"] == before["Idea canvas"] == canvas.due_on  # was due before the pause
    assert after["Business plan"] == before["Business plan"]  # achieved: closed, not moved
    assert after["Legal entity constituted"] == dt.date(2026, 7, 1) + pause
    assert after["Mid-term review"] == dt.date(2027, 7, 1) + pause
    # Beyond the original end (flagged), so it stays; the end moved towards it.
    assert after["Exit"] == before["Exit"] == dt.date(2029, 1, 1)
    suspension = EnrolmentSuspension.objects.get(enrolment=enrolment)
    assert (suspension.starts_on, suspension.ends_on, suspension.days) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
        30,
    )
    assert AuditEvent.objects.filter(verb="enrolment.resume", target_id=enrolment.pk).exists()


def test_suspension_never_pushes_the_end_past_the_cap_nor_milestones_past_the_end(world):
    make_templates(world)
    start = dt.date(2026, 1, 1)
    enrolment = make_enrolment(world, start)  # the full 36 months: end == cap
    services_path.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment)
    _suspend_and_resume(world, enrolment, dt.date(2026, 6, 1), dt.date(2026, 9, 29))  # 120 days
    after = _due(enrolment)
    cap = add_months(start, 36)
    assert enrolment.ends_on == cap
    assert after["Legal entity constituted"] == dt.date(2026, 7, 1) + dt.timedelta(days=120)
    # 1 October 2028 + 120 days would be January 2029: held at the end.
    assert after["Final grant report"] == cap
    assert after["Exit"] == cap
    assert not [m for m in with_flags(enrolment.milestones.all()) if m.after_end]


def test_plan_generated_after_a_suspension_counts_the_pause(world):
    enrolment = make_enrolment(world, dt.date(2026, 1, 1), months=30)
    _suspend_and_resume(world, enrolment, dt.date(2026, 2, 1), dt.date(2026, 2, 11))
    make_templates(world)
    services_path.milestone_plan_generate(actor=world.coordinator, enrolment=enrolment)
    due = _due(enrolment)
    assert due["Idea canvas"] == dt.date(2026, 2, 1) + dt.timedelta(days=10)
    assert due["Business plan"] == dt.date(2026, 5, 1) + dt.timedelta(days=10)


def test_suspended_days_do_not_count_as_elapsed(world):
    today = timezone.localdate()
    start = today - dt.timedelta(days=100)
    enrolment = make_enrolment(world, start)
    _suspend_and_resume(world, enrolment, start + dt.timedelta(days=10), start + dt.timedelta(days=40))
    (path,) = enrolment_paths(world.coordinator, type(enrolment).objects.filter(pk=enrolment.pk))
    assert path.window.suspended_days == 30
    assert path.window.elapsed_days == 70
    assert not path.window.suspended_now


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"reason": "  "}, "reason", "reason_required"),
        ({"reason": "Illness", "on": dt.date(2025, 12, 31)}, "on", "outside_path"),
    ],
)
def test_suspension_refusals(world, kwargs, field, code):
    enrolment = make_enrolment(world, dt.date(2026, 1, 1))
    with pytest.raises(DomainError) as error:
        services_path.enrolment_suspend(actor=world.coordinator, enrolment=enrolment, **kwargs)
    assert (error.value.field, error.value.code) == (field, code)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert not EnrolmentSuspension.objects.exists()


def test_resume_refusals(world):
    enrolment = make_enrolment(world, dt.date(2026, 1, 1))
    with pytest.raises(TransitionNotAllowed):
        services_path.enrolment_resume(actor=world.coordinator, enrolment=enrolment, on=dt.date(2026, 2, 1))
    services_path.enrolment_suspend(
        actor=world.coordinator, enrolment=enrolment, reason="Illness", on=dt.date(2026, 3, 1)
    )
    with pytest.raises(DomainError) as error:
        services_path.enrolment_resume(actor=world.coordinator, enrolment=enrolment, on=dt.date(2026, 2, 1))
    assert error.value.field == "on"
    with pytest.raises(NotPermitted):
        services_path.enrolment_resume(actor=world.tutor, enrolment=enrolment)
    with pytest.raises(NotPermitted):
        services_path.enrolment_suspend(actor=world.participant, enrolment=enrolment, reason="x")


def test_a_second_suspension_cannot_start_before_the_last_resumption(world):
    enrolment = make_enrolment(world, dt.date(2026, 1, 1), months=24)
    _suspend_and_resume(world, enrolment, dt.date(2026, 3, 1), dt.date(2026, 3, 20))
    with pytest.raises(DomainError) as error:
        services_path.enrolment_suspend(
            actor=world.coordinator, enrolment=enrolment, reason="Again", on=dt.date(2026, 3, 10)
        )
    assert error.value.code == "overlap"
    _suspend_and_resume(world, enrolment, dt.date(2026, 4, 1), dt.date(2026, 4, 11))
    enrolment.refresh_from_db()
    assert enrolment.ends_on == add_months(dt.date(2026, 1, 1), 24) + dt.timedelta(days=29)


def test_milestone_model_refuses_a_waiver_without_reason_in_the_database(path):
    from django.db import IntegrityError, transaction

    milestone = path.enrolment.milestones.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.filter(pk=milestone.pk).update(state=MilestoneState.WAIVED, waiver_reason="")
