"""Export -> re-import gives back what was exported (issue 20, item 6): the apostrophe
that neutralises a formula-like text in a "CSV for Excel" (or XLSX) export is removed on
import where the export added it, and an unchanged file imports as "no changes", for
people and for the attendance registers meant to be filled in and imported back."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts import services as cohort_services
from cohorts.models import Attendance
from incubator import models as m
from incubator.imports.cells import neutralise, restore
from tests import factories as f
from tests.cohorts.helpers import build_cohort, days_ago
from tests.incubator.test_import_export import EXPORT_ITALIAN_CSV, EXPORT_XLSX, confirm, export, preview

pytestmark = pytest.mark.django_db
PHONE = "+39 081 555 1234"
NOTE = "-1+1 nota"


@pytest.mark.parametrize("text", ["=1+1", "+39 081", "-1+1 nota", "@SUM(A1)", "\tx", "plain", "'quoted", "'", ""])
def test_restore_undoes_neutralise(text):
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize(
    ("export_format", "import_format", "name"),
    [(EXPORT_ITALIAN_CSV, "0", "people.csv"), (EXPORT_XLSX, "1", "people.xlsx")],
)
def test_people_exported_then_imported_unchanged_are_no_changes(client, world, export_format, import_format, name):
    person = f.PersonFactory(programme=world.programme, phone=PHONE, first_name="-Anna")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world.coordinator)
    content = b"".join(export(client, "person", export_format))
    assert b"'+39 081 555 1234" in content or name.endswith(".xlsx")
    page = preview(client, "person", name, content, import_format)
    rows = page.context["result"].valid_rows()
    assert rows and {row.import_type for row in rows} == {"skip"}
    confirm(client, "person", page)
    person.refresh_from_db()
    assert (person.phone, person.first_name) == (PHONE, "-Anna")
    assert m.Person.objects.filter(programme=world.programme).count() == 2


def _attendance_import(client, content: bytes, name: str, fmt: str):
    return client.post(
        reverse("admin:cohorts_attendance_import"),
        {"resource": "0", "format": fmt, "import_file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    ("export_format", "import_format", "name"), [("csv-it", "0", "registers.csv"), ("xlsx", "1", "registers.xlsx")]
)
def test_registers_exported_then_imported_unchanged_are_no_changes(client, world, export_format, import_format, name):
    cw = build_cohort(world, extra_people=2)
    cw.held = cw.session(day=days_ago(4), minutes=120, topic="Piano economico")
    marks = [{"person": person.pk, "status": "present", "note": NOTE} for person in cw.people]
    cohort_services.attendance_mark_bulk(actor=world.coordinator, session=cw.held, marks=marks)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("admin:cohorts_trainingsession_changelist"),
        {"action": "export_registers", "_selected_action": [cw.held.pk], "_apply": "1", "format": export_format},
    )
    assert response.status_code == 200
    page = _attendance_import(client, response.content, name, import_format)
    assert "confirm_form" in page.context, [str(p) for p in page.context["result"].problems]
    rows = page.context["result"].valid_rows()
    assert len(rows) == len(cw.people) and {row.import_type for row in rows} == {"skip"}
    client.post(reverse("admin:cohorts_attendance_process_import"), page.context["confirm_form"].initial)
    assert set(Attendance.objects.filter(session=cw.held).values_list("note", flat=True)) == {NOTE}
