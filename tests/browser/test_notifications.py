"""The inbox and the preferences in real Chromium at a phone's width (Italian by default):
read a notification, choose the daily digest for one kind, mark everything read."""

import pytest

from incubator.notifications.kinds import Channel, Kind
from incubator.notifications.models import Notification, NotificationPreference
from tests.browser.conftest import PHONE, open_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-test-12345"  # tests.factories.UserFactory's


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"


def test_a_participant_reads_and_tunes_notifications_on_a_phone(chromium, live_server, world, artifacts):
    for i, kind in enumerate((Kind.TUTORING_NOTES, Kind.SESSION_SCHEDULED)):
        Notification.objects.create(
            recipient=world.participant,
            kind=kind,
            key=f"browser:{i}",
            subject=f"Oggetto {i}",
            body=f"Testo della notifica {i}",
            link="/notifications/preferences/",
            language="it",
        )
    context = open_context(chromium, live_server, PHONE, phone=True)
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

    page.goto("/login/?next=/notifications/")
    page.locator("#id_login").fill(world.participant.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/notifications/")
    assert page.locator("html").get_attribute("lang") == "it"
    page.get_by_role("heading", level=1, name="Notifiche").wait_for()
    assert page.locator(".list-group-item").count() == 2
    assert "2 notifiche non lette" in page.content()
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "notifications-1-inbox-phone.png"), full_page=True)

    # Open one: it is marked read and its page opens.
    page.locator(".list-group-item").first.get_by_role("button", name="Apri").click()
    page.wait_for_url("**/notifications/preferences/")
    assert Notification.objects.filter(recipient=world.participant, read_at__isnull=False).count() == 1

    # The daily digest for tranche payments; every field has its label.
    group = page.get_by_role("group", name="Tranche pagata")
    # Bootstrap Italia draws the radio on its label, which takes the click.
    group.locator("label", has_text="Riepilogo giornaliero").click()
    assert group.get_by_label("Riepilogo giornaliero").is_checked()
    page.get_by_role("button", name="Salva le preferenze").click()
    page.locator(".messages li").wait_for()
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts / "notifications-2-preferences-phone.png"), full_page=False)
    chosen = NotificationPreference.objects.get(user=world.participant, kind=Kind.TRANCHE_PAID)
    assert chosen.channel == Channel.DIGEST

    # Back to the inbox by the breadcrumb, and everything read.
    page.get_by_role("link", name="Notifiche").first.click()
    page.get_by_role("button", name="Segna tutte come lette").click()
    page.wait_for_url("**/notifications/")
    assert not Notification.objects.filter(recipient=world.participant, read_at__isnull=True).exists()
    assert not errors, errors
    context.close()
