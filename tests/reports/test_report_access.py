"""Each role on each report endpoint and page: the JSON report, the report exports (API
and pages), the dashboard. Allowed for the programme's coordinators (and administrators
where the data is aggregate), 404 for everyone and everything else."""

import io

import pytest
from django.core import mail
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cohorts.reports.models import ReportExport
from incubator.models import RoleAssignment
from tests.reports import dataset

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "evaluator", "tutor", "participant", "admin", "other_coordinator")


@pytest.fixture
def data(world, other):
    return dataset.build(world)


def user_for(role, world, other, admin_user):
    return {"admin": admin_user, "other_coordinator": other.coordinator}.get(role) or getattr(world, role)


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def page_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- reports/cohorts/{id} ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_cohort_report_json_by_role(world, other, admin_user, data, role):
    response = api_as(user_for(role, world, other, admin_user)).get(f"/api/v1/reports/cohorts/{data.cohort.pk}/")
    if role in ("coordinator", "admin"):
        assert response.status_code == 200
        body = response.json()
        assert body["funnel"]["applications"] == 7
        assert body["unit_costs"]["total"] == "1085.25"
        assert body["training"]["participant_hours"] == "20.50"
        assert "violence" not in response.content.decode().lower()
    else:
        # Trainers and participants may see the cohort itself, never its report.
        assert response.status_code == 404


