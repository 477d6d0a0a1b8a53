from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _

app_name = "api"


def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any other address under the API answers 404 in JSON, as documented, rather than
    the site's HTML page (e.g. a path parameter that does not match its pattern)."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


urlpatterns = [
    path("", include("api.incubator.urls")),
    path("", include("api.cohorts.urls")),
    path("", include("api.mentoring.urls")),
    # Last, and only for addresses ending in "/", so that APPEND_SLASH still redirects.
    re_path(r"^.*/$", not_found, name="not-found"),
]
