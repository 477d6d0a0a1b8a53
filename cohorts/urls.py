from django.urls import include, path

from cohorts import documents, views

app_name = "cohorts"

urlpatterns = [
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort"),
    path("cohorts/<int:pk>/calendar-feed/", views.cohort_calendar_feed, name="calendar-feed"),
    path("cohorts/<int:pk>/calendar-feed/rotate/", views.cohort_calendar_feed_rotate, name="calendar-feed-rotate"),
    path("cohorts/<int:pk>/attendance/", views.cohort_attendance, name="attendance"),
    path("cohorts/<int:pk>/attendance/<int:person_pk>/", views.participant_attendance, name="participant-attendance"),
    path("training-sessions/<int:pk>/register/", views.session_register, name="register"),
    path("training-sessions/<int:pk>/register.pdf", documents.session_register_pdf, name="register-pdf"),
    path("cohorts/<int:pk>/register.pdf", documents.cohort_register_pdf, name="cohort-register-pdf"),
    path("cohorts/<int:pk>/attendance/<int:person_pk>/certificate.pdf", documents.certificate_pdf, name="certificate"),
    # The participant portal (cohorts.portal) and the coordinators' dashboard (cohorts.reports).
    path("", include("cohorts.portal.urls")),
    path("", include("cohorts.reports.urls")),
    path("", include("cohorts.workspace.urls")),
]
