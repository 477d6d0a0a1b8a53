from django.urls import path

from cohorts import views, views_portal

app_name = "cohorts"

urlpatterns = [
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort"),
    path("cohorts/<int:pk>/calendar-feed/", views.cohort_calendar_feed, name="calendar-feed"),
    path("cohorts/<int:pk>/calendar-feed/rotate/", views.cohort_calendar_feed_rotate, name="calendar-feed-rotate"),
    path("cohorts/<int:pk>/attendance/", views.cohort_attendance, name="attendance"),
    path("cohorts/<int:pk>/attendance/<int:person_pk>/", views.participant_attendance, name="participant-attendance"),
    path("training-sessions/<int:pk>/register/", views.session_register, name="register"),
]

# The participant portal and the path seen by tutors and coordinators.
urlpatterns += [
    path("my-path/", views_portal.my_path, name="my-path"),
    path("my-path/data.json", views_portal.my_data, name="my-data"),
    path("my-path/data.csv", views_portal.my_data, {"fmt": "csv"}, name="my-data-csv"),
    path("path/", views_portal.path_overview, name="path-overview"),
    path("path/enrolments/<int:pk>/", views_portal.venture_path, name="venture-path"),
]

# The coordinators' outcome dashboard and their report exports.
from cohorts import dashboard  # noqa: E402

urlpatterns += [
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/exports/", dashboard.report_exports, name="report-exports"),
    path("dashboard/exports/<int:pk>/status/", dashboard.report_export_status, name="report-export-status"),
    path("dashboard/exports/<int:pk>/download/", dashboard.report_export_download, name="report-export-download"),
]
