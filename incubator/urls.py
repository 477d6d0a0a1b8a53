from django.contrib.auth import views as auth_views
from django.urls import include, path

from incubator import views

# The core's pages, then each subject's (included by name: the core imports no subject).
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="incubator/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("incubator.calendar.urls")),
    path("", include("incubator.path.urls")),
    path("", include("incubator.privacy.urls")),
    path("", include("incubator.notifications.urls")),
]
