"""One definition per figure: on the demo data, sessions held, training completed and
paths completed read the same on every page, in the XLSX export and in the API."""

import io

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cohorts.models import Cohort, TrainingSession
from cohorts.selectors import attendance_by_person
from incubator.models import User
from incubator.path.models import Enrolment, EnrolmentStatus


class DemoFiguresAgreeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", seed=2026, stdout=io.StringIO())
        cls.cohort = Cohort.objects.get(name__startswith="Coorte 1")
        cls.coordinator = User.objects.get(username="coordinator")

    def setUp(self):
        self.client.force_login(self.coordinator)

    def _xlsx_training(self) -> dict:
        response = self.client.post(
            "/dashboard/exports/",
            {"programme": self.cohort.programme_id, "cohort": self.cohort.pk, "kind": "report_xlsx"},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        for sheet in workbook.worksheets:
            rows = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and len(row) > 1}
            if "Training sessions held" in rows:
                return rows
        raise AssertionError("no training sheet in the export")

    def test_sessions_held_training_completed_and_paths_completed_agree(self):
        cohort = self.cohort
        # The definitions themselves, counted straight from the rows.
        now = timezone.now()
        held = sum(
            1
            for s in TrainingSession.objects.filter(cohort=cohort)
            if s.kind == "training" and not s.is_cancelled and s.ends_at <= now
        )
        completed = sum(1 for p in attendance_by_person(cohort) if p.percent is not None and p.completed)
        paths_completed = Enrolment.objects.filter(
            application__call__programme=cohort.programme, status=EnrolmentStatus.COMPLETED
        ).count()
        assert held > 20 and completed > 0
        # Some outreach events and cancellations exist: the old figures counted them.
        assert TrainingSession.objects.filter(cohort=cohort).count() > held

        page = self.client.get(f"/cohorts/{cohort.pk}/")
        attendance = self.client.get(f"/cohorts/{cohort.pk}/attendance/")
        dashboard = self.client.get(f"/dashboard/?programme={cohort.programme_id}&cohort={cohort.pk}")
        home = self.client.get(f"/coordinator/?programme={cohort.programme_id}")
        line = next(line for line in home.context["cohorts"] if line.cohort.pk == cohort.pk)
        report = dashboard.context["report"]
        api = APIClient()
        api.force_authenticate(self.coordinator)
        api_attendance = api.get(f"/api/v1/cohorts/{cohort.pk}/attendance/").json()
        api_report = api.get(f"/api/v1/reports/cohorts/{cohort.pk}/").json()
        xlsx = self._xlsx_training()

        sessions_held = {
            "cohort page": page.context["figures"].held_sessions,
            "attendance page": attendance.context["figures"].held_sessions,
            "dashboard": report.training.sessions_held,
            "coordinator home": line.held_sessions,
            "XLSX": xlsx["Training sessions held"],
            "API attendance": api_attendance["held_sessions"],
            "API report": api_report["training"]["sessions_held"],
        }
        assert set(sessions_held.values()) == {held}, sessions_held
        assert f"Training sessions held: {held} of" in page.content.decode()

        training_completed = {
            "attendance page": sum(1 for row in attendance.context["rows"] if row.completed),
            "dashboard": report.training.completed,
            "coordinator home": line.completed,
            "XLSX": xlsx["Training completed (attendance at or above the threshold)"],
            "API attendance": sum(1 for row in api_attendance["participants"] if row["completed"]),
            "API report": api_report["training"]["completed"],
        }
        assert set(training_completed.values()) == {completed}, training_completed

        paths = {
            "dashboard": report.funnel.completed,
            "coordinator home": home.context["overview"].paths_completed,
            "API report": api_report["funnel"]["completed"],
        }
        assert set(paths.values()) == {paths_completed}, paths
        # The two "completed" say what they count.
        html = dashboard.content.decode()
        assert "Paths completed (closed)" in html and "completed the training" in html
