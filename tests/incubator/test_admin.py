"""The back office's reach: who may open which admin page, and what they see there."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from incubator import audit
from incubator import models as m
from incubator.path import models as path_models
from incubator.selection import models as selection_models
from tests import factories as f

pytestmark = pytest.mark.django_db


def build_records(world) -> dict[str, object]:
    """One record of every back-office model in the world's programme."""
    enrolment = f.EnrolmentFactory(application__call=world.call)
    template = path_models.MilestoneTemplate.objects.create(
        programme=world.programme, title="Business plan", offset_months=6
    )
    return {
        "programme": world.programme,
        "call": world.call,
        "person": world.participant_person,
        "venture": world.venture,
        "application": world.application,
        "evaluation": selection_models.Evaluation.objects.create(
            application=world.application, evaluator=world.evaluator
        ),
        "enrolment": enrolment,
        "milestonetemplate": template,
        "milestone": path_models.Milestone.objects.create(
            enrolment=enrolment, template=template, title="Business plan", due_on=dt.date(2026, 7, 1)
        ),
        "auditevent": audit.record(
            actor=world.coordinator, verb="test.event", target=world.application, programme_id=world.programme.pk
        ),
    }


MODELS = [
    "programme",
    "call",
    "person",
    "venture",
    "application",
    "evaluation",
    "enrolment",
    "milestonetemplate",
    "milestone",
    "auditevent",
]
ADDABLE_BY_COORDINATOR = {"call", "person", "venture", "application", "milestonetemplate"}


@pytest.fixture
def records(world):
    return build_records(world)


@pytest.fixture
def other_records(other):
    return build_records(other)


def changelist(name):
    return reverse(f"admin:incubator_{name}_changelist")


def change(name, obj):
    return reverse(f"admin:incubator_{name}_change", args=[obj.pk])


