"""The participant's journeys in real Chromium, on a desktop and at a phone's width:
log in, see the path, copy the calendar link, upload evidence, switch language."""

import pytest

from incubator.calendar.models import CalendarFeed
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import DESKTOP, PHONE, open_context
from tests.path.conftest import PDF, build_picture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-test-12345"  # tests.factories.UserFactory's


def _log_in(page, user) -> None:
    """By the form's fields, not its (translated) labels: the login page is Italian."""
    page.locator("#id_login").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def _journey(chromium, live_server, world, artifacts, tmp_path, *, name: str, viewport: dict, phone: bool):
    build_picture(world)
    context = open_context(chromium, live_server, viewport, phone=phone)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None
    )
    # Every resource of our pages loads (the browser's own favicon probe aside).
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
    )

    # Log in.
    page.goto("/login/?next=/my-path/")
    _log_in(page, world.participant)
    page.wait_for_url("**/my-path/")

    # See the path (Italian by default).
    assert page.locator("html").get_attribute("lang") == "it"
    page.get_by_role("heading", level=2, name=world.venture.title).wait_for()
    assert page.locator("li.milestone").count() == 9
    assert page.locator(".months span").count() == 36
    page.screenshot(path=str(artifacts / f"{name}-1-path.png"), full_page=True)
    assert_no_axe_violations(page)
    if phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the page scrolls sideways at {viewport['width']} px ({width} px)"

    # Create and copy the calendar link.
    page.locator("form[action*='/path/calendar/'] button[type=submit]").click()
    url_box = page.get_by_test_id("calendar-url")
    url_box.wait_for()
    feed = CalendarFeed.objects.get(user=world.participant, revoked_at__isnull=True)
    assert url_box.input_value().endswith(f"/calendar/{feed.token}.ics")
    page.locator("button[data-copy]").click()
    page.wait_for_function("document.querySelector('[data-copy]').getAttribute('data-copied') === 'true'")
    assert page.evaluate("navigator.clipboard.readText()") == url_box.input_value()
    page.screenshot(path=str(artifacts / f"{name}-2-calendar.png"), full_page=False)

    # Upload evidence for the business plan.
    milestone = world.application.enrolment.milestones.get(title="Business plan")
    card = page.locator(f"#m-{milestone.pk}")
    card.locator("details summary").first.click()
    document = tmp_path / "business plan.pdf"
    document.write_bytes(PDF)
    card.locator("input[type=file]").set_input_files(str(document))
    card.locator("form[enctype] button[type=submit]").click()
    page.locator(".messages li.success").wait_for()
    link = page.locator(f"#m-{milestone.pk} a[href$='/evidence/']")
    download = context.request.get(link.get_attribute("href"))
    assert download.status == 200 and download.body() == PDF
    milestone.refresh_from_db()
    assert milestone.evidence_file
    page.screenshot(path=str(artifacts / f"{name}-3-evidence.png"), full_page=False)

    # A wrong file is refused with a message, and nothing is stored.
    fake = tmp_path / "virus.pdf"
    fake.write_bytes(b"MZ" + b"\0" * 100)
    other = world.application.enrolment.milestones.get(title="Legal entity constituted")
    card = page.locator(f"#m-{other.pk}")
    card.locator("details summary").first.click()
    card.locator("input[type=file]").set_input_files(str(fake))
    card.locator("form[enctype] button[type=submit]").click()
    page.locator(".messages li.error").wait_for()
    other.refresh_from_db()
    assert not other.evidence_file

    # Switch to English.
    page.locator("#language").select_option("en")
    page.locator("#language-submit").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.get_by_role("heading", level=1, name="My path").wait_for()  # English source strings
    page.screenshot(path=str(artifacts / f"{name}-4-english.png"), full_page=True)
    assert_no_axe_violations(page)

    # The keyboard reaches the content first through the skip link.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"

    assert not errors, errors
    context.close()


def test_participant_journey_on_a_desktop(chromium, live_server, world, artifacts, tmp_path):
    _journey(chromium, live_server, world, artifacts, tmp_path, name="desktop", viewport=DESKTOP, phone=False)


def test_participant_journey_on_a_phone(chromium, live_server, world, artifacts, tmp_path):
    _journey(chromium, live_server, world, artifacts, tmp_path, name="phone", viewport=PHONE, phone=True)


def test_tutor_sees_the_overdue_list(chromium, live_server, world, artifacts):
    build_picture(world)
    context = open_context(chromium, live_server, PHONE, phone=True)
    page = context.new_page()
    page.goto("/login/?next=/path/")
    _log_in(page, world.tutor)
    page.wait_for_url("**/path/")
    overdue = page.locator("#overdue ~ div table tbody tr")
    assert overdue.count() >= 1
    overdue.first.get_by_role("link").click()
    page.wait_for_url("**/path/enrolments/**")
    page.get_by_role("heading", level=1, name=world.venture.title).wait_for()
    page.screenshot(path=str(artifacts / "phone-tutor-path.png"), full_page=True)
    assert_no_axe_violations(page)
    context.close()
