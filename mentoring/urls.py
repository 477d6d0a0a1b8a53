from django.urls import path

from mentoring import documents, views

app_name = "mentoring"

urlpatterns = [
    path("tutor/", views.my_ventures, name="my-ventures"),
    path("tutor/sessions/new/", views.session_new, name="session-new"),
    path("tutor/sessions/<int:pk>/edit/", views.session_edit, name="session-edit"),
    path("tutor/calendar/<int:profile_pk>/", views.calendar_link, name="calendar-link"),
    path("tutor/timesheet/", views.timesheet_index, name="timesheet-index"),
    path(
        "tutor/timesheet/<int:tutor_pk>/<int:year>/<int:month>/timesheet.pdf",
        documents.timesheet_pdf,
        name="timesheet-pdf",
    ),
    path("tutor/timesheet/<int:tutor_pk>/<int:year>/<int:month>/", views.timesheet, name="timesheet"),
    path(
        "tutor/timesheet/<int:tutor_pk>/<int:year>/<int:month>/export.<str:fmt>",
        views.timesheet_export,
        name="timesheet-export",
    ),
    path("tutoring/", views.my_tutoring, name="my-tutoring"),
    path("tutoring/ventures/<int:venture_pk>/", views.venture_log, name="venture-log"),
    path("tutoring/action-items/<int:pk>/done/", views.action_item_done, name="action-item-done"),
]
