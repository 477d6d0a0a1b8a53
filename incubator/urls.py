from django.contrib.auth import views as auth_views
from django.urls import path

from incubator import feeds, views, views_portal

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="incubator/login.html"), name="login"),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar-feed"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

# The participant's path: evidence, milestone states, calendar link, suspension.
urlpatterns += [
    path("path/milestones/<int:pk>/evidence/", views_portal.milestone_evidence, name="path-evidence"),
    path(
        "path/milestones/<int:pk>/evidence/upload/", views_portal.milestone_evidence_upload, name="path-evidence-upload"
    ),
    path("path/milestones/<int:pk>/state/", views_portal.milestone_state, name="path-milestone-state"),
    path("path/milestones/<int:pk>/verify/", views_portal.milestone_verify, name="path-milestone-verify"),
    path("path/calendar/<int:programme_pk>/", views_portal.calendar_link, name="path-calendar"),
    path("path/enrolments/<int:pk>/suspension/", views_portal.enrolment_suspension, name="path-suspension"),
]

# Data-subject rights: a person's access export (incubator.views_gdpr).
from incubator import views_gdpr  # noqa: E402

urlpatterns += [
    path("people/<int:pk>/data.<str:fmt>", views_gdpr.person_data, name="person-data"),
]
