from django.http import HttpRequest, HttpResponse

from incubator import site_views


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice that sign-up asks to accept (public): the site's GDPR art. 13
    notice, with its version."""
    return site_views.privacy(request)
