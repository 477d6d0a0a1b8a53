"""Mentoring in the back office: reach per programme, writes through the services with
refusals on the form, "assign from suggestions", and tutoring-session import (dry run,
then all or nothing) and export (no private notes, formulas neutralised)."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentoring import services
from mentoring.models import (
    ActionItem,
    Assignment,
    TutorConflict,
    TutoringSession,
    TutoringSessionPrivateNote,
    TutorProfile,
    UnitCostBand,
    VentureNeeds,
)
from tests import factories as f
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import aware, enrol, log, tutor_user

pytestmark = pytest.mark.django_db
SECRET = "PRIVATE-NOTE-0d4e"


def url(name, *args):
    return reverse(f"admin:mentoring_{name}", args=args)


@pytest.fixture
def logged(mentoring):
    return log(
        mentoring,
        aware(2026, 3, 10, 10),
        60,
        topics="=HYPERLINK(1)",
        private_notes=SECRET,
        action_items=[{"text": "Call the bank"}],
    )


MODELS = {
    "unitcostband": lambda m, s: m.band,
    "tutorprofile": lambda m, s: m.profile,
    "assignment": lambda m, s: m.assignment,
    "tutoringsession": lambda m, s: s,
    "actionitem": lambda m, s: s.action_items.get(),
}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_coordinators_reach_their_programme_only(client, mentoring, other_mentoring, logged, model):
    other_session = log(other_mentoring, aware(2026, 3, 10, 10), action_items=[{"text": "x"}])
    mine = MODELS[model](mentoring, logged)
    theirs = MODELS[model](other_mentoring, other_session)
    client.force_login(mentoring.world.coordinator)
    listing = client.get(url(f"{model}_changelist"))
    assert listing.status_code == 200
    shown = {obj.pk for obj in listing.context["cl"].result_list}
    assert mine.pk in shown and theirs.pk not in shown
    assert client.get(url(f"{model}_change", mine.pk)).status_code == 200
    assert client.get(url(f"{model}_change", theirs.pk)).status_code == 404
    for user in (mentoring.world.tutor, mentoring.world.participant):
        client.force_login(user)
        assert client.get(url(f"{model}_changelist")).status_code == 302  # not staff: to the login


def test_private_notes_in_the_coordinators_form_never_in_lists_or_exports(client, mentoring, logged):
    client.force_login(mentoring.world.coordinator)
    change = client.get(url("tutoringsession_change", logged.pk))
    assert SECRET in change.content.decode()
    assert SECRET not in client.get(url("tutoringsession_changelist")).content.decode()
    page = client.get(url("tutoringsession_export"))
    data = {name: "on" for name, field in page.context["form"].fields.items() if field.widget.input_type == "checkbox"}
    for fmt in ("0", "1"):
        response = client.post(url("tutoringsession_export"), {**data, "format": fmt, "resource": "0"})
        assert response.status_code == 200
        body = b"".join(response).decode("utf-8-sig")
        assert SECRET not in body and "private" not in body
        assert "'=HYPERLINK(1)" in body
    xlsx = client.post(url("tutoringsession_export"), {**data, "format": "2", "resource": "0"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx))).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "'=HYPERLINK(1)" in cells and SECRET not in map(str, cells)


def _form(response) -> dict:
    """A change form's POST body as the browser would send it, inline management forms included."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            data[name] = value.pk
        elif isinstance(value, dt.datetime):
            data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%d/%m/%Y"), value.strftime("%H:%M:%S")
        else:
            data[name] = value
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
    return data


