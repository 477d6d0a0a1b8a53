"""The access matrix, generated from every registered URL route (API, pages, back
office): for each route that names a record, each role of programme A (coordinator,
evaluator, tutor, participant) asking for programme B's record gets 404, also for the
record of B under one of A's own (nested routes); B's own people reach the same URL (so
the URL names a real record); routes without an id refuse anonymous visitors except the
explicit ``PUBLIC`` list. A route with an id that is not in ``tests/trust/routes.py``
fails ``test_every_route_with_an_id_is_mapped`` with its name.

Back-office routes: a coordinator of A gets 404 for B's records; users who are not
staff are sent to the back office's login; for models that belong to no programme
(accounts, tokens, task results) everyone but an administrator gets the same answer
whether the id exists or not."""

import pytest
from django.test import Client

from tests.trust.routes import ANY_ACCOUNT, BY_ROLE, PUBLIC, TOKEN_ROUTES, all_routes, id_routes, url_of

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "evaluator", "tutor", "participant")
MISSING_ID = 999_999_999
LOGIN_PATHS = ("/login/", "/admin/login/")


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def send(client: Client, route, method: str, url: str):
    """One request as a browser or API client would send it. A page that only takes
    POST (405 to a GET) is posted to; the admin's ``<id>/`` is followed to ``<id>/change/``."""
    if route.is_api:
        response = getattr(client, method)(url, data={} if method != "get" else None, content_type="application/json")
    elif method == "get":
        response = client.get(url)
        if response.status_code == 405 and not route.is_admin:
            response = client.post(url, data={})
    else:
        response = getattr(client, method)(url, data={})
    if (
        route.is_admin
        and response.status_code in (301, 302)
        and response["Location"].split("?")[0].endswith("/change/")
    ):
        response = client.get(response["Location"])
    return response


def _to_login(response) -> bool:
    return response.status_code in (301, 302) and response["Location"].split("?")[0].endswith(LOGIN_PATHS)


def _refused(response) -> bool:
    """404, 403, sent to a login page, or the admin's "does not exist" (back to its index)."""
    if response.status_code in (403, 404) or _to_login(response):
        return True
    return response.status_code == 302 and response["Location"].split("?")[0] == "/admin/"


def _answer(response) -> tuple:
    """What the answer says about the record: its status and where it sends (a login
    page, the admin's index, or elsewhere), not the ``next`` that repeats the URL."""
    if _to_login(response):
        return response.status_code, "login"
    return response.status_code, response.get("Location", "").split("?")[0]


def _missing(values: dict) -> dict:
    replaced = {}
    for name, value in values.items():
        if name in ("year", "month", "fmt", "content_type_id"):
            replaced[name] = value
        elif name == "undertaking":
            replaced[name] = "99999999999"
        else:
            replaced[name] = MISSING_ID
    return replaced


def mapped_routes():
    mapping = id_routes()
    return [(route, mapping[route.key]) for route in all_routes() if route.has_id and route.key in mapping]


def test_every_route_with_an_id_is_mapped():
    mapping = id_routes()
    routes = all_routes()
    unmapped = {*TOKEN_ROUTES, *PUBLIC, *ANY_ACCOUNT, *BY_ROLE}
    missing = sorted(r.key for r in routes if r.has_id and r.key not in mapping and r.key not in unmapped)
    assert not missing, (
        "Routes that name a record but are not in the access matrix (add them to ID_ROUTES or "
        "ADMIN_OBJECTS in tests/trust/routes.py): " + ", ".join(missing)
    )
    keys = {r.key for r in routes}
    stale = sorted(set(mapping) - keys)
    assert not stale, "Entries for routes that no longer exist: " + ", ".join(stale)
    assert not set(PUBLIC) - keys, set(PUBLIC) - keys
    # The size of the matrix, so that a refactoring that drops routes is noticed.
    assert len(mapping) >= 250
    assert len(routes) >= 400


@pytest.mark.parametrize("role", ROLES)
def test_another_programmes_records_answer_404(role, world, full_b):
    """Each of A's roles, every method of every route with an id, on B's records."""
    client = client_for(getattr(world, role))
    findings = []
    for route, entry in mapped_routes():
        values = entry.build(full_b)
        url = url_of(route, values)
        for method in route.methods():
            response = send(client, route, method, url)
            status = response.status_code
            if not route.is_admin:
                if status != 404:
                    findings.append(f"{route.key} {method.upper()} {url} -> {status}")
                continue
            # The back office: the same answer as for an id that does not exist.
            absent = _answer(send(client, route, method, url_of(route, _missing(values))))
            own_404 = role == "coordinator" and entry.owner == "coordinator"
            if _answer(response) != absent or not _refused(response) or (own_404 and status != 404):
                findings.append(f"{route.key} {method.upper()} {url} -> {_answer(response)} (missing id: {absent})")
    assert not findings, f"{len(findings)} routes let {role} of A reach B's records:\n" + "\n".join(findings)


