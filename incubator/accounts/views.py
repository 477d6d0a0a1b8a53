from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice that sign-up asks to accept (public)."""
    return render(request, "incubator/accounts/privacy_notice.html", {"version": settings.PRIVACY_NOTICE_VERSION})
