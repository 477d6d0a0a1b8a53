from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incubator import access
from incubator.models import Role

# Where each role lands (URL names of the apps that own those pages). With one destination
# the user goes straight there; with several they choose, in this order.
DESTINATIONS = (
    (Role.COORDINATOR, "cohorts:dashboard", _("Programme dashboard")),
    (Role.TUTOR, "mentoring:my-ventures", _("My ventures (tutor)")),
    (Role.PARTICIPANT, "cohorts:my-path", _("My path")),
    (Role.APPLICANT, "selection:my-applications", _("My applications")),
)


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: a participant goes to their path, a tutor to their ventures, a
    coordinator to the dashboard, an applicant to their applications, an administrator to
    the back office; someone holding several of these roles chooses. Anonymous visitors
    see the way to the public calls and to the login."""
    if not request.user.is_authenticated:
        return render(request, "incubator/welcome.html")
    roles = access.roles_of(request.user)
    links = [(label, reverse(name)) for role, name, label in DESTINATIONS if roles.get(role)]
    if not links and access.is_admin(request.user):
        return redirect("admin:index")
    if len(links) == 1:
        return redirect(links[0][1])
    return render(request, "incubator/home.html", {"roles": sorted(roles), "links": links})
