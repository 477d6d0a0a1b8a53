from django.urls import path

from cohorts.portal import views

# The participant portal and the path seen by tutors and coordinators.
urlpatterns = [
    path("my-path/", views.my_path, name="my-path"),
    path("my-path/data.json", views.my_data, name="my-data"),
    path("my-path/data.csv", views.my_data, {"fmt": "csv"}, name="my-data-csv"),
    path("path/", views.path_overview, name="path-overview"),
    path("path/enrolments/<int:pk>/", views.venture_path, name="venture-path"),
]
