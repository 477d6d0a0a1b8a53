from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from incubator import access
from incubator.models import Role


@dataclass(frozen=True)
class HomeTask:
    label: str | Promise
    url: str
    hint: str | Promise = ""


@dataclass
class HomeSection:
    """One role's block of the home page: its title and its tasks, in order."""

    key: str
    title: str | Promise
    order: int
    tasks: list[HomeTask] = field(default_factory=list)


# The apps built on the core add their tasks here from their ``ready()`` (the core imports
# none of them): each function gets the user and their roles ({role: programme ids}) and
# returns the sections it adds to (or an empty list).
HomeProvider = Callable[[object, dict], list[HomeSection]]
HOME_PROVIDERS: list[HomeProvider] = []


def home_tasks(provider: HomeProvider) -> HomeProvider:
    HOME_PROVIDERS.append(provider)
    return provider


def home_sections(user) -> list[HomeSection]:
    """Every task the user has, by role: sections of the same key are merged."""
    roles = access.roles_of(user)
    merged: dict[str, HomeSection] = {}
    for provider in HOME_PROVIDERS:
        for section in provider(user, roles):
            if section.key in merged:
                merged[section.key].tasks.extend(section.tasks)
            else:
                merged[section.key] = HomeSection(section.key, section.title, section.order, list(section.tasks))
    return sorted((s for s in merged.values() if s.tasks), key=lambda s: (s.order, s.key))


# Where a person holding a single role lands: participants on their path, coordinators on
# their coordination page, applicants on their applications (every task is linked from
# each). Anyone else, or anyone with several roles, sees the home page with every task.
LANDING = {
    Role.PARTICIPANT: "cohorts:my-path",
    Role.COORDINATOR: "cohorts:coordinator",
    Role.APPLICANT: "selection:my-applications",
    Role.EVALUATOR: "selection-my-evaluations",
}


@home_tasks
def evaluator_tasks(user, roles: dict) -> list[HomeSection]:
    """The evaluator's tasks (pages of ``incubator.selection``, named by URL only)."""
    if not roles.get(Role.EVALUATOR):
        return []
    return [
        HomeSection(
            "evaluator", _("Evaluation"), 40, [HomeTask(_("My evaluations"), reverse("selection-my-evaluations"))]
        )
    ]


@home_tasks
def applicant_tasks(user, roles: dict) -> list[HomeSection]:
    """The applicant's tasks (pages of ``incubator.selection``, named by URL only)."""
    if not roles.get(Role.APPLICANT):
        return []
    return [
        HomeSection(
            "applicant",
            _("Applications"),
            50,
            [
                HomeTask(_("My applications"), reverse("selection:my-applications")),
                HomeTask(_("Calls for applications"), reverse("selection:calls")),
            ],
        )
    ]


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous visitors see the way to the public calls and to the login; a person with
    one role lands on its page; anyone else sees every task of each of their roles."""
    if not request.user.is_authenticated:
        return render(request, "incubator/welcome.html")
    roles = {role for role, programmes in access.roles_of(request.user).items() if programmes}
    if not roles and access.is_admin(request.user):
        return redirect("admin:index")
    if len(roles) == 1 and (only := next(iter(roles))) in LANDING:
        return redirect(reverse(LANDING[only]))
    return render(request, "incubator/home.html", {"roles": sorted(roles), "sections": home_sections(request.user)})