def test_cohort_report_json_period_and_bad_input(world, data):
    api = api_as(world.coordinator)
    url = f"/api/v1/reports/cohorts/{data.cohort.pk}/"
    february = api.get(url, {"date_from": "2026-02-01", "date_to": "2026-02-28"}).json()
    assert (february["training"]["hours_delivered"], february["tutoring"]["value"]) == ("4.00", "97.50")
    assert february["scope"]["date_from"] == "2026-02-01"
    backwards = api.get(url, {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    assert backwards.status_code == 400 and "date_to" in backwards.json()
    assert api.get(url, {"date_from": "yesterday"}).status_code == 400
    assert api.get("/api/v1/reports/cohorts/999999/").status_code == 404
    assert APIClient().get(url).status_code in (401, 403)


def test_programme_report_json(world, other, data):
    url = f"/api/v1/reports/programmes/{world.programme.pk}/"
    body = api_as(world.coordinator).get(url).json()
    assert [c["name"] for c in body["scope"]["cohorts"]] == ["Cohort C", "Cohort C2"]
    assert body["funnel"]["enrolled"] == 4
    assert api_as(world.tutor).get(url).status_code == 404
    assert api_as(other.coordinator).get(url).status_code == 404


# --- report exports through the API ------------------------------------------------------


def test_report_export_api(world, other, data):
    api = api_as(world.coordinator)
    created = api.post(
        "/api/v1/report-exports/",
        {"programme": world.programme.pk, "cohort": data.cohort.pk, "kind": "report_xlsx"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert created.status_code == 201, created.content
    export = created.json()
    assert (export["status"], export["background"], export["participants"]) == ("done", False, 5)
    download = api.get(export["download_url"])
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    assert "Selection funnel" in workbook.sheetnames
    assert ReportExport.objects.get().downloaded_at is not None
    # Somebody else's export is not found, not even by a coordinator of the programme.
    colleague = world.evaluator
    RoleAssignment.objects.create(user=colleague, programme=world.programme, role="coordinator")
    assert api_as(colleague).get(f"/api/v1/report-exports/{export['id']}/").status_code == 404
    assert api_as(colleague).get(export["download_url"]).status_code == 404
    assert api_as(other.coordinator).get(export["download_url"]).status_code == 404
    assert api_as(world.coordinator).get("/api/v1/report-exports/").json()["count"] == 1


@pytest.mark.parametrize("role", ["evaluator", "tutor", "participant", "other_coordinator"])
def test_report_export_api_refused(world, other, admin_user, data, role):
    user = user_for(role, world, other, admin_user)
    response = api_as(user).post(
        "/api/v1/report-exports/", {"programme": world.programme.pk, "cohort": data.cohort.pk, "kind": "report_csv"}
    )
    # A programme the user holds another role in is visible, its reports are not (404);
    # another programme's id does not resolve (400 naming the field).
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert "programme" in response.json() or "cohort" in response.json()
    assert not ReportExport.objects.exists()


def test_pseudonymised_export_is_for_coordinators_only(world, admin_user, data):
    body = {"programme": world.programme.pk, "cohort": data.cohort.pk, "kind": "pseudonymised_csv"}
    # An administrator may read the aggregate report but not participant-level data.
    assert api_as(admin_user).post("/api/v1/report-exports/", body).status_code == 404
    assert api_as(admin_user).post("/api/v1/report-exports/", {**body, "kind": "report_csv"}).status_code == 201
    assert api_as(world.coordinator).post("/api/v1/report-exports/", body).status_code == 201


def test_report_export_bad_input(world, other, data):
    api = api_as(world.coordinator)
    wrong_kind = api.post("/api/v1/report-exports/", {"programme": world.programme.pk, "kind": "pdf"})
    assert wrong_kind.status_code == 400 and "kind" in wrong_kind.json()
    backwards = api.post(
        "/api/v1/report-exports/",
        {"programme": world.programme.pk, "kind": "report_csv", "date_from": "2026-03-01", "date_to": "2026-01-01"},
    )
    assert backwards.status_code == 400 and "date_to" in backwards.json()
    foreign = other.programme
    mismatch = api.post("/api/v1/report-exports/", {"programme": foreign.pk, "kind": "report_csv"})
    assert mismatch.status_code == 400 and "programme" in mismatch.json()
    assert not ReportExport.objects.exists()


# --- background exports ------------------------------------------------------------------


def test_large_export_runs_as_a_task_and_the_user_is_told(world, data, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_BACKGROUND_THRESHOLD = 4  # the cohort has 5 participants
    client = page_as(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            "/dashboard/exports/",
            {"programme": world.programme.pk, "cohort": data.cohort.pk, "kind": "pseudonymised_xlsx"},
        )
    assert len(callbacks) == 2  # the export's task, then the "export ready" notification it made
    assert response.status_code == 302 and response["Location"] == "/dashboard/exports/"
    export = ReportExport.objects.get()
    assert (export.background, export.status, export.progress) == (True, "done", 100)
    assert export.task_id
    # Told by email, on the exports page and on the dashboard until downloaded.
    assert [m.to for m in mail.outbox] == [[world.coordinator.email]]
    assert "/dashboard/exports/" in mail.outbox[0].body
    status = client.get(f"/dashboard/exports/{export.pk}/status/").json()
    assert status["status"] == "done" and status["download_url"].endswith("/download/")
    dashboard = client.get("/dashboard/").content.decode()
    assert f"/dashboard/exports/{export.pk}/download/" in dashboard
    assert client.get(status["download_url"]).status_code == 200
    assert f"/dashboard/exports/{export.pk}/download/" not in client.get("/dashboard/").content.decode()


def test_queued_export_shows_its_progress_then_fails_if_the_role_is_gone(
    world, data, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_BACKGROUND_THRESHOLD = 0
    client = page_as(world.coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(
            "/dashboard/exports/", {"programme": world.programme.pk, "cohort": data.cohort.pk, "kind": "report_csv"}
        )
    export = ReportExport.objects.get()
    assert export.status == "pending"
    page = client.get("/dashboard/exports/").content.decode()
    assert 'data-status="pending"' in page and "exports.js" in page
    assert client.get(f"/dashboard/exports/{export.pk}/download/").status_code == 404
    RoleAssignment.objects.filter(user=world.coordinator, role="coordinator").delete()
    for callback in callbacks:
        callback()
    export.refresh_from_db()
    assert export.status == "failed" and export.error
    assert not export.file


# --- pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_by_role(world, other, admin_user, data, role):
    client = page_as(user_for(role, world, other, admin_user))
    response = client.get("/dashboard/", {"programme": world.programme.pk, "cohort": data.cohort.pk})
    if role in ("coordinator", "admin"):
        assert response.status_code == 200
        page = response.content.decode()
        assert page.count('<svg class="chart-svg"') == 4  # the four charts (the layout has its icons)
        # The project-specific figure: the programme's coordinators only.
        assert ('class="restricted"' in page) is (role == "coordinator")
    else:
        assert response.status_code == 404


def test_dashboard_defaults_and_filters(world, other, data):
    client = page_as(world.coordinator)
    assert client.get("/dashboard/").status_code == 200
    # Another programme's cohort or programme is not found.
    assert client.get("/dashboard/", {"programme": other.programme.pk}).status_code == 404
    assert client.get("/dashboard/", {"programme": world.programme.pk, "cohort": 999999}).status_code == 404
    bad_period = client.get(
        "/dashboard/", {"programme": world.programme.pk, "date_from": "2026-03-01", "date_to": "2026-01-01"}
    )
    assert bad_period.status_code == 200
    assert 'id="id_date_to-error"' in bad_period.content.decode()
    assert page_as(other.coordinator).get("/dashboard/").status_code == 200
    assert Client().get("/dashboard/").status_code == 302  # to the login page


@pytest.mark.parametrize("role", ROLES)
def test_export_pages_by_role(world, other, admin_user, data, role):
    export = ReportExport.objects.create(
        requested_by=world.coordinator, programme=world.programme, cohort=data.cohort, kind="report_csv"
    )
    client = page_as(user_for(role, world, other, admin_user))
    listing = client.get("/dashboard/exports/")
    status = client.get(f"/dashboard/exports/{export.pk}/status/")
    if role == "coordinator":
        assert listing.status_code == 200 and status.status_code == 200
    else:
        assert status.status_code == 404
        assert listing.status_code == (200 if role in ("admin", "other_coordinator") else 404)
        if listing.status_code == 200:
            assert f"/dashboard/exports/{export.pk}/" not in listing.content.decode()


def test_export_page_post_downloads_small_files_at_once(world, data):
    client = page_as(world.coordinator)
    response = client.post(
        "/dashboard/exports/", {"programme": world.programme.pk, "cohort": data.cohort.pk, "kind": "report_csv"}
    )
    export = ReportExport.objects.get()
    assert response["Location"] == f"/dashboard/exports/{export.pk}/download/"
    download = client.get(response["Location"])
    assert download["Content-Disposition"].startswith("attachment")
    content = b"".join(download.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf") and world.programme.code.encode() in content
    assert (
        page_as(world.tutor)
        .post("/dashboard/exports/", {"programme": world.programme.pk, "kind": "report_csv"})
        .status_code
        == 404
    )


def test_a_retried_task_does_not_build_the_file_twice(world, data):
    from cohorts.reports.services import report_export_build

    export = ReportExport.objects.create(
        requested_by=world.coordinator, programme=world.programme, cohort=data.cohort, kind="report_csv"
    )
    built = report_export_build(export_id=export.pk)
    assert built.status == "done"
    again = report_export_build(export_id=export.pk)
    assert (again.file.name, again.finished_at) == (built.file.name, built.finished_at)
