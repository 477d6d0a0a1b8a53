from allauth.account import views as allauth_views
from django.urls import include, path
from django.views.generic import RedirectView

# allauth's pages under accounts/ (account_login, account_signup, account_logout,
# account_reset_password, account_email...). The old names stay: "login" sends to the
# login page (keeping ?next=), "logout" logs out on POST as before.
compat = [
    path("login/", RedirectView.as_view(pattern_name="account_login", query_string=True), name="login"),
    path("logout/", allauth_views.logout, name="logout"),
]

urlpatterns = [
    *compat,
    path("accounts/", include("allauth.urls")),
]
