"""The coordinator dashboard in real Chromium (Playwright): the four charts render as SVG
with their titles, no request leaves the test server, the page works at a phone's width,
and English is available. Screenshots are kept under ``test-artifacts/``."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.reports import dataset

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}"),
]


@pytest.fixture
def signed_in(transactional_db, live_server):
    """A coordinator's session cookie and the dashboard URL, made before the browser
    starts (Django's ORM refuses to run beside Playwright's event loop)."""
    from tests.conftest import build_world

    world = build_world("A")
    data = dataset.build(world)
    client = Client()
    client.force_login(world.coordinator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    url = f"{live_server.url}/dashboard/?programme={world.programme.pk}&cohort={data.cohort.pk}"
    return {"cookie": cookie, "url": url, "host": live_server.url}


def test_dashboard_renders_its_charts_in_chromium(signed_in, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    # The shared browser (tests/conftest.py); this test owns only its context.
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": signed_in["cookie"], "url": signed_in["host"]}]
    )
    page = context.new_page()
    errors: list[str] = []
    # Browsers ask for /favicon.ico on their own; the project serves none.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on(
        "request",
        lambda request: None if request.url.startswith(signed_in["host"]) else outside.append(request.url),
    )
    response = page.goto(signed_in["url"])
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "it"
    charts = page.locator("svg.chart-svg")
    assert charts.count() == 4
    for key in ("funnel", "attendance", "months", "milestones"):
        svg = page.locator(f"#chart-{key} svg")
        assert svg.get_attribute("role") == "img"
        assert page.locator(f"#chart-{key}-title").text_content().strip()
        box = svg.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50, key
        # The bars are drawn (the CSS was applied: a filled rectangle, not black).
        assert page.locator(f"#chart-{key} svg rect").count() > 0
    fill = page.eval_on_selector("#chart-funnel rect.funnel-applications", "el => getComputedStyle(el).fill")
    assert fill == "rgb(11, 83, 148)"
    # The funnel's first bar is the longest: 7 applications against 1 completed.
    widths = page.eval_on_selector_all("#chart-funnel rect", "els => els.map(e => e.getBBox().width)")
    assert widths[0] == max(widths) and widths[0] > widths[5] * 5
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    # The accessible alternative: the table opens with the keyboard.
    page.locator("#chart-funnel summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("#chart-funnel table").is_visible()
    # A phone's width: no horizontal scrolling of the page itself.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= 390 + 1
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"), full_page=True)
    # English on request (the language switch posts to set_language).
    page.set_viewport_size({"width": 1280, "height": 900})
    page.select_option("#language", "en")
    with page.expect_navigation():
        page.click("#language-submit")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").text_content().strip() == "Cohort outcomes"
    page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)
    context.close()
    assert outside == [], f"requests outside the test server: {outside}"
    assert errors == []
