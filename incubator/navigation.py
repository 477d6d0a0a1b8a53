"""The main navigation of the pages: for the person signed in, the roles they act in (one per
role and programme, plus "applicant" and "administrator"), the one they chose, and that
role's menu.

Menus name their pages by URL name, as strings, so that the core imports no subject: an
entry whose URL name does not exist (a page not built in this installation) is left out
rather than breaking every page. Which records a page then shows is the page's business
(``incubator.access``); the menu only decides where the links go.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from incubator import access
from incubator.models import Programme, Role

SESSION_KEY = "navigation_persona"

APPLICANT = "applicant"
ADMINISTRATOR = "administrator"
TRAINER = "trainer"

PERSONA_LABELS = {
    Role.COORDINATOR: _("Coordinator"),
    Role.EVALUATOR: _("Evaluator"),
    Role.TUTOR: _("Tutor / trainer"),
    TRAINER: _("Trainer"),
    Role.PARTICIPANT: _("Participant"),
    APPLICANT: _("Applicant"),
    ADMINISTRATOR: _("Administrator"),
}

# role -> (URL name, label); the first page that exists is the role's home. Staff also get
# the back office, everyone the language switch and the footer's pages. Names of pages other
# branches of the product build (the coordinator's pages, the trainers' workspace, the public
# calls and the applicant's portal) are listed too: they appear once those pages exist.
MENUS: dict[str, tuple[tuple[str, object], ...]] = {
    Role.COORDINATOR: (
        ("cohorts:coordinator", _("Programme")),
        ("cohorts:dashboard", _("Dashboard")),
        ("selection:calls", _("Calls")),  # each call's page links to its submissions
        ("selection-calls", _("Selection board")),
        ("negotiation:list", _("Negotiations")),
        ("cohorts:path-overview", _("Paths")),
        ("cohorts:coordinator-tutoring", _("Tutoring")),
        ("cohorts:coordinator-grants", _("Grants")),
        ("cohorts:coordinator-budget", _("Budget")),
        ("cohorts:report-exports", _("Exports")),
    ),
    Role.EVALUATOR: (
        ("selection-my-evaluations", _("My evaluations")),
        ("selection:calls", _("Calls")),
    ),
    Role.TUTOR: (
        ("cohorts:my-sessions", _("My sessions")),
        ("mentoring:my-ventures", _("My ventures")),
        ("mentoring:session-new", _("Log a session")),
        ("mentoring:timesheet-index", _("Timesheet")),
        ("cohorts:path-overview", _("Paths")),
    ),
    TRAINER: (("cohorts:my-sessions", _("My sessions")),),
    Role.PARTICIPANT: (
        ("cohorts:my-path", _("My path")),
        ("mentoring:my-tutoring", _("Tutoring")),
        ("selection:my-applications", _("My applications")),
        ("negotiation:list", _("Negotiations")),
    ),
    APPLICANT: (
        ("selection:calls", _("Open calls")),
        ("selection:my-applications", _("My applications")),
        ("negotiation:list", _("Negotiations")),
    ),
    ADMINISTRATOR: (
        ("admin:index", _("Back office")),
        ("api-docs", _("API documentation")),
    ),
}

ORDER = (Role.COORDINATOR, Role.EVALUATOR, Role.TUTOR, TRAINER, Role.PARTICIPANT, APPLICANT, ADMINISTRATOR)


@dataclass(frozen=True)
class Persona:
    """One role the person acts in, in one programme (none for applicant and administrator)."""

    role: str
    programme_id: int | None = None
    programme_name: str = ""

    @property
    def key(self) -> str:
        return f"{self.role}:{self.programme_id or ''}"

    @property
    def label(self) -> str:
        role = str(PERSONA_LABELS.get(self.role, self.role))
        return f"{role} - {self.programme_name}" if self.programme_name else role


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class Navigation:
    personas: tuple[Persona, ...]
    persona: Persona | None
    links: tuple[Link, ...]
    back_office: str | None

    @property
    def can_switch(self) -> bool:
        return len(self.personas) > 1


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def personas_of(user) -> tuple[Persona, ...]:
    """Every role the user holds, one per programme, in the order of ``ORDER``. A signed-in
    person with no programme role is an applicant (anyone may apply after signing up)."""
    if not getattr(user, "is_authenticated", False):
        return ()
    roles = access.roles_of(user)
    ids = sorted({pid for pids in roles.values() for pid in pids})
    several = len(ids) > 1
    # The programme's name tells two personas apart; with one programme it adds nothing
    # (and costs no query on every page).
    names = dict(Programme.objects.filter(pk__in=ids).values_list("pk", "name")) if several else {}
    found: list[Persona] = []
    for role in ORDER:
        for pid in sorted(roles.get(role, ())):
            found.append(Persona(role, pid, names.get(pid, "") if several else ""))
    if not found and not access.is_admin(user):
        found.append(Persona(APPLICANT))
    if access.is_admin(user):
        found.append(Persona(ADMINISTRATOR))
    return tuple(found)


def home_url(persona: Persona) -> str | None:
    """The first page of the role's menu that exists."""
    return next((url for name, _label in MENUS.get(persona.role, ()) if (url := _url(name))), None)


def menu_of(persona: Persona) -> tuple[Link, ...]:
    """The role's pages that exist, each once, in the menu's order (of two pages under one
    label, the first that exists)."""
    links: dict[str, Link] = {}
    labels: set[str] = set()
    for name, label in MENUS.get(persona.role, ()):
        url = _url(name)
        if url is not None and url not in links and str(label) not in labels:
            links[url] = Link(str(label), url)
            labels.add(str(label))
    return tuple(links.values())


def chosen(request, personas: tuple[Persona, ...]) -> Persona | None:
    key = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return next((p for p in personas if p.key == key), personas[0] if personas else None)


def choose(request, key: str) -> Persona | None:
    """Remember the role the person acts in now; an unknown key changes nothing."""
    persona = next((p for p in personas_of(request.user) if p.key == key), None)
    if persona is not None:
        request.session[SESSION_KEY] = persona.key
    return persona


def navigation_for(request) -> Navigation:
    user = getattr(request, "user", None)
    personas = personas_of(user) if user is not None else ()
    persona = chosen(request, personas)
    path = request.path
    links = [
        Link(link.label, link.url, current=path == link.url or path.startswith(link.url))
        for link in (menu_of(persona) if persona else ())
    ]
    back_office = _url("admin:index") if getattr(user, "is_staff", False) and persona else None
    return Navigation(personas, persona, tuple(links), back_office)


def context(request) -> dict:
    """Template context processor: ``navigation`` for base.html, computed when a template
    first reads it (error pages and fragments that never do pay nothing)."""
    return {"navigation": SimpleLazyObject(lambda: navigation_for(request))}
