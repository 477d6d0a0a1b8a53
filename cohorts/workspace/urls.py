from django.urls import path

from cohorts.workspace import views

# The trainers' and tutors' workspace, and the participant's check-in.
urlpatterns = [
    path("sessions/", views.my_sessions, name="my-sessions"),
    path("sessions/<int:pk>/register/", views.register, name="workspace-register"),
    path("sessions/<int:pk>/check-in/", views.checkin_screen, name="workspace-checkin"),
    path("sessions/<int:pk>/check-in/state.json", views.checkin_state, name="workspace-checkin-state"),
    path("sessions/<int:pk>/check-in/qr.svg", views.checkin_qr, name="workspace-checkin-qr"),
    path("check-in/<int:pk>/<str:code>/", views.check_in, name="check-in"),
]
