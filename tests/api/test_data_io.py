"""Imports and back-office exports through the API (``api.incubator.data_io``): the
back office's resources and formats; coordinators for their programmes, administrators
everywhere, everyone else 403; a dry run previews, a real run writes all or nothing or
answers 400 naming row and column; large files become a background job its requester
polls; exports are the back office's, in CSV and XLSX."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incubator.imports.models import ImportJob, ImportJobStatus
from incubator.models import Person
from tests import factories as f
from tests.api.helpers import ANONYMOUS, ROLES, client_as, client_for

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/imports/people/"
EXPORT = "/api/v1/exports/people/"
HEADER = "programme,first_name,last_name,tax_code,email,phone"


def people_csv(programme, *rows, header=HEADER) -> bytes:
    lines = [header] + [",".join([programme.code, *row]) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def upload(content: bytes, name: str = "persone.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def two_people(world) -> bytes:
    return people_csv(
        world.programme,
        ["Mario", "Rossi", f.tax_code(7001), "mario@example.org", ""],
        ["Anna", "Bianchi", f.tax_code(7002), "", ""],
    )


def post(client, content, dry_run, **extra):
    return client.post(
        IMPORT,
        {"file": upload(content, extra.pop("name", "persone.csv")), "dry_run": dry_run, **extra},
        format="multipart",
    )


# --- imports --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_import_by_role(role, world, admin_user):
    response = post(client_for(role, world, admin_user), two_people(world), "false")
    codes = {f.tax_code(7001), f.tax_code(7002)}
    if role in ("coordinator", "admin"):
        assert response.status_code == 200, response.content
        assert response.json()["imported"] is True and response.json()["totals"]["new"] == 2
        assert set(Person.objects.filter(tax_code__in=codes).values_list("programme", flat=True)) == {
            world.programme.pk
        }
        return
    assert response.status_code in (ANONYMOUS if role == "anonymous" else (403,))
    assert not Person.objects.filter(tax_code__in=codes).exists()


def test_a_dry_run_previews_and_writes_nothing(world):
    existing = f.PersonFactory(programme=world.programme, tax_code=f.tax_code(7003), first_name="Lia")
    content = people_csv(
        world.programme,
        ["Mario", "Rossi", f.tax_code(7001), "", ""],
        [existing.first_name, existing.last_name, existing.tax_code, existing.email, existing.phone],
        ["Lia", "Nuova", existing.tax_code, existing.email, existing.phone],
    )
    before = Person.objects.count()
    response = post(client_as(world.coordinator), content, "true")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["dry_run"] is True and data["imported"] is False and data["errors"] == []
    assert [(r["row"], r["outcome"]) for r in data["rows"]] == [(2, "new"), (3, "unchanged"), (4, "changed")]
    assert data["rows"][0]["values"]["last_name"] == "Rossi"
    assert (data["totals"]["new"], data["totals"]["unchanged"], data["totals"]["changed"]) == (1, 1, 1)
    assert Person.objects.count() == before


def test_a_coordinator_cannot_import_into_another_programme(world, other):
    content = people_csv(other.programme, ["Mario", "Rossi", f.tax_code(7001), "", ""])
    response = post(client_as(world.coordinator), content, "false")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["column"]) == (2, "programme")
    assert not Person.objects.filter(tax_code=f.tax_code(7001)).exists()


def test_a_bad_row_writes_nothing_and_names_row_and_column(world):
    content = people_csv(
        world.programme, ["Mario", "Rossi", f.tax_code(7001), "", ""], ["", "Bianchi", f.tax_code(7002), "", ""]
    )
    response = post(client_as(world.coordinator), content, "false")
    assert response.status_code == 400
    data = response.json()
    assert data["imported"] is False
    assert [(e["row"], e["column"]) for e in data["errors"]] == [(3, "first_name")]
    assert not Person.objects.filter(tax_code__in=[f.tax_code(7001), f.tax_code(7002)]).exists()


def test_a_missing_column_is_named(world):
    content = people_csv(world.programme, ["Mario", "Rossi", ""], header="programme,first_name,last_name")
    response = post(client_as(world.coordinator), content, "true")
    assert response.status_code == 400
    assert [(e["row"], e["column"], e["message"]) for e in response.json()["errors"]] == [
        (1, "tax_code", "This column is missing.")
    ]


def test_a_wrong_format_is_refused(world):
    client = client_as(world.coordinator)
    response = post(client, b"hello", "true", name="persone.pdf")
    assert response.status_code == 400 and "file_format" in response.json()
    response = post(client, b"PK not really a workbook", "true", name="persone.xlsx")
    assert response.status_code == 400 and "file" in response.json()
    response = client.post(IMPORT, {"dry_run": "true"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_an_unknown_resource_is_404_and_export_only_ones_are_not_importable(world):
    client = client_as(world.coordinator)
    assert client.post("/api/v1/imports/nothing/", {"file": upload(b"a\n")}, format="multipart").status_code == 404
    assert client.post("/api/v1/imports/grants/", {"file": upload(b"a\n")}, format="multipart").status_code == 404


def test_a_large_file_is_a_background_job_its_requester_polls(
    world, other, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_as(world.coordinator), two_people(world), "false")
    assert response.status_code == 202, response.content
    job = ImportJob.objects.get(pk=response.json()["id"])
    assert job.requested_by == world.coordinator and job.rows == 2
    polled = client_as(world.coordinator).get(f"/api/v1/import-jobs/{job.pk}/")
    assert polled.status_code == 200
    assert polled.json()["status"] == ImportJobStatus.DONE and polled.json()["totals"] == {"new": 2}
    assert Person.objects.filter(tax_code__in=[f.tax_code(7001), f.tax_code(7002)]).count() == 2
    # someone else's job answers 404
    assert client_as(other.coordinator).get(f"/api/v1/import-jobs/{job.pk}/").status_code == 404
    assert client_as(world.tutor).get(f"/api/v1/import-jobs/{job.pk}/").status_code == 404


# --- exports --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_export_by_role(role, world, other, admin_user):
    mine = f.PersonFactory(programme=world.programme, tax_code=f.tax_code(7010))
    theirs = f.PersonFactory(programme=other.programme, tax_code=f.tax_code(7011))
    response = client_for(role, world, admin_user).get(EXPORT)
    if role not in ("coordinator", "admin"):
        assert response.status_code in (ANONYMOUS if role == "anonymous" else (403,))
        return
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    assert body.splitlines()[0] == HEADER
    assert mine.tax_code in body
    assert (theirs.tax_code in body) is (role == "admin")


def test_export_formats(world):
    f.PersonFactory(programme=world.programme, tax_code=f.tax_code(7012), last_name="Verdi")
    client = client_as(world.coordinator)
    xlsx = client.get(EXPORT, {"file_format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in next(sheet.iter_rows())] == HEADER.split(",")
    assert "Verdi" in {row[2] for row in sheet.iter_rows(values_only=True)}
    italian = client.get(EXPORT, {"file_format": "csv-it"})
    assert italian.status_code == 200 and italian.content.startswith("\ufeff".encode()) and b";" in italian.content
    bad = client.get(EXPORT, {"file_format": "pdf"})
    assert bad.status_code == 400 and "file_format" in bad.json()
    assert client.get("/api/v1/exports/nothing/").status_code == 404


def test_export_only_resources_export(world):
    response = client_as(world.coordinator).get("/api/v1/exports/grants/")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
