from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from incubator import site_views, views

# The core's pages, then each subject's (included by name: the core imports no subject).
urlpatterns = [
    path("", views.home, name="home"),
    path("", include("incubator.accounts.urls")),
    path("", include("incubator.calendar.urls")),
    path("", include("incubator.path.urls")),
    path("", include("incubator.privacy.urls")),
    path("", include("incubator.selection.urls")),
    path("", include("incubator.selection.urls_review")),
    path("", include("incubator.notifications.urls")),
    path("", include("incubator.documents.urls")),
    path("", include("incubator.negotiation.urls")),
]

# The role switch of the main navigation and the footer's pages (incubator/site_views.py).
urlpatterns += [
    path("acting-as/", site_views.switch_persona, name="switch-persona"),
    path("accessibility/", site_views.accessibility, name="accessibility"),
    path("privacy/", site_views.privacy, name="privacy"),
    # The texts of our scripts (locale/*/LC_MESSAGES/djangojs.po), as window.gettext & co.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
