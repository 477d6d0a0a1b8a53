from django.contrib.auth import views as auth_views
from django.urls import path

from incubator import feeds, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="incubator/login.html"), name="login"),
    path("calendar/<str:token>.ics", feeds.calendar_feed, name="calendar-feed"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
