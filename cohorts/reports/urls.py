from django.urls import path

from cohorts.reports import coordinator_views, views

# The coordinators' outcome dashboard and their report exports.
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/exports/", views.report_exports, name="report-exports"),
    path("dashboard/exports/<int:pk>/status/", views.report_export_status, name="report-export-status"),
    path("dashboard/exports/<int:pk>/download/", views.report_export_download, name="report-export-download"),
]

# The coordinator's pages beside the back office.
urlpatterns += [
    path("coordinator/", coordinator_views.coordinator_home, name="coordinator"),
    path("coordinator/tutoring/", coordinator_views.tutoring_overview, name="coordinator-tutoring"),
    path("coordinator/grants/", coordinator_views.grants, name="coordinator-grants"),
    path("coordinator/budget/", coordinator_views.budget, name="coordinator-budget"),
    path("coordinator/monitoring.zip", coordinator_views.monitoring_download, name="coordinator-monitoring"),
]
