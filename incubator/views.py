from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from incubator import access


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Landing page: links to what the user's roles open (portal, tutor pages, dashboard)."""
    roles = access.roles_of(request.user)
    return render(request, "incubator/home.html", {"roles": sorted(roles)})