def listed(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.fixture
def staff_without_role(db):
    return f.UserFactory(username="staff-only", is_staff=True)


@pytest.mark.parametrize("name", MODELS)
def test_coordinator_lists_and_opens_own_records_only(client, world, records, other_records, name):
    client.force_login(world.coordinator)
    response = client.get(changelist(name))
    assert response.status_code == 200
    assert records[name].pk in listed(response)
    assert other_records[name].pk not in listed(response)
    assert client.get(change(name, records[name])).status_code == 200
    # Another programme's record: not found, like a record that does not exist.
    assert client.get(change(name, other_records[name])).status_code == 404
    assert client.get(reverse(f"admin:incubator_{name}_change", args=[999999])).status_code == 404


@pytest.mark.parametrize("name", MODELS)
def test_admin_sees_every_programme(client, admin_user, records, other_records, name):
    client.force_login(admin_user)
    response = client.get(changelist(name))
    assert response.status_code == 200
    assert {records[name].pk, other_records[name].pk} <= listed(response)
    assert client.get(change(name, other_records[name])).status_code == 200


@pytest.mark.parametrize("name", MODELS)
def test_add_page_only_where_adding_is_allowed(client, world, admin_user, name):
    url = reverse(f"admin:incubator_{name}_add")
    client.force_login(world.coordinator)
    assert client.get(url).status_code == (200 if name in ADDABLE_BY_COORDINATOR else 403)
    client.force_login(admin_user)
    assert client.get(url).status_code == (200 if name in ADDABLE_BY_COORDINATOR | {"programme"} else 403)


@pytest.mark.parametrize("role", ["evaluator", "tutor", "participant"])
@pytest.mark.parametrize("name", MODELS)
def test_other_roles_have_no_admin_access(client, world, records, role, name):
    client.force_login(getattr(world, role))
    for url in (changelist(name), change(name, records[name]), reverse(f"admin:incubator_{name}_add")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", MODELS)
def test_staff_without_coordinator_role_sees_nothing(client, staff_without_role, records, name):
    client.force_login(staff_without_role)
    assert client.get(changelist(name)).status_code == 403
    assert client.get(change(name, records[name])).status_code == 404


def test_admin_index_lists_models_for_coordinators_only(client, world, staff_without_role):
    client.force_login(world.coordinator)
    models = {m["object_name"] for app in client.get(reverse("admin:index")).context["app_list"] for m in app["models"]}
    assert {"Application", "Call", "Person", "AuditEvent"} <= models
    assert "User" not in models
    client.force_login(staff_without_role)
    assert client.get(reverse("admin:index")).context["app_list"] == []


def test_user_admin_is_for_administrators(client, world, admin_user):
    client.force_login(world.coordinator)
    assert client.get(changelist("user")).status_code == 403
    client.force_login(admin_user)
    response = client.get(changelist("user"))
    assert response.status_code == 200
    assert world.coordinator.pk in listed(response)
    assert client.get(change("user", world.coordinator)).status_code == 200


def test_coordinator_cannot_change_read_only_records(client, world, records):
    client.force_login(world.coordinator)
    for name in ("application", "evaluation", "milestone", "auditevent"):
        response = client.post(change(name, records[name]), {"_save": "Save"})
        assert response.status_code == 403, name


def test_coordinator_changes_programme_through_the_service_and_not_its_code(client, world, other):
    client.force_login(world.coordinator)
    page = client.get(change("programme", world.programme))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "code" not in form.fields and "budget" in form.fields
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"budget": "3000000.00", "target_areas": "Municipalità 1", "_save": "Save"})
    for prefix in ("roles",):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(change("programme", world.programme), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    world.programme.refresh_from_db()
    assert str(world.programme.budget) == "3000000.00"
    assert m.AuditEvent.objects.filter(verb="programme.update", target_id=world.programme.pk).exists()
    assert client.get(change("programme", other.programme)).status_code == 404


def test_call_fields_close_as_the_call_advances(client, world):
    client.force_login(world.coordinator)
    # The world's call is open: its opening date and themes are fixed, the deadline is not.
    form = client.get(change("call", world.call)).context["adminform"].form
    assert "closes_at" in form.fields and "opens_at" not in form.fields and "themes" not in form.fields
    world.call.ranking_published_at = world.call.closes_at
    world.call.save()
    form = client.get(change("call", world.call)).context["adminform"].form
    assert set(form.fields) == {"title", "reference", "grant_attendance_threshold"}


def test_filters_offer_only_visible_choices(client, world, other, records, other_records):
    # A filter shows when it has two choices or more: give the coordinator a second programme.
    second = f.ProgrammeFactory()
    m.RoleAssignment.objects.create(user=world.coordinator, programme=second, role="coordinator")
    f.PersonFactory(programme=second)
    client.force_login(world.coordinator)
    response = client.get(changelist("person"))
    filter_choices = {label for spec in response.context["cl"].filter_specs for _pk, label in spec.lookup_choices}
    assert filter_choices == {str(world.programme), str(second)}


def test_foreign_key_choices_are_limited_to_visible_records(client, world, other):
    client.force_login(world.coordinator)
    form = client.get(reverse("admin:incubator_person_add")).context["adminform"].form
    assert list(form.fields["programme"].queryset) == [world.programme]
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "incubator", "model_name": "application", "field_name": "venture", "term": ""},
    )
    assert response.status_code == 200
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert ids == {world.venture.pk}


def test_audit_trail_filters_by_verb_programme_and_actor(client, world, records):
    audit.record(actor=world.evaluator, verb="other.verb", target=world.venture, programme_id=world.programme.pk)
    client.force_login(world.coordinator)
    assert len(listed(client.get(changelist("auditevent")))) == 2
    response = client.get(changelist("auditevent"), {"verb": "test.event"})
    assert listed(response) == {records["auditevent"].pk}
    response = client.get(changelist("auditevent"), {"actor__id__exact": world.evaluator.pk})
    assert {e.verb for e in response.context["cl"].result_list} == {"other.verb"}
    response = client.get(changelist("auditevent"), {"programme__id__exact": world.programme.pk})
    assert len(listed(response)) == 2
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    response = client.get(changelist("auditevent"), {"at__gte": midnight.isoformat()})
    assert len(listed(response)) == 2
    response = client.get(changelist("auditevent"), {"at__lt": midnight.isoformat()})
    assert listed(response) == set()


def test_audit_event_change_page_is_read_only(client, world, records):
    client.force_login(world.coordinator)
    response = client.get(change("auditevent", records["auditevent"]))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert "test.event" in response.text
    assert f'href="{change("application", world.application)}"' in response.text


