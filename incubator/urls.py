from django.urls import include, path

from incubator import views

# The core's pages, then each subject's (included by name: the core imports no subject).
urlpatterns = [
    path("", views.home, name="home"),
    path("", include("incubator.accounts.urls")),
    path("", include("incubator.calendar.urls")),
    path("", include("incubator.path.urls")),
    path("", include("incubator.privacy.urls")),
]
