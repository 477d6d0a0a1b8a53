"""Large files and large exports: an import past ``IMPORT_BACKGROUND_ROWS`` rows runs as a
task (immediately in tests) that its requester follows on a page, all or nothing; the
attendance import writes a session's rows with one service call; exports past
``STREAM_AFTER_ROWS`` rows are streamed, in CSV and XLSX."""

import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.tmp_storages import MediaStorage

from cohorts import services
from cohorts.models import Attendance
from cohorts.resources import AttendanceResource
from incubator.imports import formats
from incubator.imports.models import ImportJob, ImportJobStatus
from incubator.models import AuditEvent
from tests.cohorts.helpers import build_cohort, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    cw = build_cohort(world, extra_people=3)
    cw.held = cw.session(day=days_ago(4), minutes=120, topic="Piano economico")
    cw.held2 = cw.session(day=days_ago(3), minutes=120, topic="Marketing")
    return cw


def url(name, *args):
    return reverse(f"admin:cohorts_{name}", args=args)


def _csv(rows) -> bytes:
    lines = ["session;person;status;minutes_attended;note"]
    lines += [";".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def _upload(client, content: bytes):
    preview = client.post(
        url("attendance_import"),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("registro.csv", content)},
    )
    assert preview.status_code == 200
    return preview


def _register_rows(cw):
    return [(cw.held.pk, p.pk, "present", None, "") for p in cw.people] + [
        (cw.held2.pk, p.pk, "partial", 60, "") for p in cw.people
    ]