@pytest.mark.parametrize("name", ["application", "call", "venture", "enrolment", "person"])
def test_change_page_lists_the_record_history(client, world, records, other_records, name):
    audit.record(
        actor=world.coordinator,
        verb="test.history",
        target=records[name],
        programme_id=world.programme.pk,
        before={"state": "submitted"},
        after={"state": "eligible"},
        reason="Checked on paper",
    )
    audit.record(actor=world.coordinator, verb="test.here-not", target=other_records[name], programme_id=None)
    client.force_login(world.coordinator)
    response = client.get(change(name, records[name]))
    history = response.context["audit_history"]
    assert [(row["verb"], row["actor"], row["reason"]) for row in history if row["verb"] == "test.history"] == [
        ("test.history", world.coordinator, "Checked on paper")
    ]
    assert not any(row["verb"] == "test.here-not" for row in history)
    assert 'id="audit-history"' in response.text
    assert "state: Submitted → Eligible" in response.text


def test_read_only_pages_have_no_history_section(client, world, records):
    client.force_login(world.coordinator)
    assert "audit_history" not in client.get(change("milestone", records["milestone"])).context


# --- query budgets: the same number of queries for 1 row and for 50 ------------------------------


def _grow(name: str, world, n: int) -> None:
    """Bring the rows of ``name`` the coordinator sees to ``n``."""
    programme, call = world.programme, world.call
    if name == "programme":
        for _ in range(n - 1):
            m.RoleAssignment.objects.create(user=world.coordinator, programme=f.ProgrammeFactory(), role="coordinator")
    elif name == "call":
        f.CallFactory.create_batch(n - 1, programme=programme)
    elif name == "person":
        f.PersonFactory.create_batch(n - 1, programme=programme)
    elif name == "venture":
        for venture in f.VentureFactory.create_batch(n - 1, programme=programme):
            m.LegalFormChange.objects.create(venture=venture, legal_form="association", effective_on="2025-02-01")
    elif name == "application":
        f.ApplicationFactory.create_batch(n - 1, call=call)
    elif name == "evaluation":
        selection_models.Evaluation.objects.create(application=world.application, evaluator=world.evaluator)
        for application in f.ApplicationFactory.create_batch(n - 1, call=call):
            selection_models.Evaluation.objects.create(application=application, evaluator=world.evaluator2)
    elif name == "enrolment":
        f.EnrolmentFactory.create_batch(n, application__call=call)
    elif name == "milestonetemplate":
        for i in range(n):
            path_models.MilestoneTemplate.objects.create(programme=programme, title=f"Step {i}", offset_months=i % 36)
    elif name == "milestone":
        enrolment = f.EnrolmentFactory(application__call=call)
        for i in range(n):
            path_models.Milestone.objects.create(enrolment=enrolment, title=f"Step {i}", due_on=dt.date(2026, 1, 1))
    elif name == "auditevent":
        for _ in range(n):
            audit.record(actor=world.coordinator, verb="test.event", target=world.venture, programme_id=programme.pk)


# Every changelist: session, user, the user's roles (then cached on the user), the
# permission tables twice for other apps' admins in the sidebar (cached too), the page's
# row count and the rows (with list_select_related): 7. Then one query per filter that
# reads its choices from the rows (related-only and all-values filters).
CHANGELIST_QUERIES = {
    "programme": 7,
    "call": 8,  # + programme filter
    "person": 8,  # + programme filter
    "venture": 8,  # + programme filter (the legal form is a subquery of the rows' query)
    "application": 9,  # + call and programme filters
    "evaluation": 9,  # + call and evaluator filters
    "enrolment": 9,  # + call and programme filters
    "milestonetemplate": 8,  # + programme filter
    "milestone": 8,  # + programme filter
    "auditevent": 10,  # + verb, programme and actor filters
}


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("name", MODELS)
def test_changelist_query_count_does_not_grow_with_rows(client, world, django_assert_num_queries, name, rows):
    _grow(name, world, rows)
    client.force_login(world.coordinator)
    with django_assert_num_queries(CHANGELIST_QUERIES[name]):
        response = client.get(changelist(name))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_user_changelist_query_count(client, admin_user, django_assert_num_queries, rows):
    f.UserFactory.create_batch(rows - 1)
    client.force_login(admin_user)
    # session, user, count, rows (an administrator needs no role lookup)
    with django_assert_num_queries(4):
        response = client.get(changelist("user"))
    assert len(response.context["cl"].result_list) == rows
