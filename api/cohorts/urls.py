from rest_framework.routers import SimpleRouter

from api.cohorts import views

router = SimpleRouter()
router.register("cohorts", views.CohortViewSet, basename="cohort")
router.register("cohort-modules", views.CohortModuleViewSet, basename="cohort-module")
router.register("training-sessions", views.TrainingSessionViewSet, basename="training-session")
router.register("attendance", views.AttendanceViewSet, basename="attendance")

urlpatterns = router.urls

# The cohort report (JSON) and report exports (api.cohorts.reports.views).
from django.urls import path  # noqa: E402

from api.cohorts.reports import views as report_views  # noqa: E402

reports_router = SimpleRouter()
reports_router.register("report-exports", report_views.ReportExportViewSet, basename="report-export")
urlpatterns += [
    path("reports/cohorts/<int:pk>/", report_views.CohortReportView.as_view(), name="report-cohort"),
    path("reports/programmes/<int:pk>/", report_views.ProgrammeReportView.as_view(), name="report-programme"),
    *reports_router.urls,
]
