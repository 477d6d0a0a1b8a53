"""The selection pipeline through the services, from a draft to an enrolment."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incubator import services as core_services
from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.models import AuditEvent
from incubator.path import services as path_services
from incubator.path.models import Enrolment
from incubator.selection import services
from incubator.selection.models import ApplicationState as S
from tests import factories as f

pytestmark = pytest.mark.django_db


def _scores(call, *values):
    return dict(zip(call.criteria.order_by("order", "id").values_list("pk", flat=True), values, strict=True))


def _to_evaluation(world, application=None):
    app = application or world.application
    services.application_submit(actor=world.participant, application=app)
    services.application_check(actor=world.coordinator, application=app, answers=[], eligible=True)
    e1 = services.evaluator_assign(actor=world.coordinator, application=app, evaluator=world.evaluator)
    e2 = services.evaluator_assign(actor=world.coordinator, application=app, evaluator=world.evaluator2)
    return app, e1, e2


def test_full_pipeline_ranks_with_tie_break_and_admits(world):
    call = world.call
    lead = world.participant_person
    apps = [world.application]
    for _ in range(2):
        venture = f.VentureFactory(programme=world.programme)
        f.TeamMemberFactory(venture=venture, person=f.PersonFactory(programme=world.programme))
        apps.append(f.ApplicationFactory(call=call, venture=venture))
    assert lead.user == world.participant
    evaluations = {}
    for i, app in enumerate(apps):
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=i)):
            services.application_submit(actor=world.coordinator, application=app)
        services.application_check(actor=world.coordinator, application=app, answers=[], eligible=True)
        evaluations[app.pk] = [
            services.evaluator_assign(actor=world.coordinator, application=app, evaluator=world.evaluator),
            services.evaluator_assign(actor=world.coordinator, application=app, evaluator=world.evaluator2),
        ]
    # weights: Innovation x2 (max 10), Feasibility x1 (max 20)
    plan = {apps[0].pk: [(8, 10), (6, 14)], apps[1].pk: [(9, 12), (9, 12)], apps[2].pk: [(5, 5), (5, 5)]}
    for app_pk, pairs in plan.items():
        for evaluation, (a, b) in zip(evaluations[app_pk], pairs, strict=True):
            services.evaluation_submit_scores(
                actor=evaluation.evaluator, evaluation=evaluation, scores=_scores(call, a, b)
            )
    # app0: (26 + 26)/2 = 26; app1: 30; app2: 15 -> threshold 20 admits two, rejects one.
    call.pass_threshold = Decimal("20")
    call.places = 1
    call.save()
    with time_machine.travel(call.closes_at + dt.timedelta(hours=1)):
        ranked = services.call_compute_ranking(actor=world.coordinator, call=call)
        assert [a.pk for a in ranked] == [apps[1].pk, apps[0].pk, apps[2].pk]
        assert [a.score for a in ranked] == [Decimal("30.000"), Decimal("26.000"), Decimal("15.000")]
        outcome = services.call_decide_ranking(actor=world.coordinator, call=call, starts_on=dt.date(2026, 3, 1))
    assert outcome == {"admitted": 1, "waitlisted": 1, "rejected": 1}
    apps[1].refresh_from_db()
    assert apps[1].state == S.ADMITTED
    enrolment = apps[1].enrolment
    assert (enrolment.starts_on, enrolment.ends_on) == (dt.date(2026, 3, 1), dt.date(2029, 3, 1))
    assert AuditEvent.objects.filter(verb="application.admitted", target_id=apps[1].pk).exists()


def test_tie_break_is_earlier_submission(world):
    call = world.call
    apps = []
    for i in range(2):
        venture = f.VentureFactory(programme=world.programme)
        f.TeamMemberFactory(venture=venture, person=f.PersonFactory(programme=world.programme))
        app = f.ApplicationFactory(call=call, venture=venture)
        apps.append(app)
    # The second one is submitted first: it must rank first on equal scores.
    for minutes, app in ((5, apps[0]), (1, apps[1])):
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes)):
            services.application_submit(actor=world.coordinator, application=app)
    for app in apps:
        services.application_check(actor=world.coordinator, application=app, answers=[], eligible=True)
        ev = services.evaluator_assign(actor=world.coordinator, application=app, evaluator=world.evaluator)
        services.evaluation_submit_scores(actor=world.evaluator, evaluation=ev, scores=_scores(call, 5, 10))
    world.application.delete()
    with time_machine.travel(call.closes_at + dt.timedelta(hours=1)):
        ranked = services.call_compute_ranking(actor=world.coordinator, call=call)
    assert [a.pk for a in ranked] == [apps[1].pk, apps[0].pk]


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        (S.DRAFT, S.SUBMITTED, True),
        (S.DRAFT, S.ELIGIBLE, False),
        (S.SUBMITTED, S.ELIGIBLE, True),
        (S.SUBMITTED, S.INELIGIBLE, True),
        (S.SUBMITTED, S.ADMITTED, False),
        (S.ELIGIBLE, S.UNDER_EVALUATION, True),
        (S.ELIGIBLE, S.EVALUATED, False),
        (S.UNDER_EVALUATION, S.EVALUATED, True),
        (S.EVALUATED, S.ADMITTED, True),
        (S.EVALUATED, S.WAITLISTED, True),
        (S.EVALUATED, S.REJECTED, True),
        (S.WAITLISTED, S.ADMITTED, True),
        (S.WAITLISTED, S.REJECTED, True),
        (S.ADMITTED, S.WITHDRAWN, False),
        (S.REJECTED, S.ADMITTED, False),
        (S.INELIGIBLE, S.ELIGIBLE, False),
        (S.WITHDRAWN, S.SUBMITTED, False),
    ]
    + [(s, S.WITHDRAWN, True) for s in sorted(services.OPEN_STATES)],
)
def test_transition_table(world, start, to, allowed):
    app = world.application
    app.state = start
    app.submitted_at = timezone.now()
    app.save()
    if allowed:
        services._transition(actor=world.coordinator, application=app, to=to, reason="r")
        app.refresh_from_db()
        assert app.state == to
        event = AuditEvent.objects.get(target_id=app.pk, verb=f"application.{to}")
        assert (event.before, event.after["state"], event.actor) == ({"state": start}, to, world.coordinator)
    else:
        with pytest.raises(TransitionNotAllowed):
            services._transition(actor=world.coordinator, application=app, to=to)
        app.refresh_from_db()
        assert app.state == start


def test_submit_outside_call_window_is_refused(world):
    with time_machine.travel(world.call.closes_at + dt.timedelta(seconds=1)):
        with pytest.raises(DomainError) as err:
            services.application_submit(actor=world.participant, application=world.application)
    assert err.value.field == "call"
    world.application.refresh_from_db()
    assert world.application.state == S.DRAFT


def test_other_programme_coordinator_cannot_check(world, other):
    services.application_submit(actor=world.participant, application=world.application)
    with pytest.raises(NotPermitted):
        services.application_check(actor=other.coordinator, application=world.application, answers=[], eligible=True)


def test_checklist_must_be_complete_and_ineligible_needs_reason(world):
    item = world.call.checklist.create(question="Financial sustainability plan attached")
    services.application_submit(actor=world.participant, application=world.application)
    with pytest.raises(DomainError) as err:
        services.application_check(actor=world.coordinator, application=world.application, answers=[], eligible=True)
    assert err.value.field == "answers"
    with pytest.raises(DomainError) as err:
        services.application_check(
            actor=world.coordinator,
            application=world.application,
            answers=[{"item": item.pk, "answer": False}],
            eligible=False,
        )
    assert err.value.field == "reason"
    assert not world.application.checklist_answers.exists()
    services.application_check(
        actor=world.coordinator,
        application=world.application,
        answers=[{"item": item.pk, "answer": False, "note": "missing"}],
        eligible=False,
        reason="No sustainability plan",
    )
    world.application.refresh_from_db()
    assert world.application.state == S.INELIGIBLE


def test_scores_are_validated_and_recorded_once(world):
    app, e1, _e2 = _to_evaluation(world)
    call = world.call
    with pytest.raises(DomainError) as err:
        services.evaluation_submit_scores(actor=world.evaluator, evaluation=e1, scores=_scores(call, 11, 5))
    assert err.value.code == "out_of_range" and err.value.field == "scores"
    with pytest.raises(DomainError):
        services.evaluation_submit_scores(actor=world.evaluator, evaluation=e1, scores=_scores(call, -1, 5))
    with pytest.raises(DomainError) as err:
        services.evaluation_submit_scores(actor=world.evaluator, evaluation=e1, scores={})
    assert err.value.code == "incomplete"
    assert not e1.scores.exists()
    with pytest.raises(NotPermitted):
        services.evaluation_submit_scores(actor=world.evaluator2, evaluation=e1, scores=_scores(call, 5, 5))
    services.evaluation_submit_scores(actor=world.evaluator, evaluation=e1, scores=_scores(call, 10, 20))
    e1.refresh_from_db()
    assert e1.weighted_total == Decimal("40")
    with pytest.raises(DomainError) as err:
        services.evaluation_submit_scores(actor=world.evaluator, evaluation=e1, scores=_scores(call, 1, 1))
    assert err.value.code == "already_scored"


def test_recused_evaluator_cannot_score_and_others_complete_evaluation(world):
    app, e1, e2 = _to_evaluation(world)
    services.evaluation_declare_conflict(actor=world.evaluator, evaluation=e1, note="Relative of the lead")
    with pytest.raises(DomainError) as err:
        services.evaluation_submit_scores(actor=world.evaluator, evaluation=e1, scores=_scores(world.call, 1, 1))
    assert err.value.code == "recused"
    services.evaluation_submit_scores(actor=world.evaluator2, evaluation=e2, scores=_scores(world.call, 1, 1))
    app.refresh_from_db()
    assert app.state == S.EVALUATED


def test_score_range_is_a_database_rule(world):
    app, e1, _ = _to_evaluation(world)
    criterion = world.call.criteria.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        e1.scores.create(criterion=criterion, value=Decimal("99"), max_score=criterion.max_score)


def test_enrolment_over_max_months_is_refused_by_service_and_database(world):
    app = world.application
    app.state, app.submitted_at, app.score, app.rank = S.EVALUATED, timezone.now(), Decimal(90), 1
    app.save()
    with pytest.raises(DomainError) as err:
        services.application_decide(
            actor=world.coordinator,
            application=app,
            decision="admit",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2029, 2, 1),  # 37 months
        )
    assert err.value.field == "ends_on"
    app.refresh_from_db()
    assert app.state == S.EVALUATED and not Enrolment.objects.exists()
    services.application_decide(
        actor=world.coordinator, application=app, decision="admit", starts_on=dt.date(2026, 1, 1)
    )
    enrolment = Enrolment.objects.get()
    assert enrolment.ends_on == dt.date(2029, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.filter(pk=enrolment.pk).update(ends_on=dt.date(2029, 1, 2))
    with pytest.raises(DomainError):
        path_services.enrolment_update_dates(actor=world.coordinator, enrolment=enrolment, ends_on=dt.date(2029, 1, 2))


def test_reject_needs_reason_and_can_refer_to_crowdfunding(world):
    app = world.application
    app.state, app.submitted_at, app.score, app.rank = S.EVALUATED, timezone.now(), Decimal(10), 1
    app.save()
    with pytest.raises(DomainError) as err:
        services.application_decide(actor=world.coordinator, application=app, decision="reject")
    assert err.value.field == "reason"
    services.application_decide(
        actor=world.coordinator, application=app, decision="reject", reason="Low score", crowdfunding_referral=True
    )
    app.refresh_from_db()
    assert (app.state, app.crowdfunding_referral, app.decision_reason) == (S.REJECTED, True, "Low score")


def test_ranking_refused_while_call_open_or_evaluations_pending(world):
    with pytest.raises(DomainError) as err:
        services.call_compute_ranking(actor=world.coordinator, call=world.call)
    assert err.value.code == "call_open"
    _to_evaluation(world)
    with time_machine.travel(world.call.closes_at + dt.timedelta(hours=1)):
        with pytest.raises(DomainError) as err:
            services.call_compute_ranking(actor=world.coordinator, call=world.call)
    assert err.value.code == "pending"


@pytest.mark.parametrize("code", ["RSSMRA80A01F839X", "XXX", ""])
def test_invalid_tax_code_is_refused(world, code):
    with pytest.raises(ValidationError) as err:
        core_services.person_create(
            actor=world.coordinator, programme=world.programme, first_name="A", last_name="B", tax_code=code
        )
    assert "tax_code" in err.value.message_dict
    assert not world.programme.people.filter(first_name="A").exists()


def test_valid_tax_code_is_normalised(world):
    person = core_services.person_create(
        actor=world.coordinator,
        programme=world.programme,
        first_name="A",
        last_name="B",
        tax_code=f.tax_code(999).lower(),
    )
    assert person.tax_code == f.tax_code(999)


def test_legal_form_history_keeps_dates(world):
    core_services.venture_change_legal_form(
        actor=world.coordinator,
        venture=world.venture,
        legal_form="social_cooperative",
        effective_on=dt.date(2026, 5, 1),
    )
    assert list(world.venture.legal_forms.values_list("legal_form", flat=True)) == [
        "informal_group",
        "social_cooperative",
    ]
    with pytest.raises(DomainError):
        core_services.venture_change_legal_form(
            actor=world.coordinator, venture=world.venture, legal_form="company", effective_on=dt.date(2026, 4, 1)
        )