def test_a_file_past_the_size_is_imported_in_the_background_and_followed(
    client, cw, world, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 3
    rows = _register_rows(cw)
    client.force_login(world.coordinator)
    preview = _upload(client, _csv(rows))
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(url("attendance_process_import"), preview.context["confirm_form"].initial)
    job = ImportJob.objects.get()
    assert confirmed.status_code == 302 and confirmed["Location"] == url("attendance_import_job", job.pk)
    assert job.status == ImportJobStatus.DONE and job.rows == len(rows) and job.progress == 100
    assert job.totals == {"new": len(rows)} and job.requested_by == world.coordinator
    assert Attendance.objects.count() == len(rows)
    page = client.get(confirmed["Location"])
    assert page.status_code == 200 and "Every row was imported." in page.text
    assert [m.message for m in page.context["messages"]]  # the link shown after the confirmation
    verbs = set(AuditEvent.objects.filter(target_id=job.pk).values_list("verb", flat=True))
    assert {"import.start", "import.finish", "attendance.mark"} <= verbs | set(
        AuditEvent.objects.values_list("verb", flat=True)
    )


def test_a_background_import_with_a_bad_row_writes_nothing_and_says_why(
    client, cw, world, other, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 3
    rows = [*_register_rows(cw), (cw.held.pk, other.participant_person.pk, "present", None, "")]
    client.force_login(world.coordinator)
    # The preview already lists the problem; confirming anyway (a file changed since) fails whole.
    preview = _upload(client, _csv(_register_rows(cw)))
    initial = preview.context["confirm_form"].initial
    storage = MediaStorage(name=initial["import_file_name"], read_mode="rb")
    storage.remove()
    storage.save(_csv(rows))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("attendance_process_import"), initial)
    job = ImportJob.objects.get()
    assert job.status == ImportJobStatus.FAILED and job.finished_at is not None
    assert any("roster" in problem for problem in job.problems), job.problems
    assert not Attendance.objects.exists()
    page = client.get(url("attendance_import_job", job.pk))
    assert "Nothing was imported." in page.text


def test_only_the_requester_sees_a_background_import(client, cw, world, other, settings):
    job = ImportJob.objects.create(
        requested_by=world.coordinator,
        model="cohorts.Attendance",
        resource="cohorts.resources.AttendanceResource",
        format_index=0,
        file_name="x.csv",
        original_name="x.csv",
        rows=10,
    )
    client.force_login(other.coordinator)
    assert client.get(url("attendance_import_job", job.pk)).status_code == 404
    client.force_login(world.coordinator)
    running = client.get(url("attendance_import_job", job.pk))
    assert running.status_code == 200
    assert '<meta http-equiv="refresh"' in running.text and 'id="import-progress"' in running.text


def test_small_files_are_still_imported_at_once(client, cw, world):
    client.force_login(world.coordinator)
    preview = _upload(client, _csv(_register_rows(cw)))
    client.post(url("attendance_process_import"), preview.context["confirm_form"].initial)
    assert not ImportJob.objects.exists()
    assert Attendance.objects.count() == 2 * len(cw.people)


def test_the_attendance_import_is_one_service_call_for_the_file(cw, world, monkeypatch):
    calls = []
    real = services.attendance_mark_registers

    def counted(**kwargs):
        calls.append(len(kwargs["registers"]))
        return real(**kwargs)

    monkeypatch.setattr(services, "attendance_mark_registers", counted)
    rows = _register_rows(cw)
    data = tablib.Dataset(headers=["session", "person", "status", "minutes_attended", "note"])
    for row in rows:
        data.append(list(row))
    seen = []
    resource = AttendanceResource(actor=world.coordinator, progress=seen.append)
    result = resource.import_data(data, dry_run=False)
    assert not result.has_validation_errors()
    assert calls == [2]  # one call, two registers
    assert AuditEvent.objects.filter(verb="attendance.mark").count() == 2  # one per session
    assert result.totals["new"] == len(rows)
    # The admin log's name of each row is the mark's own.
    marks = {(m.session_id, m.person_id): m for m in Attendance.objects.select_related("person")}
    assert [r.object_repr for r in result.rows] == [str(marks[(s, p)]) for s, p, *_ in rows]
    # Cleaning ends half way, then each session written moves it on, to the end.
    assert seen == sorted(seen) and seen[0] == 0.5 and seen[-1] == 1.0 and any(0.5 < x < 1 for x in seen)


def test_a_person_given_twice_is_marked_in_file_order(cw, world):
    person = cw.people[0]
    data = tablib.Dataset(headers=["session", "person", "status"])
    data.append([cw.held.pk, person.pk, "absent"])
    data.append([cw.held.pk, cw.people[1].pk, "present"])
    data.append([cw.held.pk, person.pk, "present"])
    result = AttendanceResource(actor=world.coordinator).import_data(data, dry_run=False)
    assert not result.has_validation_errors()
    assert Attendance.objects.get(person=person).status == "present"
    assert [r.import_type for r in result.rows] == ["new", "new", "update"]


def test_the_preview_still_shows_every_row_as_it_will_be(client, cw, world):
    client.force_login(world.coordinator)
    preview = _upload(client, _csv(_register_rows(cw)))
    rows = preview.context["result"].rows
    assert len(rows) == 2 * len(cw.people) and all(r.diff for r in rows)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(("fmt", "name"), [("0", "csv"), ("2", "xlsx")])
def test_large_exports_are_streamed(client, cw, world, monkeypatch, fmt, name):
    monkeypatch.setattr(formats, "STREAM_AFTER_ROWS", 2)
    monkeypatch.setattr(formats, "STREAM_ROWS", 2)
    AttendanceResource(actor=world.coordinator).import_data(_dataset(_register_rows(cw)), dry_run=False)
    client.force_login(world.coordinator)
    page = client.get(url("attendance_export"))
    form = page.context["form"]
    data = {n: "on" for n, f in form.fields.items() if f.widget.input_type == "checkbox"}
    data.update(format=fmt, resource="0")
    with CaptureQueriesContext(__import__("django.db").db.connection) as queries:
        response = client.post(url("attendance_export"), data)
        body = b"".join(response)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].endswith(f'.{name}"')
    if name == "csv":
        lines = body.decode().splitlines()
        assert lines[0].startswith("session,session_start") and len(lines) == 1 + 2 * len(cw.people)
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        assert sheet.max_row == 1 + 2 * len(cw.people)
    # The rows come from one query whatever their number (session, module and person joined).
    assert sum("cohorts_attendance" in q["sql"] and "FROM" in q["sql"] for q in queries.captured_queries) <= 3


def test_small_exports_are_sent_whole(client, cw, world):
    AttendanceResource(actor=world.coordinator).import_data(_dataset(_register_rows(cw)), dry_run=False)
    client.force_login(world.coordinator)
    form = client.get(url("attendance_export")).context["form"]
    data = {n: "on" for n, f in form.fields.items() if f.widget.input_type == "checkbox"}
    response = client.post(url("attendance_export"), {**data, "format": "0", "resource": "0"})
    assert not response.streaming and len(response.content.decode().splitlines()) == 1 + 2 * len(cw.people)


def _dataset(rows):
    data = tablib.Dataset(headers=["session", "person", "status", "minutes_attended", "note"])
    for row in rows:
        data.append(list(row))
    return data