def test_admin_session_change_goes_through_the_service(client, mentoring, logged):
    client.force_login(mentoring.world.coordinator)
    page = client.get(url("tutoringsession_change", logged.pk))
    data = _form(page)
    data.update(minutes="30", private_notes="rewritten", topics="Prezzi")
    response = client.post(url("tutoringsession_change", logged.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    logged.refresh_from_db()
    assert (logged.minutes, logged.topics) == (30, "Prezzi")
    assert TutoringSessionPrivateNote.objects.get(session=logged).text == "rewritten"


def test_admin_refusal_comes_back_on_the_form_and_writes_nothing(client, mentoring):
    world = mentoring.world
    second = services.tutor_profile_create(
        actor=world.coordinator,
        programme=world.programme,
        user=tutor_user(world, "bruno"),
        unit_cost_band=mentoring.band,
        kind="internal",
    )
    client.force_login(world.coordinator)
    response = client.post(
        url("assignment_add"),
        {
            "tutor": second.pk,
            "enrolment": mentoring.enrolment.pk,
            "role": "lead",
            "starts_on": "2026-06-01",
            "ends_on": "2026-12-31",
            "hours_budget": "10",
        },
    )
    assert response.status_code == 200
    assert "role" in response.context["adminform"].form.errors
    assert Assignment.objects.count() == 1


def test_coordinator_adds_bands_profiles_needs_and_conflicts(client, mentoring):
    world = mentoring.world
    client.force_login(world.coordinator)
    assert (
        client.post(
            url("unitcostband_add"),
            {"programme": world.programme.pk, "code": "JR", "label": "Junior", "hourly_rate": "30"},
        ).status_code
        == 302
    )
    band = UnitCostBand.objects.get(code="JR")
    new_tutor = tutor_user(world, "carla")
    response = client.post(
        url("tutorprofile_add"),
        {
            "programme": world.programme.pk,
            "user": new_tutor.pk,
            "kind": "external",
            "capacity": "4",
            "unit_cost_band": band.pk,
            "expertise": "Heritage\nTurismo",
            "languages": "it",
            "conflicts-TOTAL_FORMS": "0",
            "conflicts-INITIAL_FORMS": "0",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert TutorProfile.objects.get(user=new_tutor).expertise == ["heritage", "turismo"]
    assert (
        client.post(
            url("ventureneeds_add"), {"venture": world.venture.pk, "keywords": "Marketing", "languages": "it"}
        ).status_code
        == 302
    )
    assert VentureNeeds.objects.get().keywords == ["marketing"]
    assert (
        client.post(
            url("tutorconflict_add"), {"tutor": mentoring.profile.pk, "venture": world.venture.pk, "note": "Cousin"}
        ).status_code
        == 302
    )
    assert TutorConflict.objects.get().declared_by == world.coordinator


def test_assign_from_suggestions(client, mentoring, other_mentoring):
    world = mentoring.world
    target = enrol(world, f.VentureFactory(programme=world.programme, themes=["heritage"]))
    specialist = services.tutor_profile_create(
        actor=world.coordinator,
        programme=world.programme,
        user=tutor_user(world, "dora"),
        unit_cost_band=mentoring.band,
        kind="external",
        expertise=["heritage"],
    )
    client.force_login(world.coordinator)
    page = client.get(url("assignment_suggestions"), {"enrolment": target.pk})
    assert page.status_code == 200
    suggestions = page.context["suggestions"]
    assert [s.tutor for s in suggestions] == [specialist, mentoring.profile]
    html = page.content.decode()
    assert "1 of 1 needs matched: heritage" in html and "expertise = 50 x" in html
    assert page.context["form"].initial["tutor"] == specialist.pk
    # The other programme's enrolment is not a choice.
    other_page = client.get(url("assignment_suggestions"), {"enrolment": other_mentoring.enrolment.pk})
    assert "enrolment" in other_page.context["chooser"].errors
    posted = client.post(
        f"{url('assignment_suggestions')}?enrolment={target.pk}",
        {
            "tutor": specialist.pk,
            "role": "lead",
            "starts_on": "2026-12-01",
            "ends_on": "2027-11-30",
            "hours_budget": "40",
        },
    )
    assert posted.status_code == 302
    assignment = Assignment.objects.get(enrolment=target)
    assert (assignment.tutor, assignment.hours_budget, assignment.starts_on) == (specialist, 40, dt.date(2026, 12, 1))
    refused = client.post(
        f"{url('assignment_suggestions')}?enrolment={target.pk}",
        {
            "tutor": mentoring.profile.pk,
            "role": "lead",
            "starts_on": "2026-12-01",
            "ends_on": "2027-11-30",
            "hours_budget": "40",
        },
    )
    assert refused.status_code == 200 and "role" in refused.context["form"].errors
    assert Assignment.objects.filter(enrolment=target).count() == 1
    client.force_login(world.tutor)
    assert client.get(url("assignment_suggestions")).status_code == 302


def test_action_items_marked_done_from_the_list(client, mentoring, logged):
    item = logged.action_items.get()
    client.force_login(mentoring.world.coordinator)
    response = client.post(url("actionitem_changelist"), {"action": "mark_done", "_selected_action": [item.pk]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done and item.done_by == mentoring.world.coordinator


# --- import ----------------------------------------------------------------------------------


def _import(client, content: bytes, name: str, fmt: int = 0, confirm: bool = True):
    preview = client.post(
        url("tutoringsession_import"),
        {"resource": "0", "format": str(fmt), "import_file": SimpleUploadedFile(name, content)},
    )
    assert preview.status_code == 200
    if not confirm or "confirm_form" not in (preview.context or {}):
        return preview
    return client.post(url("tutoringsession_process_import"), preview.context["confirm_form"].initial)


HEADER = "assignment;starts_at;minutes;mode;activity;topics;shared_notes"


def test_import_dry_run_then_confirm(client, mentoring):
    a = mentoring.assignment.pk
    body = (
        f"{HEADER}\n{a};02/03/2026 09:00;90;In person;tutoring;Costi;Bene\n"
        f"{a};03/03/2026 10:30;45;remote;crowdfunding;;\n"
    )
    client.force_login(mentoring.world.coordinator)
    preview = _import(client, body.encode("utf-8"), "sessions.csv", confirm=False)
    assert [row.import_type for row in preview.context["result"].rows] == ["new", "new"]
    assert not TutoringSession.objects.exists()  # the upload is a dry run
    client.post(url("tutoringsession_process_import"), preview.context["confirm_form"].initial)
    sessions = list(TutoringSession.objects.order_by("starts_at"))
    assert [(s.minutes, s.mode, s.activity, s.author) for s in sessions] == [
        (90, "in_person", "tutoring", mentoring.world.coordinator),
        (45, "remote", "crowdfunding", mentoring.world.coordinator),
    ]
    assert sessions[0].starts_at == aware(2026, 3, 2, 9)
    # The same file again overlaps itself: refused as a whole.
    again = _import(client, body.encode("utf-8"), "sessions.csv", confirm=False)
    assert any("overlaps" in str(p) for p in again.context["result"].problems)
    assert TutoringSession.objects.count() == 2


@pytest.mark.parametrize(
    ("bad_row", "column", "message"),
    [
        ("{a};05/03/2026 10:00;0;in_person;tutoring;;", "minutes", "from 1 to 720"),
        ("{a};05/03/2026 10:00;60;teleport;tutoring;;", "mode", "is not one of"),
        ("{a};05/03/2025 10:00;60;in_person;tutoring;;", "starts_at", "within the assignment"),
        ("{foreign};05/03/2026 10:00;60;in_person;tutoring;;", "assignment", "no assignment"),
        ("{a};someday;60;in_person;tutoring;;", "starts_at", "not a date and time"),
    ],
)
def test_one_bad_row_imports_nothing_and_is_named(client, mentoring, other_mentoring, bad_row, column, message):
    a = mentoring.assignment.pk
    good = f"{a};02/03/2026 09:00;60;in_person;tutoring;;"
    bad = bad_row.format(a=a, foreign=other_mentoring.assignment.pk)
    client.force_login(mentoring.world.coordinator)
    response = _import(client, f"{HEADER}\n{good}\n{bad}\n".encode(), "bad.csv", confirm=False)
    problems = [str(p) for p in response.context["result"].problems]
    assert any(p.startswith(f"Row 3, {column}") and message in p for p in problems), problems
    assert not TutoringSession.objects.exists() and not ActionItem.objects.exists()


def test_import_xlsx(client, mentoring):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append([mentoring.assignment.pk, dt.datetime(2026, 3, 2, 9), 60, "phone", "reporting", "Fatture", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(mentoring.world.coordinator)
    _import(client, buffer.getvalue(), "sessions.xlsx", fmt=1)
    session = TutoringSession.objects.get()
    assert (session.mode, session.activity, session.starts_at) == ("phone", "reporting", aware(2026, 3, 2, 9))
