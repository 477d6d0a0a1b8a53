from django.urls import path

from incubator.privacy import views

# Data-subject rights: a person's access export.
urlpatterns = [
    path("people/<int:pk>/data.<str:fmt>", views.person_data, name="person-data"),
]
