"""Writes from the back office: workflow actions and add/change forms, all through the
services. A refusal shows an error and changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from incubator import models
from incubator.path import models as path_models
from incubator.selection import models as m
from incubator.selection import services
from incubator.selection.models import ApplicationState as S
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    # English messages whatever catalogues are compiled: the assertions read them.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def coordinator_client(client, world):
    client.force_login(world.coordinator)
    return client


def changelist(name):
    return reverse(f"admin:incubator_{name}_changelist")


def change(name, obj):
    return reverse(f"admin:incubator_{name}_change", args=[obj.pk])


def act(client, name, action, objects, data=None, *, apply=True):
    """Runs an admin action from the changelist; ``apply`` confirms its intermediate page."""
    post = {"action": action, "_selected_action": [o.pk for o in objects], **(data or {})}
    if apply:
        post["_apply"] = "1"
    return client.post(changelist(name), post)


def errors(response) -> list[str]:
    return [str(msg) for msg in get_messages(response.wsgi_request) if msg.level_tag == "error"]


def successes(response) -> list[str]:
    return [str(msg) for msg in get_messages(response.wsgi_request) if msg.level_tag == "success"]


def refresh(obj):
    obj.refresh_from_db()
    return obj


def submitted(world, application=None):
    application = application or world.application
    return services.application_submit(actor=world.coordinator, application=application)


def eligible(world, application=None):
    application = submitted(world, application)
    return services.application_check(actor=world.coordinator, application=application, answers=[], eligible=True)


def evaluated(world, application=None, scores=(8, 14)):
    application = eligible(world, application)
    criteria = list(world.call.criteria.order_by("order", "id").values_list("pk", flat=True))
    evaluations = [
        services.evaluator_assign(actor=world.coordinator, application=application, evaluator=evaluator)
        for evaluator in (world.evaluator, world.evaluator2)
    ]
    for evaluation in evaluations:
        evaluator = evaluation.evaluator
        services.evaluation_submit_scores(
            actor=evaluator, evaluation=evaluation, scores=dict(zip(criteria, scores, strict=True))
        )
    return refresh(application)


def close_call(call):
    m.Call.objects.filter(pk=call.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=60), closes_at=timezone.now() - dt.timedelta(days=1)
    )
    return refresh(call)


def ranked(world, scores=(8, 14)):
    application = evaluated(world, scores=scores)
    call = close_call(world.call)
    m.Call.objects.filter(pk=call.pk).update(pass_threshold=Decimal("20"))
    services.call_compute_ranking(actor=world.coordinator, call=refresh(call))
    return refresh(application)


# --- applications ---------------------------------------------------------------------------


def test_submit_action(coordinator_client, world):
    response = act(coordinator_client, "application", "submit", [world.application])
    assert response.status_code == 302
    assert refresh(world.application).state == S.SUBMITTED
    assert successes(response)


def test_mark_eligible_answers_the_checklist(coordinator_client, world):
    item = m.ChecklistItem.objects.create(call=world.call, question="Financial sustainability plan attached")
    application = submitted(world)
    page = act(coordinator_client, "application", "mark_eligible", [application], apply=False)
    assert page.status_code == 200
    assert "Financial sustainability plan attached" in page.text
    assert refresh(application).state == S.SUBMITTED
    field = f"answer_{application.pk}_{item.pk}"
    response = act(
        coordinator_client,
        "application",
        "mark_eligible",
        [application],
        {field: "yes", f"note_{application.pk}_{item.pk}": "Plan on file"},
    )
    assert response.status_code == 302
    assert refresh(application).state == S.ELIGIBLE
    answer = m.ChecklistAnswer.objects.get(application=application, item=item)
    assert (answer.answer, answer.note) == (True, "Plan on file")


def test_mark_eligible_refused_on_a_draft_changes_nothing(coordinator_client, world):
    response = act(coordinator_client, "application", "mark_eligible", [world.application])
    assert response.status_code == 302
    assert any("Only submitted applications can be checked" in e for e in errors(response))
    assert refresh(world.application).state == S.DRAFT
    assert not models.AuditEvent.objects.filter(verb__in=["application.eligible", "application.ineligible"]).exists()


def test_mark_ineligible_asks_for_a_reason(coordinator_client, world):
    application = submitted(world)
    page = act(coordinator_client, "application", "mark_ineligible", [application])
    assert page.status_code == 200
    assert page.context["form"].errors["reason"]
    assert refresh(application).state == S.SUBMITTED
    response = act(coordinator_client, "application", "mark_ineligible", [application], {"reason": "Outside the area"})
    assert response.status_code == 302
    assert refresh(application).state == S.INELIGIBLE
    event = models.AuditEvent.objects.get(verb="application.ineligible", target_id=application.pk)
    assert (event.actor, event.reason) == (world.coordinator, "Outside the area")


def test_assign_evaluators_offers_the_programme_evaluators(coordinator_client, world, other):
    application = eligible(world)
    page = act(coordinator_client, "application", "assign_evaluators", [application], apply=False)
    offered = set(page.context["form"].fields["evaluators"].queryset)
    assert offered == {world.evaluator, world.evaluator2}
    response = act(
        coordinator_client,
        "application",
        "assign_evaluators",
        [application],
        {"evaluators": [world.evaluator.pk, world.evaluator2.pk]},
    )
    assert response.status_code == 302
    assert refresh(application).state == S.UNDER_EVALUATION
    assert set(application.evaluations.values_list("evaluator", flat=True)) == {world.evaluator.pk, world.evaluator2.pk}
    # Another programme's evaluator is not a valid choice.
    page = act(
        coordinator_client, "application", "assign_evaluators", [application], {"evaluators": [other.evaluator.pk]}
    )
    assert page.status_code == 200
    assert page.context["form"].errors["evaluators"]


def test_assign_evaluators_refused_changes_nothing(coordinator_client, world):
    response = act(
        coordinator_client,
        "application",
        "assign_evaluators",
        [world.application],
        {"evaluators": [world.evaluator.pk]},
    )
    assert errors(response)
    assert refresh(world.application).state == S.DRAFT
    assert not m.Evaluation.objects.exists()


def test_decide_reject_needs_a_reason_then_refer_to_crowdfunding(coordinator_client, world):
    application = ranked(world)
    assert application.state == S.EVALUATED
    response = act(coordinator_client, "application", "decide", [application], {"decision": "reject"})
    assert any("Give the reason for the rejection" in e for e in errors(response))
    assert refresh(application).state == S.EVALUATED
    response = act(
        coordinator_client, "application", "decide", [application], {"decision": "reject", "reason": "Weak plan"}
    )
    assert successes(response)
    assert (refresh(application).state, application.decision_reason) == (S.REJECTED, "Weak plan")
    response = act(coordinator_client, "application", "refer_to_crowdfunding", [application])
    assert successes(response)
    assert refresh(application).crowdfunding_referral is True


def test_decide_admit_creates_the_enrolment(coordinator_client, world):
    application = ranked(world)
    response = act(
        coordinator_client, "application", "decide", [application], {"decision": "admit", "starts_on": "2026-03-01"}
    )
    assert successes(response)
    assert refresh(application).state == S.ADMITTED
    assert application.enrolment.starts_on == dt.date(2026, 3, 1)


def test_refer_to_crowdfunding_refused_on_a_draft(coordinator_client, world):
    response = act(coordinator_client, "application", "refer_to_crowdfunding", [world.application])
    assert errors(response)
    assert refresh(world.application).crowdfunding_referral is False


def test_withdraw_from_the_change_page_shows_in_history(coordinator_client, world):
    url = change("application", world.application)
    base = {"CHANGE_FORM-action": "withdraw", "_selected_action": world.application.pk}
    page = coordinator_client.post(url, base)
    assert page.status_code == 200
    assert page.context["action_field"] == "CHANGE_FORM-action"
    response = coordinator_client.post(url, {**base, "_apply": "1", "reason": "The team split up"})
    assert response.status_code == 302
    assert response["Location"] == url
    assert refresh(world.application).state == S.WITHDRAWN
    history = coordinator_client.get(url)
    assert "The team split up" in history.text
    assert "Draft → Withdrawn" in history.text


def test_withdraw_refused_when_already_closed_changes_nothing(coordinator_client, world):
    services.application_withdraw(actor=world.coordinator, application=world.application, reason="First time")
    before = models.AuditEvent.objects.count()
    response = act(coordinator_client, "application", "withdraw", [world.application], {"reason": "Again"})
    assert any("cannot go from" in e for e in errors(response))
    assert models.AuditEvent.objects.count() == before


def test_bulk_action_is_all_or_nothing(coordinator_client, world):
    second = f.ApplicationFactory(
        call=world.call, venture=f.TeamMemberFactory(venture__programme=world.programme).venture
    )
    submitted(world)
    # The first could be withdrawn, the second is closed already: the first stays as it was.
    services.application_withdraw(actor=world.coordinator, application=second, reason="Earlier")
    response = act(coordinator_client, "application", "withdraw", [world.application, second], {"reason": "Both"})
    assert [e for e in errors(response) if str(second) in e]
    assert refresh(world.application).state == S.SUBMITTED
    assert not models.AuditEvent.objects.filter(verb="application.withdrawn", target_id=world.application.pk).exists()


def test_actions_cannot_reach_another_programme(coordinator_client, world, other):
    response = act(coordinator_client, "application", "withdraw", [other.application], {"reason": "Not mine"})
    assert response.status_code == 302
    assert refresh(other.application).state == S.DRAFT


# --- calls ----------------------------------------------------------------------------------


def test_compute_and_decide_the_ranking(coordinator_client, world):
    application = evaluated(world)
    close_call(world.call)
    m.Call.objects.filter(pk=world.call.pk).update(pass_threshold=Decimal("20"))
    response = act(coordinator_client, "call", "compute_ranking", [world.call])
    assert successes(response)
    assert refresh(world.call).ranking_published_at is not None
    assert (refresh(application).rank, application.score) == (1, Decimal("30.000"))
    page = act(coordinator_client, "call", "decide_ranking", [world.call], apply=False)
    assert page.status_code == 200
    response = act(coordinator_client, "call", "decide_ranking", [world.call], {"starts_on": "2026-04-01"})
    assert successes(response)
    assert refresh(application).state == S.ADMITTED
    assert application.enrolment.starts_on == dt.date(2026, 4, 1)


def test_compute_ranking_refused_while_the_call_is_open(coordinator_client, world):
    response = act(coordinator_client, "call", "compute_ranking", [world.call])
    assert any("only after the call closes" in e for e in errors(response))
    assert refresh(world.call).ranking_published_at is None


def test_decide_ranking_refused_without_ranked_applications(coordinator_client, world):
    response = act(coordinator_client, "call", "decide_ranking", [world.call], {"starts_on": ""})
    assert any("no ranked application" in e for e in errors(response))
    assert not path_models.Enrolment.objects.exists()


# --- enrolments ------------------------------------------------------------------------------


@pytest.fixture
def enrolment(world):
    return f.EnrolmentFactory(application__call=world.call)


def test_withdraw_enrolment_asks_reason(coordinator_client, enrolment):
    page = act(coordinator_client, "enrolment", "withdraw", [enrolment])
    assert page.status_code == 200 and page.context["form"].errors["reason"]
    response = act(coordinator_client, "enrolment", "withdraw", [enrolment], {"reason": "Moved abroad", "on": ""})
    assert successes(response)
    assert (refresh(enrolment).status, enrolment.exit_reason) == ("withdrawn", "Moved abroad")


def test_complete_enrolment_twice_is_refused(coordinator_client, enrolment):
    assert successes(act(coordinator_client, "enrolment", "complete", [enrolment], {"reason": "", "on": ""}))
    response = act(coordinator_client, "enrolment", "complete", [enrolment], {"reason": "", "on": ""})
    assert any("cannot go from" in e for e in errors(response))
    assert refresh(enrolment).status == "completed"


def test_suspend_and_resume_enrolment(coordinator_client, enrolment):
    on = enrolment.starts_on + dt.timedelta(days=10)
    response = act(coordinator_client, "enrolment", "suspend", [enrolment], {"reason": "Illness", "on": on.isoformat()})
    assert successes(response), errors(response)
    assert refresh(enrolment).status == "suspended"
    response = act(
        coordinator_client, "enrolment", "resume", [enrolment], {"on": (on + dt.timedelta(days=5)).isoformat()}
    )
    assert successes(response), errors(response)
    assert refresh(enrolment).status == "active"


def test_enrolment_end_date_through_the_service(coordinator_client, enrolment):
    url = change("enrolment", enrolment)
    response = coordinator_client.post(
        url,
        {"ends_on": "2029-06-30", "change_reason": "", "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert "at most 36 months" in response.text
    assert refresh(enrolment).ends_on == dt.date(2028, 12, 31)
    response = coordinator_client.post(
        url,
        {
            "ends_on": "2028-06-30",
            "change_reason": "Plan shortened",
            "milestones-TOTAL_FORMS": "0",
            "milestones-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert refresh(enrolment).ends_on == dt.date(2028, 6, 30)
    assert models.AuditEvent.objects.get(verb="enrolment.dates").reason == "Plan shortened"


# --- add and change forms ------------------------------------------------------------------------


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def person_data(world, **changes):
    return {
        "programme": world.programme.pk,
        "first_name": "Niccolò",
        "last_name": "Esposito",
        "tax_code": f.tax_code(9001),
        "email": "niccolo@example.org",
        "phone": "",
        **changes,
    }


def test_add_person_through_the_service(coordinator_client, world):
    response = coordinator_client.post(reverse("admin:incubator_person_add"), person_data(world))
    assert response.status_code == 302
    person = models.Person.objects.get(last_name="Esposito")
    assert person.programme == world.programme
    assert models.AuditEvent.objects.filter(verb="person.create", target_id=person.pk, actor=world.coordinator).exists()


def test_add_person_with_bad_tax_code_is_a_form_error(coordinator_client, world):
    response = coordinator_client.post(
        reverse("admin:incubator_person_add"), person_data(world, tax_code="RSSMRA80A01F839X")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tax_code"]
    assert not models.Person.objects.filter(last_name="Esposito").exists()


def test_add_person_in_another_programme_is_refused(coordinator_client, world, other):
    response = coordinator_client.post(
        reverse("admin:incubator_person_add"), person_data(world, programme=other.programme.pk)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["programme"]
    assert not models.Person.objects.filter(last_name="Esposito").exists()


def test_change_person_through_the_service(coordinator_client, world):
    person = world.participant_person
    data = {
        "first_name": person.first_name,
        "last_name": "Rossi",
        "tax_code": person.tax_code,
        "email": person.email,
        "phone": "081 123456",
    }
    response = coordinator_client.post(change("person", person), data)
    assert response.status_code == 302
    assert (refresh(person).last_name, person.phone) == ("Rossi", "081 123456")
    event = models.AuditEvent.objects.get(verb="person.update", target_id=person.pk)
    assert event.after == {"changed": ["last_name", "phone"]}


def call_data(world, criteria=1, checklist=1):
    data = {
        "programme": world.programme.pk,
        "title": "Second call",
        "reference": "AV-2",
        "opens_at_0": "2026-01-01",
        "opens_at_1": "09:00:00",
        "closes_at_0": "2026-03-31",
        "closes_at_1": "12:00:00",
        "themes": ["social_cohesion"],
        "places": "5",
        "pass_threshold": "60",
        "grant_min": "25000",
        "grant_max": "140000",
        "max_months": "36",
        "grant_attendance_threshold": "80",
        **management("criteria", criteria),
        **management("checklist", checklist),
    }
    for i in range(criteria):
        data |= {
            f"criteria-{i}-name": f"Criterion {i}",
            f"criteria-{i}-weight": "1",
            f"criteria-{i}-max_score": "10",
            f"criteria-{i}-order": str(i),
        }
    for i in range(checklist):
        data |= {
            f"checklist-{i}-kind": "eligibility",
            f"checklist-{i}-question": f"Question {i}",
            f"checklist-{i}-order": str(i),
        }
    return data


def test_add_call_with_criteria_and_checklist(coordinator_client, world):
    response = coordinator_client.post(reverse("admin:incubator_call_add"), call_data(world, criteria=2))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    call = m.Call.objects.get(title="Second call")
    assert list(call.criteria.values_list("name", flat=True)) == ["Criterion 0", "Criterion 1"]
    assert call.checklist.count() == 1
    assert call.themes == ["social_cohesion"]
    assert models.AuditEvent.objects.filter(verb="call.create", target_id=call.pk).exists()


def test_add_call_without_criteria_shows_the_service_error(coordinator_client, world):
    response = coordinator_client.post(reverse("admin:incubator_call_add"), call_data(world, criteria=0))
    assert response.status_code == 200
    assert "at least one evaluation criterion" in str(response.context["adminform"].form.non_field_errors())
    assert not m.Call.objects.filter(title="Second call").exists()


def venture_data(world, **extra):
    return {
        "programme": world.programme.pk,
        "title": "Orto sociale",
        "summary": "",
        "social_need": "",
        "themes": ["circular_economy"],
        "target_area": "Municipalità 6",
        "applicant_kind": "individual",
        "legal_form": "informal_group",
        "legal_form_since": "2026-01-15",
        **management("team", 1),
        "team-0-person": world.participant_person.pk,
        "team-0-role": "lead",
        "team-0-joined_on": "",
        "team-0-left_on": "",
        **extra,
    }


def test_add_venture_with_its_team(coordinator_client, world):
    response = coordinator_client.post(reverse("admin:incubator_venture_add"), venture_data(world))
    assert response.status_code == 302
    venture = models.Venture.objects.get(title="Orto sociale")
    assert list(venture.team.values_list("person", "role")) == [(world.participant_person.pk, "lead")]
    assert venture.legal_forms.get().effective_on == dt.date(2026, 1, 15)


def test_add_venture_refuses_a_person_of_another_programme(coordinator_client, world, other):
    response = coordinator_client.post(
        reverse("admin:incubator_venture_add"), venture_data(world, **{"team-0-person": other.participant_person.pk})
    )
    assert response.status_code == 200
    assert not models.Venture.objects.filter(title="Orto sociale").exists()


def _venture_change(world, legal_form_row: dict) -> dict:
    venture = world.venture
    member = venture.team.get()
    current = venture.legal_forms.get()
    return {
        # The venture's own fields (unchanged) are on the change form too (venture_update).
        "title": venture.title,
        "summary": venture.summary,
        "social_need": venture.social_need,
        "themes": venture.themes,
        "target_area": venture.target_area,
        "applicant_kind": venture.applicant_kind,
        **management("team", 1, 1),
        "team-0-id": member.pk,
        "team-0-venture": venture.pk,
        **management("legal_forms", 2, 1),
        "legal_forms-0-id": current.pk,
        "legal_forms-0-venture": venture.pk,
        "legal_forms-1-venture": venture.pk,
        **{f"legal_forms-1-{k}": v for k, v in legal_form_row.items()},
    }


def test_change_venture_adds_a_legal_form_through_the_service(coordinator_client, world):
    data = _venture_change(
        world, {"legal_form": "social_cooperative", "effective_on": "2026-02-01", "registration_number": "", "note": ""}
    )
    response = coordinator_client.post(change("venture", world.venture), data)
    assert response.status_code == 302
    assert world.venture.legal_forms.order_by("-effective_on").first().legal_form == "social_cooperative"
    assert models.AuditEvent.objects.filter(verb="venture.legal_form", target_id=world.venture.pk).exists()


def test_change_venture_fields_through_the_service(coordinator_client, world):
    data = _venture_change(world, {})
    data["title"] = "Cucina di comunità"
    data.update(management("legal_forms", 1, 1))
    response = coordinator_client.post(change("venture", world.venture), data)
    assert response.status_code == 302
    world.venture.refresh_from_db()
    assert world.venture.title == "Cucina di comunità"
    assert models.AuditEvent.objects.filter(verb="venture.update", target_id=world.venture.pk).exists()


def test_change_venture_refused_legal_form_date_is_a_form_error(coordinator_client, world):
    data = _venture_change(
        world, {"legal_form": "association", "effective_on": "2024-06-01", "registration_number": "", "note": ""}
    )
    response = coordinator_client.post(change("venture", world.venture), data)
    assert response.status_code == 200
    assert "dated after the current form" in str(response.context["adminform"].form.non_field_errors())
    assert world.venture.legal_forms.count() == 1


def test_add_application_through_the_service(coordinator_client, world):
    venture = f.VentureFactory(programme=world.programme)
    response = coordinator_client.post(
        reverse("admin:incubator_application_add"), {"venture": venture.pk, "call": world.call.pk}
    )
    assert response.status_code == 302
    assert m.Application.objects.get(venture=venture).state == S.DRAFT
    assert models.AuditEvent.objects.filter(verb="application.create").exists()


def test_add_application_refused_kind_is_a_form_error(coordinator_client, world):
    m.Call.objects.filter(pk=world.call.pk).update(eligible_applicant_kinds=["association"])
    venture = f.VentureFactory(programme=world.programme)
    response = coordinator_client.post(
        reverse("admin:incubator_application_add"), {"venture": venture.pk, "call": world.call.pk}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["venture"]
    assert not m.Application.objects.filter(venture=venture).exists()


def test_admin_adds_programme_and_grants_roles(client, admin_user, world):
    client.force_login(admin_user)
    data = {
        "name": "WECARE",
        "code": "WE-1",
        "action": "",
        "fund": "FSE",
        "cup": "",
        "budget": "100000",
        "starts_on": "2026-01-01",
        "ends_on": "2027-12-31",
        "target_areas": "Torino\nCuneo",
        "managing_body": "Regione Piemonte",
        "last_payment_on": "",
        **management("roles", 1),
        "roles-0-user": world.tutor.pk,
        "roles-0-role": "coordinator",
    }
    response = client.post(reverse("admin:incubator_programme_add"), data)
    assert response.status_code == 302
    programme = models.Programme.objects.get(code="WE-1")
    assert programme.target_areas == ["Torino", "Cuneo"]
    assert models.RoleAssignment.objects.filter(user=world.tutor, programme=programme, role="coordinator").exists()
    assert models.AuditEvent.objects.filter(verb="role.grant", programme=programme).exists()


def test_coordinator_cannot_add_programmes(coordinator_client):
    assert coordinator_client.post(reverse("admin:incubator_programme_add"), {"name": "X"}).status_code == 403


def test_admin_grants_a_role_from_the_user_page(client, admin_user, world, other):
    client.force_login(admin_user)
    user = world.tutor
    response = client.post(
        change("user", user),
        {
            "username": user.username,
            "first_name": "",
            "last_name": "",
            "email": user.email,
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            **management("roles", 2, 1),
            "roles-0-id": user.roles.get().pk,
            "roles-0-user": user.pk,
            "roles-1-user": user.pk,
            "roles-1-programme": other.programme.pk,
            "roles-1-role": "tutor",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert models.RoleAssignment.objects.filter(user=user, programme=other.programme, role="tutor").exists()


def test_add_milestone_template_through_the_service(coordinator_client, world):
    data = {
        "programme": world.programme.pk,
        "title": "Incorporation",
        "description": "",
        "offset_months": "12",
        "evidence_required": "Deed",
        "order": "0",
    }
    response = coordinator_client.post(reverse("admin:incubator_milestonetemplate_add"), data)
    assert response.status_code == 302
    template = path_models.MilestoneTemplate.objects.get(title="Incorporation")
    assert models.AuditEvent.objects.filter(verb="milestone_template.create", target_id=template.pk).exists()
    response = coordinator_client.post(change("milestonetemplate", template), {**data, "offset_months": "40"})
    assert response.status_code == 200
    assert refresh(template).offset_months == 12
