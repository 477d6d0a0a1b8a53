"""Django's Content Security Policy on every kind of page (login, landing, participant
portal, tutor pages, coordinator pages and dashboard, registers, the back office's
lists and forms, the API's browsable pages and docs, error pages): the header is there,
nothing loads from another origin, and nothing inline would be blocked by it (every
inline ``<script>`` and ``<style>`` carries the response's nonce; no ``style=``
attribute, ``on...=`` handler or ``javascript:`` link, which a nonce cannot allow)."""

import re
from html.parser import HTMLParser

import pytest

from tests.trust.helpers import browser

pytestmark = pytest.mark.django_db


class InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.nonces: list[str | None] = []
        self.external: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>")
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:>")
            if name in ("src", "href") and re.match(r"(https?:)?//", value or "") and tag in ("script", "link", "img"):
                self.external.append(value)
        if tag == "style" or (tag == "script" and "src" not in values and values.get("type") != "application/json"):
            self.nonces.append(values.get("nonce"))


def check(response) -> list[str]:
    policy = response.get("Content-Security-Policy", "")
    problems = []
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'self'"):
        if directive not in policy:
            problems.append(f"header lacks {directive}")
    if "unsafe-inline" in policy or "unsafe-eval" in policy:
        problems.append("header allows unsafe-inline/eval")
    nonce = re.search(r"'nonce-([^']+)'", policy)
    finder = InlineFinder()
    finder.feed(response.content.decode("utf-8", "replace"))
    problems += finder.problems
    problems += [f"external {url}" for url in finder.external]
    for found in finder.nonces:
        if nonce is None or found != nonce.group(1):
            problems.append(f"inline script/style without the nonce ({found!r})")
    return problems


def pages(full, other):
    w = full.world
    day = full.tutoring_session.starts_at
    return [
        (None, "/accounts/login/"),
        (None, "/accounts/signup/"),
        (None, "/accounts/password/reset/"),
        (None, "/privacy/"),
        (w.participant, "/accounts/email/"),
        (w.participant, "/accounts/password/change/"),
        (None, "/admin/login/"),
        (None, "/api/docs/"),
        (None, "/no-such-page/"),
        (w.participant, "/"),
        (w.participant, "/my-path/"),
        (w.participant, f"/cohorts/{full.cohort.pk}/attendance/{full.person.pk}/"),
        (w.participant, f"/cohorts/{full.cohort.pk}/"),
        (w.participant, "/tutoring/"),
        (w.participant, f"/path/enrolments/{other.enrolment.pk}/"),  # another programme's: 404 page
        (w.tutor, "/"),
        (w.tutor, "/tutor/"),
        (w.tutor, "/tutor/sessions/new/"),
        (w.tutor, f"/tutor/sessions/{full.tutoring_session.pk}/edit/"),
        (w.tutor, "/tutor/timesheet/"),
        (w.tutor, f"/tutor/timesheet/{full.profile.pk}/{day.year}/{day.month}/"),
        (w.tutor, f"/tutoring/ventures/{full.venture.pk}/"),
        (w.tutor, "/path/"),
        (w.tutor, f"/training-sessions/{full.session.pk}/register/"),
        (w.coordinator, "/"),
        (w.coordinator, "/dashboard/"),
        (w.coordinator, "/dashboard/exports/"),
        (w.coordinator, f"/cohorts/{full.cohort.pk}/attendance/"),
        (w.coordinator, f"/path/enrolments/{full.enrolment.pk}/"),
        (w.coordinator, "/admin/"),
        (w.coordinator, "/admin/incubator/person/"),
        (w.coordinator, f"/admin/incubator/person/{full.person.pk}/change/"),
        (w.coordinator, "/admin/incubator/application/add/"),
        (w.coordinator, "/admin/incubator/person/import/"),
        (w.coordinator, "/admin/incubator/person/export/"),
        (w.coordinator, f"/admin/cohorts/trainingsession/{full.session.pk}/change/"),
        (w.coordinator, f"/admin/mentoring/tutoringsession/{full.tutoring_session.pk}/change/"),
        (w.coordinator, f"/admin/incubator/participantentrydata/{full.entry_data.pk}/change/"),
        (w.coordinator, "/admin/incubator/grant/"),
        (w.coordinator, "/admin/incubator/auditevent/"),
    ]


def test_every_kind_of_page_has_a_working_content_security_policy(full_a, full_b):
    findings = []
    for user, url in pages(full_a, full_b):
        response = browser(user).get(url, HTTP_ACCEPT="text/html", follow=True)
        if response.status_code not in (200, 404):
            findings.append(f"{url} ({user}): status {response.status_code}")
            continue
        if "html" not in response.get("Content-Type", ""):
            findings.append(f"{url} ({user}): not a page ({response.get('Content-Type')})")
            continue
        findings += [f"{url} ({user}): {problem}" for problem in check(response)]
    assert not findings, "\n".join(findings)


def test_the_check_finds_inline_code_without_the_nonce():
    class Page:
        content = b'<p style="color:red" onclick="x()">x</p><script>alert(1)</script><a href="javascript:x()">y</a>'

        def get(self, name, default=""):
            return {"Content-Security-Policy": "default-src 'self'; script-src 'self' 'nonce-abc'"}.get(name, default)

    problems = check(Page())
    assert any("style=" in p for p in problems) and any("onclick" in p for p in problems)
    assert any("without the nonce" in p for p in problems) and any("javascript:" in p for p in problems)


def test_the_api_answers_json_only(full_a):
    """The browsable API's pages would need inline styles: the API answers JSON even to a
    browser, and people read it at /api/docs/."""
    response = browser(full_a.world.coordinator).get("/api/v1/programmes/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406 or response["Content-Type"] == "application/json"
