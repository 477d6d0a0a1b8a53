from django.urls import path

from cohorts.reports import views

# The coordinators' outcome dashboard and their report exports.
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/exports/", views.report_exports, name="report-exports"),
    path("dashboard/exports/<int:pk>/status/", views.report_export_status, name="report-export-status"),
    path("dashboard/exports/<int:pk>/download/", views.report_export_download, name="report-export-download"),
]