def test_records_of_another_programme_under_ones_own_answer_404(world, other):
    """Nested routes: one of A's own parents (a grant, a cohort) with B's child record."""
    from tests.trust.worlds import build_full

    own, theirs = build_full(world), build_full(other)
    client = client_for(world.coordinator)
    findings = []
    checked = 0
    for route, entry in mapped_routes():
        if entry.mixed is None:
            continue
        url = url_of(route, entry.mixed(own, theirs))
        for method in route.methods():
            checked += 1
            status = send(client, route, method, url).status_code
            if status != 404:
                findings.append(f"{route.key} {method.upper()} {url} -> {status}")
    assert checked >= 10
    assert not findings, "\n".join(findings)


def test_the_records_own_people_reach_every_mapped_url(other, full_b, admin_user):
    """The URLs above name real records: the role of B that owns each reaches it (any
    answer but 404), so the 404s of the matrix are refusals, not typos."""
    users = {
        "admin": admin_user,
        **{role: getattr(other, role) for role in ("coordinator", "evaluator", "tutor", "participant")},
    }
    users["applicant"] = full_b.portal.applicant
    clients = {role: client_for(user) for role, user in users.items()}
    findings = []
    for route, entry in mapped_routes():
        if route.key == "admin:view_on_site":
            continue  # answers 404 for every object: no model has a public page
        values = entry.build(full_b)
        if values.get("object_id") == MISSING_ID:
            continue  # no record of this kind in the test programme (background task results)
        url = url_of(route, values)
        method = "get" if "get" in route.methods() else route.methods()[0]
        response = send(clients[entry.owner], route, method, url)
        if _refused(response) and response.status_code != 403:
            findings.append(f"{route.key} ({entry.owner}) {method.upper()} {url} -> {response.status_code}")
    assert not findings, "\n".join(findings)


def test_anonymous_visitors_are_refused_everywhere_but_the_public_pages(full_b):
    client = Client()
    findings = []
    mapping = id_routes()
    for route in all_routes():
        if route.key in PUBLIC or route.key == "admin:":
            continue
        if route.key in ANY_ACCOUNT:
            url = url_of(route, ANY_ACCOUNT[route.key](full_b))
        elif route.key in BY_ROLE:
            url = url_of(route, {"resource": BY_ROLE[route.key][0][0]})
        elif route.has_id:
            if route.key not in mapping:
                continue  # reported by the mapping test
            url = url_of(route, mapping[route.key].build(full_b))
        else:
            url = url_of(route, _no_id_values(route))
        for method in route.methods():
            response = send(client, route, method, url)
            if not (response.status_code in (401, 403) or _to_login(response)):
                findings.append(f"{route.key} {method.upper()} {url} -> {response.status_code}")
    assert not findings, "Open to anonymous visitors:\n" + "\n".join(findings)


def _no_id_values(route) -> dict:
    values = {}
    for name in route.params:
        values[name] = {"app_label": "incubator", "url": "incubator/nothing/", "year": 2026, "month": 1, "fmt": "csv"}[
            name
        ]
    return values


def test_public_pages_answer_anonymous_visitors(db):
    client = Client()
    urls = ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/privacy/", "/admin/login/")
    for url in (*urls, "/accessibility/", "/api/schema/", "/api/docs/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/login/")["Location"] == "/accounts/login/"


def test_calendar_token_is_the_only_key(full_b):
    """The feed URL is public by design: its secret token is the credential. An unknown
    or revoked token answers 404, like a missing record."""
    from django.utils import timezone

    client = Client()
    feed = full_b.participant_feed
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 200
    assert client.get(f"/calendar/{feed.token[:-1]}x.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 404


def test_routes_naming_a_kind_of_record_answer_each_role_as_expected(world, full_a, admin_user):
    """Imports and exports through the API: for every kind, each role gets its answer."""
    users = {"admin": admin_user, **{role: getattr(world, role) for role in ROLES}}
    users["applicant"] = full_a.portal.applicant
    routes = {route.key: route for route in all_routes()}
    findings, checked = [], 0
    for key, (kinds, method, expected) in BY_ROLE.items():
        assert set(expected) == set(users), key
        for kind in kinds:
            url = url_of(routes[key], {"resource": kind})
            for role, status in expected.items():
                response = getattr(client_for(users[role]), method)(url)
                checked += 1
                if response.status_code != status:
                    findings.append(f"{key} {role} {method.upper()} {url} -> {response.status_code}, not {status}")
    assert checked >= 6 * 13
    assert not findings, "\n".join(findings)
