"""The back office of cohorts: reach, writes through the services, the register inline,
the print / export / cancel actions, and attendance import and export (CSV, Italian
CSV, XLSX) with a dry run, all or nothing."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cohorts import services
from cohorts.models import Attendance, Cohort, TrainingSession
from cohorts.resources import AttendanceResource
from incubator.imports.formats import XLSX, ItalianCSV
from incubator.models import AuditEvent
from tests.cohorts.helpers import build_cohort, days_ago, local, new_enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    cw = build_cohort(world, extra_people=2)
    cw.held = cw.session(day=days_ago(4), minutes=120, topic="Piano economico")
    return cw


def url(name, *args):
    return reverse(f"admin:cohorts_{name}", args=args)


def _inline_data(response, **rows_by_prefix) -> dict:
    """A change form's POST body: the main form's values and every inline's management
    form, with ``rows_by_prefix[prefix]`` = list of {field: value} per form (by index)."""
    context = response.context
    data = {}
    form = context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "pk"):
            value = value.pk
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "strftime") and hasattr(value, "hour"):
            data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M")
        else:
            data[name] = value
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{key}"] = management.initial.get(key, management[key].value())
        for index, subform in enumerate(formset.forms):
            for name, field in subform.fields.items():
                value = subform[name].value()  # what the browser would send back
                if value not in (None, "") and not field.disabled:
                    data[f"{formset.prefix}-{index}-{name}"] = getattr(value, "pk", value)
            for name, value in (rows_by_prefix.get(formset.prefix, {}).get(index) or {}).items():
                data[f"{formset.prefix}-{index}-{name}"] = value
    return data


# --- reach ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cohort", "trainingsession", "attendance"])
def test_coordinator_sees_own_programme_only(client, cw, world, other, name):
    other_cw = build_cohort(other, name="Altra")
    other_held = other_cw.session(day=days_ago(3))
    cw.mark(cw.held, (cw.people[0], "present"))
    other_cw.mark(other_held, (other_cw.people[0], "present"))
    mine = {"cohort": cw.cohort, "trainingsession": cw.held, "attendance": Attendance.objects.get(session=cw.held)}
    theirs = {"cohort": other_cw.cohort, "trainingsession": other_held, "attendance": other_held.attendance.get()}
    client.force_login(world.coordinator)
    listing = client.get(url(f"{name}_changelist"))
    assert listing.status_code == 200
    assert {obj.pk for obj in listing.context["cl"].result_list} == {mine[name].pk}
    assert client.get(url(f"{name}_change", mine[name].pk)).status_code == 200
    assert client.get(url(f"{name}_change", theirs[name].pk)).status_code == 404


@pytest.mark.parametrize("role", ["tutor", "participant", "evaluator"])
def test_other_roles_have_no_back_office(client, cw, world, role):
    client.force_login(getattr(world, role))
    assert client.get(url("cohort_changelist")).status_code == 302


# --- writes through the services -------------------------------------------------------------


def test_cohort_created_in_the_back_office_gets_the_innesco_modules(client, world):
    client.force_login(world.coordinator)
    page = client.get(url("cohort_add"))
    data = _inline_data(page)
    data.update(
        programme=world.programme.pk,
        call=world.call.pk,
        name="Coorte dal back office",
        starts_on=days_ago(1).isoformat(),
        ends_on=days_ago(-90).isoformat(),
        completion_threshold="75",
        grant_threshold="",
        _save="Save",
    )
    response = client.post(url("cohort_add"), data)
    assert response.status_code == 302, response.context["errors"]
    cohort = Cohort.objects.get(name="Coorte dal back office")
    assert cohort.modules.count() == 7
    assert (cohort.completion_threshold, cohort.grant_threshold) == (75, world.call.grant_attendance_threshold)
    assert AuditEvent.objects.filter(verb="cohort.create", target_id=cohort.pk, actor=world.coordinator).exists()


def test_register_inline_marks_the_roster_in_one_bulk(client, cw, world):
    client.force_login(world.coordinator)
    page = client.get(url("trainingsession_change", cw.held.pk))
    inline = next(i for i in page.context["inline_admin_formsets"] if i.formset.model is Attendance)
    prefix = inline.formset.prefix
    prefilled = [form.initial.get("person") for form in inline.formset.forms]
    assert sorted(prefilled) == sorted(p.pk for p in cw.people)  # a row per person on the roster
    rows = {
        i: {"status": "present"} if pk != cw.people[1].pk else {"status": "partial", "minutes_attended": 45}
        for i, pk in enumerate(prefilled)
    }
    response = client.post(
        url("trainingsession_change", cw.held.pk), {**_inline_data(page, **{prefix: rows}), "_save": "Save"}
    )
    assert response.status_code == 302
    marks = dict(Attendance.objects.filter(session=cw.held).values_list("person_id", "status"))
    assert marks == {p.pk: ("partial" if p == cw.people[1] else "present") for p in cw.people}
    assert AuditEvent.objects.filter(verb="attendance.mark", target_id=cw.held.pk).count() == 1


def test_register_inline_refusal_writes_nothing(client, cw, world):
    client.force_login(world.coordinator)
    page = client.get(url("trainingsession_change", cw.held.pk))
    inline = next(i for i in page.context["inline_admin_formsets"] if i.formset.model is Attendance)
    rows = {0: {"status": "present"}, 1: {"status": "partial", "minutes_attended": 500}}
    response = client.post(
        url("trainingsession_change", cw.held.pk),
        {**_inline_data(page, **{inline.formset.prefix: rows}), "_save": "Save"},
    )
    assert response.status_code == 200
    assert "500 minutes is more than the session" in response.content.decode()
    assert not Attendance.objects.exists()


# --- actions ------------------------------------------------------------------------------


def test_print_registers_action(client, cw, world):
    second = cw.session(day=days_ago(2), topic="Marketing")
    client.force_login(world.coordinator)
    response = client.post(
        url("trainingsession_changelist"), {"action": "print_registers", "_selected_action": [cw.held.pk, second.pk]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="register"') == 2
    assert "Piano economico" in html and "Marketing" in html
    assert all(p.last_name in html for p in cw.people)


def test_cancel_action_asks_a_reason_and_uses_the_service(client, cw, world):
    upcoming = cw.session(day=days_ago(-5))
    client.force_login(world.coordinator)
    changelist = url("trainingsession_changelist")
    page = client.post(changelist, {"action": "cancel_sessions", "_selected_action": [upcoming.pk]})
    assert page.status_code == 200 and "reason" in page.content.decode()
    client.post(
        changelist, {"action": "cancel_sessions", "_selected_action": [upcoming.pk], "_apply": "1", "reason": "Neve"}
    )
    upcoming.refresh_from_db()
    assert upcoming.is_cancelled and upcoming.cancellation_reason == "Neve"
    # A session with marks is refused, and nothing is cancelled.
    cw.mark(cw.held, (cw.people[0], "present"))
    other = cw.session(day=days_ago(-6))
    client.post(
        changelist,
        {"action": "cancel_sessions", "_selected_action": [cw.held.pk, other.pk], "_apply": "1", "reason": "x"},
    )
    assert not TrainingSession.objects.filter(pk__in=[cw.held.pk, other.pk], cancelled_at__isnull=False).exists()


def test_export_registers_to_fill_in_and_import_them_back(client, cw, world):
    cw.mark(cw.held, (cw.people[0], "absent"))
    client.force_login(world.coordinator)
    response = client.post(
        url("trainingsession_changelist"),
        {"action": "export_registers", "_selected_action": [cw.held.pk], "_apply": "1", "format": "xlsx"},
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("session", "session_start", "module", "topic", "person")
    assert len(rows) == 1 + len(cw.people)
    # Fill in the blanks and import the file back.
    book = openpyxl.Workbook()
    out = book.active
    out.append(rows[0])
    for row in rows[1:]:
        row = list(row)
        row[7] = row[7] or "P"
        out.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    _import(client, buffer.getvalue(), "registers.xlsx", fmt=1)
    marks = dict(Attendance.objects.values_list("person_id", "status"))
    assert marks == {cw.people[0].pk: "absent", cw.people[1].pk: "present", cw.people[2].pk: "present"}


# --- import and export ---------------------------------------------------------------------


def _import(client, content: bytes, name: str, fmt: int = 0, confirm: bool = True):
    """The admin's two steps: upload (a dry run with a preview), then confirm."""
    preview = client.post(
        url("attendance_import"),
        {"resource": "0", "format": str(fmt), "import_file": SimpleUploadedFile(name, content)},
    )
    assert preview.status_code == 200
    if not confirm or "confirm_form" not in (preview.context or {}):
        return preview
    return client.post(url("attendance_process_import"), preview.context["confirm_form"].initial)


