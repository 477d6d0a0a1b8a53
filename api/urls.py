from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("api.incubator.urls")),
    path("", include("api.cohorts.urls")),
    path("", include("api.mentoring.urls")),
]
