"""Every page a role can use, reached by clicks from that role's home.

``pages_of(role, full)`` is what the URL conf and the access matrix say the role can use:
every route of the pages (not the API, not the back office) whose URL, built for the
records of a full programme (``tests.trust.routes``: the same parameters the access
matrix uses), answers the role's GET with 200. ``crawl(client)`` starts at ``/`` and
follows the links (``<a href>``) of every page it reaches, noting every route that any
link, form or embedded resource of those pages names. A page of the first set that the
second lacks is reachable only by typing its URL.

Both work on URL names (routes), not on URLs: the crawl may reach another record of the
same kind than the one the expectation was built with, and that is enough."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.http import Http404
from django.test import Client
from django.urls import Resolver404, resolve

from tests.trust.routes import ANY_ACCOUNT, PUBLIC, TOKEN_ROUTES, all_routes, id_routes, url_of

# Routes that are not pages one navigates to, each with the reason.
NOT_PAGES = {
    "set_language": "the language switch: a form on every page",
    "switch-persona": "the role switch: a form in the menu",
    "schema": "the API's machine-readable schema (read by the API documentation)",
    "login": "the old login address, a redirect",
    "logout": "a form in the header",
    "account_logout": "a form in the header",
    "cohorts:workspace-checkin-state": "polled by the check-in screen's script",
    "cohorts:workspace-checkin-qr": "the QR image of the check-in screen",
}

# Pages of one's own that answer everyone signed in (empty for whoever has none): expected
# only of the roles that have something there.
PERSONAL = {
    "cohorts:my-path": {"participant"},
    "cohorts:my-data": {"participant"},
    "cohorts:my-data-csv": {"participant"},
    "selection:my-applications": {"participant", "applicant"},
    # negotiations of one's programmes (coordinator) or of one's organisation or team
    "negotiation:list": {"coordinator", "participant", "applicant"},
}

# Links a page shows only when the record's state calls for them (the full programme of
# the access matrix is not in that state), or another page of the role's that serves the
# same purpose: (role, route) -> why it is not expected.
NOT_EXPECTED = {
    ("coordinator", "cohorts:workspace-checkin"): "the QR screen is linked while a session is on (test_workspace)",
    ("coordinator", "mentoring:session-edit"): "linked on the log only while the session may still be edited",
    ("coordinator", "selection-moderate"): "linked on the board only for a flagged divergence",
    ("coordinator", "selection-reassign"): "linked on the board only for a declared conflict",
    ("coordinator", "selection:receipt"): "the applicant's receipt; the office's application page shows the same",
    ("coordinator", "selection:receipt-download"): "the applicant's receipt; the office links its PDF",
    ("coordinator", "person-data"): "a person's access export, asked for by the person (GDPR art. 15)",
    ("applicant", "selection:check"): "linked from the draft only (the portal's application is submitted)",
    ("applicant", "selection:answer-file"): "linked from the draft only (the portal's application is submitted)",
    ("participant", "cohorts:venture-path"): "the staff's view of a path; the participant's own is my-path",
    ("participant", "person-data"): "the participant downloads their data from my-path (cohorts:my-data)",
    ("evaluator", "mentoring:venture-log"): "an evaluated venture's log shows the evaluator no session",
}

# Attributes whose value is an address the page leads to or embeds.
ADDRESS = re.compile(r'(?:href|src|action|data-[a-z-]+)="(/[^"#]*)')
LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"#]*)')

# Pages fetched per route: the crawl notes every route any page names, but opens a few
# records of each kind only (a coordinator reaches every application of the programme).
PER_ROUTE = 1
LIMIT = 400


def route_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except (Resolver404, Http404):
        return None
    return match.view_name


def is_page_route(route) -> bool:
    return not (route.is_api or route.is_admin or route.key in NOT_PAGES or route.key in TOKEN_ROUTES)


def pages_of(client: Client, full, role: str) -> set[str]:
    """The routes of pages (and downloads) the client's user, in ``role``, opens with a 200:
    the pages of their role. Public pages and the account's pages (allauth's) are left out."""
    mapping = id_routes()
    found = set()
    for route in all_routes():
        if not is_page_route(route) or route.key in PUBLIC or route.key.startswith("account_"):
            continue
        if role not in PERSONAL.get(route.key, {role}) or (role, route.key) in NOT_EXPECTED:
            continue
        if route.key in ANY_ACCOUNT:
            url = url_of(route, ANY_ACCOUNT[route.key](full))
        elif route.has_id:
            if route.key not in mapping:
                continue  # reported by the access matrix's mapping test
            url = url_of(route, mapping[route.key].build(full))
        else:
            url = url_of(route, {})
        if client.get(url).status_code == 200:
            found.add(route.key)
    return found


@dataclass
class Crawl:
    reached: set[str] = field(default_factory=set)  # routes named by any page reached
    opened: dict[str, list[str]] = field(default_factory=dict)  # route -> URLs opened
    came_from: dict[str, str] = field(default_factory=dict)  # route -> a page naming it
    via: dict[str, str] = field(default_factory=dict)  # URL opened -> the page linking it
    link: dict[str, str] = field(default_factory=dict)  # URL opened -> the link followed (may redirect to it)

    def pages(self) -> list[str]:
        """One URL per HTML page opened, in the order they were reached."""
        return [urls[0] for urls in self.opened.values()]


def _followable(url: str, name: str | None) -> bool:
    path = urlsplit(url).path
    return name is not None and not path.startswith(("/admin/", "/api/", "/static/", "/media/"))


def crawl(client: Client, start: str = "/") -> Crawl:
    """Breadth first from ``start``: opens the links of each HTML page, at most
    ``PER_ROUTE`` URLs of a route, and notes every route named anywhere on the pages."""
    result = Crawl()
    queue = deque([(start, "")])
    seen = {start}
    while queue and sum(len(v) for v in result.opened.values()) < LIMIT:
        url, source = queue.popleft()
        response = client.get(url, follow=True)
        final = response.request["PATH_INFO"]
        name = route_name(final)
        if name is None or response.status_code != 200:
            continue
        result.reached.add(name)
        result.came_from.setdefault(name, source or "(start)")
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        opened = result.opened.setdefault(name, [])
        if final in opened:
            continue
        opened.append(final)
        result.via[final] = source
        result.link[final] = url
        html = response.content.decode()
        for address in ADDRESS.findall(html):
            address = address.replace("&amp;", "&")
            named = route_name(address)
            if named is not None:
                result.reached.add(named)
                result.came_from.setdefault(named, final)
        for link in LINK.findall(html):
            link = link.replace("&amp;", "&")
            named = route_name(link)
            if (
                link not in seen
                and _followable(link, named)
                and named not in NOT_PAGES
                and len(result.opened.get(named, ())) < PER_ROUTE
            ):
                seen.add(link)
                queue.append((link, final))
    return result