def test_export_in_italian_csv_and_xlsx(cw, world):
    cw.mark(cw.held, (cw.people[0], "partial", 30), (cw.people[1], "present"))
    dataset = AttendanceResource(actor=world.coordinator).export(Attendance.objects.all())
    italian = ItalianCSV().export_data(dataset)
    assert italian.startswith("\ufeff".encode())
    text = italian.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.split(";")[:5] == ["session", "session_start", "module", "topic", "person"]
    assert local(days_ago(4), 9).strftime("%d/%m/%Y %H:%M") in first
    workbook = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(dataset)))
    assert [c.value for c in next(workbook.active.iter_rows(max_row=1))][-3:] == ["status", "minutes_attended", "note"]


def test_export_from_the_admin_escapes_formulas(client, cw, world):
    services.attendance_mark_bulk(
        actor=world.coordinator,
        session=cw.held,
        marks=[{"person": cw.people[0].pk, "status": "absent", "note": "=1+1"}],
    )
    client.force_login(world.coordinator)
    page = client.get(url("attendance_export"))
    form = page.context["form"]
    data = {name: "on" for name, field in form.fields.items() if field.widget.input_type == "checkbox"}
    data.update(format="0", resource="0")
    response = client.post(url("attendance_export"), data)
    assert response.status_code == 200
    body = b"".join(response).decode("utf-8-sig")
    assert "'=1+1" in body and ",=1+1" not in body


