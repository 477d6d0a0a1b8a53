"""The site's own pages beside the subjects': the role switch of the main navigation, the
accessibility statement and the privacy notice linked from every footer."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from incubator import navigation


@login_required
@require_POST
def switch_persona(request: HttpRequest) -> HttpResponse:
    """The menu's "acting as" switch: remembers the role (and programme) and opens its
    first page; an unknown choice changes nothing."""
    persona = navigation.choose(request, request.POST.get("persona", ""))
    target = navigation.home_url(persona) if persona else None
    nxt = request.POST.get("next", "")
    if not target and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        target = nxt
    return redirect(target or "home")


def _legal(request: HttpRequest, page: str) -> HttpResponse:
    # A legal text is one reviewed document per language, not a sentence-by-sentence
    # translation: incubator/legal/<page>.<language>.html, Italian when the language has none.
    language = "en" if get_language() == "en" else "it"
    context = {
        "body": f"incubator/legal/{page}.{language}.html",
        "contact_email": settings.DEFAULT_FROM_EMAIL,
        "version": getattr(settings, "PRIVACY_NOTICE_VERSION", ""),
    }
    return render(request, f"incubator/{page}.html", context)


def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (AgID's model for public administrations' websites)."""
    return _legal(request, "accessibility")


def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice (GDPR art. 13) for applicants, participants and staff; the one
    sign-up asks to accept (one address, one URL name: ``privacy``)."""
    return _legal(request, "privacy")
