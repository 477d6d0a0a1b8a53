from django.urls import path

from incubator.path import views

# The participant's path: evidence, milestone states, calendar link, suspension.
urlpatterns = [
    path("path/milestones/<int:pk>/evidence/", views.milestone_evidence, name="path-evidence"),
    path("path/milestones/<int:pk>/evidence/upload/", views.milestone_evidence_upload, name="path-evidence-upload"),
    path("path/milestones/<int:pk>/state/", views.milestone_state, name="path-milestone-state"),
    path("path/milestones/<int:pk>/verify/", views.milestone_verify, name="path-milestone-verify"),
    path("path/calendar/<int:programme_pk>/", views.calendar_link, name="path-calendar"),
    path("path/enrolments/<int:pk>/suspension/", views.enrolment_suspension, name="path-suspension"),
]