def test_import_italian_csv_dry_run_then_confirm(client, cw, world):
    a, b, c = cw.people
    csv = (
        "\ufeffsession;person;last_name;status;minutes_attended;note\r\n"
        f"{cw.held.pk};{a.pk};{a.last_name};Presente;;\r\n"
        f"{cw.held.pk};{b.pk};{b.last_name};parziale;90,0;Uscita anticipata\r\n"
        f"{cw.held.pk};{c.pk};{c.last_name};G;;Certificato medico\r\n"
    ).encode()
    client.force_login(world.coordinator)
    preview = _import(client, csv, "registro.csv", confirm=False)
    assert not preview.context["result"].has_errors() and not preview.context["result"].has_validation_errors()
    assert not Attendance.objects.exists()  # the preview wrote nothing
    client.post(url("attendance_process_import"), preview.context["confirm_form"].initial)
    marks = {m.person_id: (m.status, m.minutes_attended, m.note) for m in Attendance.objects.all()}
    assert marks == {
        a.pk: ("present", None, ""),
        b.pk: ("partial", 90, "Uscita anticipata"),
        c.pk: ("justified", None, "Certificato medico"),
    }
    # Importing the same file again changes nothing.
    again = _import(client, csv, "registro.csv", confirm=False)
    assert [row.import_type for row in again.context["result"].rows] == ["skip"] * 3


@pytest.mark.parametrize(
    ("bad_row", "column", "message"),
    [
        ("{session};{outsider};x;present;;", "person", "not on this session's roster"),
        ("{session};{person};x;partial;500;", "minutes_attended", "more than the session's 120"),
        ("{session};{person};x;maybe;;", "status", "is not one of"),
        ("999999;{person};x;present;;", "session", "There is no session 999999"),
        ("{session};{person};x;present;1,5;", "minutes_attended", "not a whole number"),
    ],
)
def test_one_bad_row_imports_nothing_and_is_named(client, cw, world, other, bad_row, column, message):
    a, b, _c = cw.people
    good = f"{cw.held.pk};{a.pk};x;present;;"
    bad = bad_row.format(session=cw.held.pk, person=b.pk, outsider=other.participant_person.pk)
    csv = f"session;person;last_name;status;minutes_attended;note\n{good}\n{bad}\n".encode()
    client.force_login(world.coordinator)
    response = _import(client, csv, "bad.csv", confirm=False)
    problems = [str(p) for p in response.context["result"].problems]
    assert any(p.startswith(f"Row 3, {column}") and message in p for p in problems), problems
    assert not Attendance.objects.exists()


def test_a_trainer_without_back_office_cannot_import(client, cw, world):
    client.force_login(world.tutor)
    response = client.get(url("attendance_import"))
    assert response.status_code in (302, 403)


def test_register_inline_cost_does_not_grow_with_the_roster(client, cw, world):
    client.force_login(world.coordinator)
    page = url("trainingsession_change", cw.held.pk)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        return len(queries)

    small = cost()
    enrolment, _people = new_enrolment(world, people=30)
    services.cohort_add_enrolment(actor=world.coordinator, cohort=cw.cohort, enrolment=enrolment)
    assert cost() == small
