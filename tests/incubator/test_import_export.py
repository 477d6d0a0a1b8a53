"""Imports (dry-run preview, then all or nothing, through the services) and exports of
people and applications in the back office."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from incubator import models as m
from incubator.imports.files import read_csv
from incubator.resources import PersonResource
from incubator.selection import models as selection_models
from incubator.selection import services
from incubator.selection.resources import ApplicationResource
from tests import factories as f

pytestmark = pytest.mark.django_db

CSV_FORMAT, XLSX_FORMAT = "0", "1"  # import formats
EXPORT_CSV, EXPORT_ITALIAN_CSV, EXPORT_XLSX = "0", "1", "2"
PEOPLE_HEADER = ["programme", "first_name", "last_name", "tax_code", "email", "phone"]


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def coordinator_client(client, world):
    client.force_login(world.coordinator)
    return client


def csv_bytes(rows, *, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def people_rows(world, *rows):
    return [PEOPLE_HEADER, *([world.programme.code, *row] for row in rows)]


def preview(client, model, name, content, fmt=CSV_FORMAT):
    return client.post(
        reverse(f"admin:incubator_{model}_import"),
        {"resource": "0", "format": fmt, "import_file": SimpleUploadedFile(name, content)},
    )


def confirm(client, model, page):
    return client.post(reverse(f"admin:incubator_{model}_process_import"), page.context["confirm_form"].initial)


def problems(page) -> list[str]:
    return [str(p) for p in page.context["result"].problems]


def imported(client, model, name, content, fmt=CSV_FORMAT):
    page = preview(client, model, name, content, fmt)
    assert page.status_code == 200
    assert "confirm_form" in page.context, problems(page) if page.context.get("result") else page.context["form"].errors
    response = confirm(client, model, page)
    assert response.status_code == 302
    return response


# --- people ------------------------------------------------------------------------------------


def test_people_csv_preview_writes_nothing_then_confirm_imports(coordinator_client, world):
    content = csv_bytes(
        people_rows(
            world,
            ["Mario", "Rossi", f.tax_code(5001), "mario@example.org", ""],
            ["Anna", "Bianchi", f.tax_code(5002).lower(), "", "081 555"],
        )
    )
    before = m.Person.objects.count()
    page = preview(coordinator_client, "person", "people.csv", content)
    assert page.status_code == 200
    assert [row.import_type for row in page.context["result"].valid_rows()] == ["new", "new"]
    assert "Rossi" in page.text
    # The preview is a dry run: nothing written, not even the audit trail.
    assert m.Person.objects.count() == before
    assert not m.AuditEvent.objects.filter(verb="person.create").exists()
    response = confirm(coordinator_client, "person", page)
    assert response.status_code == 302
    assert m.Person.objects.count() == before + 2
    anna = m.Person.objects.get(last_name="Bianchi")
    assert (anna.programme, anna.tax_code, anna.phone) == (world.programme, f.tax_code(5002), "081 555")
    assert m.AuditEvent.objects.filter(verb="person.create", actor=world.coordinator).count() == 2


def test_people_italian_csv_windows_1252_with_accents(coordinator_client, world):
    content = csv_bytes(
        people_rows(
            world, ["Niccolò", "D'Amà", f.tax_code(5003), "", ""], ["Gaëlle", "Esposìto", f.tax_code(5004), "", ""]
        ),
        delimiter=";",
        encoding="cp1252",
    )
    imported(coordinator_client, "person", "persone.csv", content)
    assert set(
        m.Person.objects.filter(tax_code__in=[f.tax_code(5003), f.tax_code(5004)]).values_list(
            "first_name", "last_name"
        )
    ) == {
        ("Niccolò", "D'Amà"),
        ("Gaëlle", "Esposìto"),
    }


def test_people_utf8_bom_semicolon(coordinator_client, world):
    content = csv_bytes(
        people_rows(world, ["Lucìa", "Ferri", f.tax_code(5005), "", ""]), delimiter=";", encoding="utf-8-sig"
    )
    assert content.startswith(b"\xef\xbb\xbf")
    imported(coordinator_client, "person", "persone.csv", content)
    assert m.Person.objects.get(tax_code=f.tax_code(5005)).first_name == "Lucìa"


def test_people_xlsx(coordinator_client, world):
    content = xlsx_bytes(people_rows(world, ["Carla", "Neri", f.tax_code(5006), "carla@example.org", None]))
    imported(coordinator_client, "person", "people.xlsx", content, XLSX_FORMAT)
    assert m.Person.objects.get(tax_code=f.tax_code(5006)).email == "carla@example.org"


def test_a_known_tax_code_updates_that_person(coordinator_client, world):
    person = world.participant_person
    content = csv_bytes(
        people_rows(world, [person.first_name, person.last_name, person.tax_code, "new@example.org", ""])
    )
    page = preview(coordinator_client, "person", "people.csv", content)
    assert [row.import_type for row in page.context["result"].valid_rows()] == ["update"]
    confirm(coordinator_client, "person", page)
    person.refresh_from_db()
    assert person.email == "new@example.org"
    assert m.AuditEvent.objects.get(verb="person.update", target_id=person.pk).after == {"changed": ["email"]}


def test_one_bad_row_writes_nothing_and_names_row_and_column(coordinator_client, world):
    content = csv_bytes(
        people_rows(
            world,
            ["Mario", "Rossi", f.tax_code(5007), "", ""],
            ["Anna", "Bianchi", "RSSMRA80A01F839X", "", ""],
            ["Luca", "Verdi", f.tax_code(5008), "not-an-email", ""],
        ),
        delimiter=";",
    )
    before = m.Person.objects.count()
    page = preview(coordinator_client, "person", "people.csv", content)
    assert "confirm_form" not in page.context
    found = problems(page)
    assert any(p.startswith("Row 3, tax_code: ") for p in found), found
    assert "Row 4, email: Enter a valid email address." in found
    assert not any(p.startswith("Row 2") for p in found)
    assert "Row 3, tax_code" in page.text
    assert m.Person.objects.count() == before


def test_the_confirmed_import_is_all_or_nothing_too(world):
    """The confirmation runs the file again: if it went bad since the preview, nothing is kept."""
    rows = people_rows(world, ["Mario", "Rossi", f.tax_code(5009), "", ""], ["Anna", "Bianchi", "BAD", "", ""])
    result = PersonResource(actor=world.coordinator).import_data(read_csv(csv_bytes(rows)), dry_run=False)
    assert result.has_validation_errors()
    assert [str(p).split(":")[0] for p in result.problems] == ["Row 3, tax_code"]
    assert not m.Person.objects.filter(tax_code=f.tax_code(5009)).exists()


def test_programme_must_be_one_the_importer_coordinates(coordinator_client, world, other):
    content = csv_bytes([PEOPLE_HEADER, [other.programme.code, "Mario", "Rossi", f.tax_code(5010), "", ""]])
    page = preview(coordinator_client, "person", "people.csv", content)
    assert problems(page) == [
        f"Row 2, programme: There is no programme “{other.programme.code}” among those you coordinate."
    ]
    assert not m.Person.objects.filter(tax_code=f.tax_code(5010)).exists()


def test_missing_column_is_named(coordinator_client, world):
    content = csv_bytes([["programme", "first_name", "last_name"], [world.programme.code, "Mario", "Rossi"]])
    page = preview(coordinator_client, "person", "people.csv", content)
    assert problems(page) == ["Row 1, tax_code: This column is missing."]


def test_unreadable_file_is_a_form_error(coordinator_client):
    page = preview(coordinator_client, "person", "people.csv", b"\x81\x8d\x8f;\x81")
    assert "neither UTF-8 nor Windows-1252" in str(page.context["form"].errors["import_file"])


def _waiting_uploads() -> set[str]:
    folder = Path(settings.MEDIA_ROOT) / "django-import-export"
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


@pytest.mark.parametrize(
    "content",
    [b"\x81\x8d\x8f;\x81", b"programme,first_name\nX,Y\n"],
    ids=["unreadable", "invalid"],
)
def test_a_preview_that_cannot_be_confirmed_keeps_no_copy(coordinator_client, content):
    before = _waiting_uploads()
    preview(coordinator_client, "person", "people.csv", content)
    assert _waiting_uploads() == before


def test_the_upload_waits_for_confirmation_then_goes(coordinator_client, world):
    before = _waiting_uploads()
    page = preview(
        coordinator_client, "person", "people.csv", csv_bytes(people_rows(world, ["A", "B", f.tax_code(5012), "", ""]))
    )
    assert len(_waiting_uploads() - before) == 1
    confirm(coordinator_client, "person", page)
    assert _waiting_uploads() == before


@pytest.mark.parametrize("role", ["evaluator", "tutor", "participant"])
def test_only_the_back_office_imports(client, world, role):
    client.force_login(getattr(world, role))
    response = client.get(reverse("admin:incubator_person_import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_role_cannot_import_or_export(client):
    client.force_login(f.UserFactory(username="staff-only", is_staff=True))
    assert client.get(reverse("admin:incubator_person_import")).status_code == 403
    assert client.get(reverse("admin:incubator_person_export")).status_code == 403


# --- applications --------------------------------------------------------------------------------

APPLICATION_HEADER = [
    "programme",
    "call",
    "venture",
    "applicant_kind",
    "themes",
    "target_area",
    "summary",
    "social_need",
    "lead_tax_code",
    "legal_form",
    "legal_form_since",
    "submitted_at",
    "score",
]


def test_applications_italian_csv(coordinator_client, world):
    lead = f.PersonFactory(programme=world.programme, first_name="Niccolò")
    submitted = timezone.localtime() - dt.timedelta(days=2)
    rows = [
        APPLICATION_HEADER,
        [
            world.programme.code,
            world.call.title,
            "Sartoria sociale",
            "Association",
            "social_cohesion; heritage",
            "Municipalità 4",
            "Laboratorio di cucito per donne",
            "Disoccupazione femminile",
            lead.tax_code.lower(),
            "association",
            "15/01/2025",
            submitted.strftime("%d/%m/%Y %H:%M"),
            "",  # the ranking computes the score: a value here is refused (tests/trust)
        ],
        [world.programme.code, world.call.title, "Bottega verde", "", "", "", "", "", lead.tax_code, "", "", "", ""],
    ]
    imported(coordinator_client, "application", "domande.csv", csv_bytes(rows, delimiter=";", encoding="utf-8-sig"))
    sartoria = selection_models.Application.objects.get(venture__title="Sartoria sociale")
    assert sartoria.state == selection_models.ApplicationState.SUBMITTED
    assert sartoria.submitted_at == submitted.replace(second=0, microsecond=0)
    assert sartoria.score is None  # computed by the ranking, never imported
    venture = sartoria.venture
    assert (venture.applicant_kind, venture.themes) == ("association", ["social_cohesion", "heritage"])
    assert venture.team.get().person == lead
    assert (venture.legal_forms.get().legal_form, venture.legal_forms.get().effective_on) == (
        "association",
        dt.date(2025, 1, 15),
    )
    assert (
        selection_models.Application.objects.get(venture__title="Bottega verde").state
        == selection_models.ApplicationState.DRAFT
    )


def test_application_rows_name_their_problems(coordinator_client, world):
    rows = [
        APPLICATION_HEADER,
        [
            world.programme.code,
            "No such call",
            "A",
            "",
            "",
            "",
            "",
            "",
            world.participant_person.tax_code,
            "",
            "",
            "",
            "",
        ],
        [world.programme.code, world.call.title, "B", "robot", "", "", "", "", "ZZZZZZ", "", "31/02/2025", "", ""],
    ]
    page = preview(coordinator_client, "application", "domande.csv", csv_bytes(rows, delimiter=";"))
    found = problems(page)
    assert any(p.startswith("Row 2, call: There is no single call") for p in found)
    assert any(p.startswith("Row 3, applicant_kind: “robot” is not one of") for p in found)
    assert any(p.startswith("Row 3, lead_tax_code: Nobody with tax code ZZZZZZ") for p in found)
    assert any(p.startswith("Row 3, legal_form_since: “31/02/2025” is not a date") for p in found)
    assert not m.Venture.objects.filter(title__in=["A", "B"]).exists()


def test_application_service_refusal_names_the_column(coordinator_client, world):
    selection_models.Call.objects.filter(pk=world.call.pk).update(eligible_applicant_kinds=["association"])
    rows = [
        APPLICATION_HEADER,
        [world.programme.code, world.call.title, "C", "individual", "", "", "", "", world.participant_person.tax_code]
        + [""] * 4,
    ]
    page = preview(coordinator_client, "application", "domande.csv", csv_bytes(rows))
    assert problems(page) == [
        "Row 2, venture: This call is not open to applicants of kind “Individual or informal group”."
    ]
    assert not m.Venture.objects.filter(title="C").exists()


def test_exported_applications_import_again_without_duplicates(coordinator_client, world):
    response = export(coordinator_client, "application", EXPORT_XLSX)
    before = selection_models.Application.objects.count()
    page = preview(coordinator_client, "application", "applications.xlsx", response.content, XLSX_FORMAT)
    assert [row.import_type for row in page.context["result"].valid_rows()] == ["skip"]
    confirm(coordinator_client, "application", page)
    assert selection_models.Application.objects.count() == before


# --- exports ------------------------------------------------------------------------------------------


def export(client, model, fmt):
    url = reverse(f"admin:incubator_{model}_export")
    form = client.get(url).context["form"]
    fields = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(url, {"format": fmt, "resource": "0", **fields})
    assert response.status_code == 200, response.context["form"].errors if response.context else ""
    return response


def test_export_people_csv_lists_own_programme_only(coordinator_client, world, other):
    response = export(coordinator_client, "person", EXPORT_CSV)
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == PEOPLE_HEADER
    assert [world.participant_person.tax_code] == [row[3] for row in rows[1:]]
    assert other.participant_person.tax_code not in response.content.decode()


def test_export_neutralises_formula_cells(coordinator_client, world):
    f.PersonFactory(
        programme=world.programme, first_name='=HYPERLINK("http://evil")', last_name="@SUM(A1)", phone="+39 333"
    )
    rows = list(csv.reader(io.StringIO(export(coordinator_client, "person", EXPORT_CSV).content.decode())))
    evil = next(row for row in rows if "HYPERLINK" in row[1])
    assert evil[1:3] == ['\'=HYPERLINK("http://evil")', "'@SUM(A1)"]
    assert evil[5] == "'+39 333"
    sheet = load_workbook(io.BytesIO(export(coordinator_client, "person", EXPORT_XLSX).content)).active
    cells = {cell.value for row in sheet.iter_rows() for cell in row}
    assert '\'=HYPERLINK("http://evil")' in cells
    assert not any(isinstance(v, str) and v.startswith(("=", "@", "+")) for v in cells)


def test_export_applications_italian_csv(coordinator_client, world):
    application = world.application
    services.application_submit(actor=world.coordinator, application=application)
    selection_models.Application.objects.filter(pk=application.pk).update(score="26.500", rank=1)
    response = export(coordinator_client, "application", EXPORT_ITALIAN_CSV)
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, row = rows[0], rows[1]
    values = dict(zip(header, row, strict=True))
    application.refresh_from_db()
    assert values["programme"] == world.programme.code
    assert values["venture"] == world.venture.title
    assert values["lead_tax_code"] == world.participant_person.tax_code
    assert values["score"] == "26,500"
    assert values["rank"] == "1"
    assert values["state"] == "submitted"
    assert values["submitted_at"] == timezone.localtime(application.submitted_at).strftime("%d/%m/%Y %H:%M:%S")
    assert values["legal_form_since"] == "01/01/2025"
    assert values["crowdfunding_referral"] == "no"
    assert len(rows) == 2


def test_export_applications_xlsx_keeps_native_values(coordinator_client, world):
    selection_models.Application.objects.filter(pk=world.application.pk).update(score="26.500")
    sheet = load_workbook(io.BytesIO(export(coordinator_client, "application", EXPORT_XLSX).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    values = dict(zip(rows[0], rows[1], strict=True))
    assert values["score"] == pytest.approx(26.5)
    assert values["legal_form_since"] == dt.datetime(2025, 1, 1)
    assert values["venture"] == world.venture.title


def test_resource_export_queries_do_not_grow_with_rows(world, django_assert_num_queries):
    for _ in range(10):
        venture = f.VentureFactory(programme=world.programme)
        f.TeamMemberFactory(venture=venture)
        f.ApplicationFactory(call=world.call, venture=venture)
    queryset = selection_models.Application.objects.filter(call=world.call)
    # One query: applications with venture, call and programme, lead and legal form as subqueries.
    with django_assert_num_queries(1):
        dataset = ApplicationResource(actor=world.coordinator).export(queryset=queryset)
    assert len(dataset) == 11


def test_import_messages_after_a_bad_confirmation(coordinator_client, world):
    """A confirmation whose file no longer imports cleanly says so and writes nothing."""
    content = csv_bytes(people_rows(world, ["Mario", "Rossi", f.tax_code(5011), "", ""]))
    page = preview(coordinator_client, "person", "people.csv", content)
    # Someone adds the same tax code in another way between preview and confirmation: an update, fine;
    # make it a refusal instead by taking the programme away from the coordinator.
    m.RoleAssignment.objects.filter(user=world.coordinator, role="coordinator").delete()
    m.RoleAssignment.objects.create(user=world.coordinator, programme=f.ProgrammeFactory(), role="coordinator")
    response = confirm(coordinator_client, "person", page)
    assert response.status_code == 302
    texts = [str(msg) for msg in get_messages(response.wsgi_request)]
    assert "Nothing was imported." in texts
    assert any(t.startswith("Row 2, programme:") for t in texts)
    assert not m.Person.objects.filter(tax_code=f.tax_code(5011)).exists()
