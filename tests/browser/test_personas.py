"""Each persona on a phone (390x844, Italian): from the home page, every page they use is
reached by clicks - the main menu (Bootstrap Italia's mobile menu, opened with its
button), the links on the pages, the footer - and every page passes axe-core (WCAG 2.1
A/AA), does not scroll sideways and loads nothing the Content-Security-Policy refuses."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.browser.axe import axe_results, format_violations
from tests.browser.conftest import PHONE, open_context
from tests.path.conftest import build_picture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The outermost elements reaching past the screen's right edge (what makes a page scroll
# sideways), as "tag#id.class" strings.
WIDE_ELEMENTS = """(limit) => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.getBoundingClientRect().right <= limit + 1) continue;
    let parent = el.parentElement, inside = false;
    while (parent && parent !== document.body) {
      const style = getComputedStyle(parent);
      if (["auto", "scroll", "hidden"].includes(style.overflowX) || parent.getBoundingClientRect().right > limit + 1) {
        inside = true; break;
      }
      parent = parent.parentElement;
    }
    const names = typeof el.className === "string" ? el.className.trim() : "";
    const classes = names ? "." + names.split(/ +/).join(".") : "";
    if (!inside) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes);
  }
  return out.slice(0, 5);
}"""


class Walk:
    """One persona's browser: signed in by session cookie (the login form belongs to the
    accounts pages), collecting axe violations, sideways scrolling and console errors of
    each page visited, reported together at the end."""

    def __init__(self, chromium, live_server, user, artifacts, name: str, language: str = "it"):
        client = Client()
        client.force_login(user)
        self.language = language
        self.context = open_context(chromium, live_server, PHONE, phone=True)
        cookies = [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
        if language != settings.LANGUAGE_CODE:
            # What the language switcher stores (django.views.i18n.set_language).
            cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url})
        self.context.add_cookies(cookies)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.problems: list[str] = []
        self.visited: list[str] = []
        self.artifacts = artifacts
        self.name = name
        self.page.on("pageerror", lambda e: self.errors.append(f"{self.page.url}: {e}"))
        self.page.on(
            "console",
            lambda m: (
                self.errors.append(f"{self.page.url}: {m.text}")
                if m.type == "error" and "favicon" not in (m.location or {}).get("url", "")
                else None
            ),
        )

    def check(self) -> None:
        page = self.page
        page.wait_for_load_state("load")
        path = re.sub(r"^https?://[^/]+", "", page.url)
        self.visited.append(path)
        assert page.locator("html").get_attribute("lang") == self.language, path
        violations = axe_results(page)["violations"]
        if violations:
            self.problems.append(f"{path}:\n{format_violations(violations)}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            culprits = page.evaluate(WIDE_ELEMENTS, PHONE["width"])
            self.problems.append(f"{path}: scrolls sideways ({width} px) because of {culprits}")
        slug = re.sub(r"[^a-z0-9]+", "-", path).strip("-") or "home"
        page.screenshot(path=str(self.artifacts / f"persona-{self.name}-{slug}.png"), full_page=False)

    def menu_link(self, href: str):
        """Opens the mobile menu with its button; the menu's entry to ``href``."""
        page = self.page
        toggler = page.locator("button.custom-navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            page.locator("#main-menu").wait_for(state="visible")
        return page.locator(f'#main-menu a[href="{href}"]')

    def menu(self, href: str) -> None:
        with self.page.expect_navigation():
            self.menu_link(href).click()
        self.check()

    def follow(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()
        self.check()

    def home(self) -> None:
        self.page.goto("/")
        self.check()

    def finish(self) -> None:
        self.context.close()
        assert not self.problems, "\n".join(self.problems)
        assert not self.errors, self.errors


@pytest.fixture
def walk(chromium, live_server, artifacts):
    walks: list[Walk] = []

    def start(user, name: str, language: str = "it") -> Walk:
        w = Walk(chromium, live_server, user, artifacts, name, language)
        walks.append(w)
        return w

    return start


def test_participant_reaches_their_pages_by_clicks(world, walk, italian_default):
    build_picture(world)
    w = walk(world.participant, "participant")
    w.home()
    assert w.page.url.endswith("/my-path/")
    w.menu("/tutoring/")
    assert "/tutoring/ventures/" in w.page.url
    w.follow('footer a[href="/accessibility/"]')
    w.follow('footer a[href="/privacy/"]')
    w.follow('header a[href="/"]')
    assert w.page.url.endswith("/my-path/")
    w.finish()


def test_tutor_reaches_their_pages_by_clicks(world, walk, italian_default):
    build_picture(world)
    w = walk(world.tutor, "tutor")
    w.home()
    # A tutor's home lists the tasks of their role (no redirect): the tutor's page is one click away.
    assert w.page.url.endswith("/")
    w.follow('main a[href="/tutor/"]')
    assert w.page.url.endswith("/tutor/")
    w.follow('main a[href^="/tutoring/ventures/"]')
    w.menu("/tutor/sessions/new/")
    w.menu("/tutor/timesheet/")
    w.follow('main a[href^="/tutor/timesheet/"]')
    w.menu("/path/")
    w.follow('main a[href^="/path/enrolments/"]')
    w.finish()


def test_coordinator_reaches_their_pages_by_clicks(world, walk, italian_default):
    build_picture(world)
    w = walk(world.coordinator, "coordinator")
    w.home()
    assert w.page.url.endswith("/coordinator/")
    w.menu("/dashboard/exports/")
    w.menu("/path/")
    w.follow('main a[href^="/path/enrolments/"]')
    w.menu("/dashboard/")
    # The back office: the cohort, its page on the site, its attendance and a register;
    # then a training session's attendance register form.
    w.menu("/admin/")
    w.follow('a[href="/admin/cohorts/cohort/"]')
    w.follow('#result_list a[href*="/change/"]')
    w.follow("a.viewsitelink")
    assert "/cohorts/" in w.page.url
    w.follow('main a[href$="/attendance/"]')
    w.follow('main a[href^="/cohorts/"][href$="/"]:not([href$="/attendance/"])')
    w.follow('main a[href^="/training-sessions/"]')
    w.page.goto("/admin/cohorts/trainingsession/")
    w.check()
    w.follow('#result_list a[href*="/change/"]')
    w.finish()


def test_evaluator_and_administrator_have_a_home(world, admin_user, walk, italian_default):
    w = walk(world.evaluator, "evaluator")
    w.home()
    w.follow('footer a[href="/accessibility/"]')
    w.finish()
    w = walk(admin_user, "admin")
    w.home()
    assert w.page.url.endswith("/admin/")
    w.page.goto("/privacy/")
    w.check()
    # The API's documentation (Swagger UI, for developers) is reached but not audited.
    with w.page.expect_navigation():
        w.menu_link("/api/docs/").click()
    w.finish()
