"""Each persona's every page, walked on a phone (390x844), in Italian (the default) and in
English, by clicks from home: the pages the link crawl (``tests.reachability``) reaches
from ``/`` are opened by clicking their link on the page that shows it (the mobile menu
opened first when the link is in it), and each passes axe-core (WCAG 2.1 A/AA), does not scroll sideways and logs no
error. The persona's pages the crawl must reach are those of ``tests/ui/test_reachability.py``."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.browser.test_personas import walk  # noqa: F401 (the fixture)
from tests.reachability import crawl
from tests.trust.worlds import build_full

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("coordinator", "evaluator", "tutor", "participant", "applicant")


def user_of(full, role: str):
    return full.portal.applicant if role == "applicant" else getattr(full.world, role)


def click_to(w, origin: str, source: str, target: str, href: str) -> None:
    """On ``source``, clicks the first visible link ``href`` that leads to ``target`` (the
    same address, or one that redirects to it), opening the mobile menu when the link is in it."""
    page = w.page
    if page.url.removeprefix(origin) != source:
        page.goto(source)
    if page.locator(f'#main-menu a[href="{href}"]').count():
        links = w.menu_link(href)
    else:
        links = page.locator(f'main a[href="{href}"], footer a[href="{href}"], header a[href="{href}"]')
    visible = [links.nth(i) for i in range(links.count()) if links.nth(i).is_visible()]
    assert visible, f"no visible link to {href} on {source}"
    with page.expect_navigation():
        visible[0].click()
    assert page.url.removeprefix(origin).split("#")[0] == target, (href, target, page.url)
    w.check()


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_persona_is_walked_by_clicks_and_passes_axe(
    world,
    walk,  # noqa: F811
    live_server,
    role,
    language,
    italian_default,
):
    full = build_full(world)
    client = Client()
    client.force_login(user_of(full, role))
    found = crawl(client)
    pages = [url for url in found.pages() if found.via.get(url)]
    w = walk(user_of(full, role), f"walk-{role}-{language}", language)
    w.home()
    for url in pages:
        click_to(w, live_server.url, found.via[url], url, found.link[url])
    assert len(w.visited) == len(pages) + 1 >= 4, w.visited
    w.finish()
