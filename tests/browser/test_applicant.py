"""The applicant's journey in real Chromium at a phone's width (390x844), Italian by
default: from the home page find the call, log in (sign-up comes with the accounts
work), start the application, answer the form, upload a PDF, add the budget, invite a
co-applicant, check, submit and download the receipt. The interactions beyond typing
answers (clicks, choices, file picks) are counted and printed: the figure to report.

A second journey checks that text typed when the session has expired is kept on the
device and saved after logging in again."""

import re

import pytest
from django.core import mail

from incubator.models import User
from incubator.selection.models import Application, ApplicationState, CoApplicantInvitation
from tests import factories as f
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import PHONE, open_context
from tests.portal.conftest import PDF, build_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-test-12345"
EMAIL = "anna.rossi@example.org"


def _axe(page) -> None:
    """axe-core on the page (base.html's message list is the layout's, as in test_accounts)."""
    if page.locator("ul.messages").count():
        assert_no_axe_violations(page, context={"exclude": [["ul.messages"]]})
    else:
        assert_no_axe_violations(page)


class Counter:
    """Clicks, choices and file picks: what the applicant does beyond typing answers."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, selector: str) -> None:
        self.count += 1
        self.page.locator(selector).first.click()

    def check(self, element_id: str) -> None:
        """Bootstrap Italia draws radios and boxes on their label: the label is clicked."""
        self.count += 1
        self.page.locator(f"label[for='{element_id}']").click()
        assert self.page.locator(f"#{element_id}").is_checked()

    def select(self, selector: str, value: str) -> None:
        self.count += 1
        self.page.locator(selector).select_option(value)

    def upload(self, selector: str, path) -> None:
        self.count += 1
        self.page.locator(selector).set_input_files(str(path))


def _watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
    )
    return errors


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width} px)"


def test_applicant_finds_the_call_applies_and_downloads_the_receipt(
    chromium, live_server, world, artifacts, tmp_path, capsys
):
    form = build_form(world.call)
    context = open_context(chromium, live_server, PHONE, phone=True)
    page = context.new_page()
    errors = _watch(page)
    act = Counter(page)
    q = form.questions

    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "it"
    _axe(page)
    act.click("main a[href='/calls/']")
    page.wait_for_url("**/calls/")
    _fits(page)
    _axe(page)
    act.click(f"main a.btn[href='/calls/{world.call.pk}/']")
    page.wait_for_url(f"**/calls/{world.call.pk}/")
    _fits(page)
    page.screenshot(path=str(artifacts / "applicant-1-call.png"), full_page=True)
    _axe(page)
    # A newcomer: sign up (privacy notice), verify the address from the outbox, log in.
    mail.outbox.clear()
    act.click("[data-testid=signup]")
    page.wait_for_url("**/accounts/signup/**")
    _axe(page)
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    act.click("label[for=id_accept_privacy]")
    act.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/confirm-email/**")
    _axe(page)
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)  # the link opened from the mailbox
    _axe(page)
    act.click("main form button[type=submit]")
    page.wait_for_url("**/accounts/login/**")
    _axe(page)
    page.locator("#id_login").fill(EMAIL)
    page.locator("#id_password").fill(PASSWORD)
    act.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    user = User.objects.get(email=EMAIL)
    if "/apply/" not in page.url:  # allauth's confirmation drops ``next``: back to the call
        page.goto(f"/calls/{world.call.pk}/")
        act.click("[data-testid=apply]")
    page.wait_for_url(f"**/calls/{world.call.pk}/apply/")
    _axe(page)

    page.locator("#id_title").fill("Orto sociale")
    page.locator("#id_first_name").fill("Anna")
    page.locator("#id_last_name").fill("Rossi")
    page.locator("#id_tax_code").fill(f.tax_code())
    act.click("main form button[type=submit]")
    page.wait_for_url("**/my-applications/*/")
    _axe(page)
    application = Application.objects.get(venture__team__person__user=user)
    _fits(page)

    page.locator(f"#q{q['summary'].pk}").fill("Un orto condiviso nel quartiere")
    page.locator(f"#q{q['name'].pk}").fill("Anna Rossi")
    act.check(f"q{q['area'].pk}-2")
    act.check(f"q{q['experience'].pk}-yes")
    document = tmp_path / "piano.pdf"
    document.write_bytes(PDF)
    act.upload(f"#q{q['plan'].pk}", document)
    act.click("#draft-form button[type=submit]")
    page.wait_for_url(f"**/my-applications/{application.pk}/")
    page.locator(".messages li.success").wait_for()
    _axe(page)

    act.select("#budget #id_category", "equipment")
    page.locator("#budget #id_description").fill("Serra")
    page.locator("#budget #id_amount").fill("30000")
    act.click("#budget form[action$='/budget/'] button[type=submit]")
    page.wait_for_url("**#budget")
    _axe(page)
    assert page.get_by_test_id("budget-total").inner_text() == "30000,00"  # Italian format

    page.locator("#team #id_email").fill("socio@example.org")
    act.click("#team form button[type=submit]")
    page.wait_for_url("**#team")
    _axe(page)
    assert CoApplicantInvitation.objects.filter(application=application, email="socio@example.org").exists()
    page.screenshot(path=str(artifacts / "applicant-2-draft.png"), full_page=True)

    act.click(f"main a[href='/my-applications/{application.pk}/check/']")
    page.wait_for_url("**/check/")
    _axe(page)
    act.click("main form[action$='/submit/'] button[type=submit]")
    page.wait_for_url("**/receipt/")
    _axe(page)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert page.get_by_test_id("protocol").inner_text() == str(application.protocol_number)
    _fits(page)
    page.screenshot(path=str(artifacts / "applicant-3-receipt.png"), full_page=True)
    with page.expect_download() as download:
        act.click("[data-testid=receipt-download]")
    saved = tmp_path / "ricevuta.txt"
    download.value.save_as(saved)
    assert application.content_sha256 in saved.read_text()

    with capsys.disabled():
        print(f"\nApplicant journey: {act.count} interactions beyond typing answers.")
    assert act.count <= 20
    assert not errors, errors
    context.close()


def test_text_typed_after_the_session_expired_is_saved_after_login(chromium, live_server, world):
    form = build_form(world.call)
    user = f.UserFactory(username="candidata2")
    from tests.portal.conftest import start

    application = start(user, world.call)
    context = open_context(chromium, live_server, PHONE, phone=True)
    page = context.new_page()
    page.goto(f"/accounts/login/?next=/my-applications/{application.pk}/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/my-applications/{application.pk}/")
    field = page.locator(f"#q{form.questions['summary'].pk}")
    field.fill("Prima parte")
    page.locator("#draft-form[data-saved=true]").wait_for()
    assert application.answers.get(question=form.questions["summary"]).value == "Prima parte"

    context.clear_cookies()  # the session expires while typing
    field.fill("Prima parte e seconda parte")
    page.locator("[data-autosave-expired]:not(.d-none)").wait_for()
    assert application.answers.get(question=form.questions["summary"]).value == "Prima parte"

    page.goto(f"/accounts/login/?next=/my-applications/{application.pk}/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/my-applications/{application.pk}/")
    page.locator("#draft-form[data-saved=true]").wait_for()
    assert application.answers.get(question=form.questions["summary"]).value == "Prima parte e seconda parte"
    assert page.evaluate(f"localStorage.getItem('draft-{application.pk}')") is None
    context.close()
