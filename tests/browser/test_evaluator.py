"""An evaluator scores one application on a phone (390x844), in Italian, in real
Chromium: log in, find the assignment, read the application (blind call: no names),
open the scoring form with its rubric, save a draft, come back to it, submit."""

from decimal import Decimal

import pytest
from django.urls import reverse

from incubator.selection import reviews
from incubator.selection.models import Evaluation
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import PHONE, open_context
from tests.selection.conftest import assign, criteria, make_eligible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-test-12345"  # tests.factories.UserFactory's


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at {PHONE['width']} px ({width} px)"


def _axe(page) -> None:
    assert_no_axe_violations(page)


def test_evaluator_scores_an_application_on_a_phone(chromium, live_server, world, artifacts):
    world.call.blind_review = True
    world.call.save(update_fields=["blind_review"])
    application = make_eligible(world)
    (evaluation,) = assign(world, application, world.evaluator)
    innovation, feasibility = criteria(world)
    reviews.criterion_set_rubric(
        actor=world.coordinator,
        criterion=innovation,
        guidance="Quanto è nuova l'idea per il quartiere?",
        bands=[{"low": 0, "high": 4, "description": "Già presente"}, {"low": 5, "high": 10, "description": "Nuova"}],
    )
    context = open_context(chromium, live_server, PHONE, phone=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None,
    )

    page.goto("/accounts/login/?next=/")
    _axe(page)
    page.locator("#id_login").fill(world.evaluator.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**" + reverse("selection-my-evaluations"))
    assert page.locator("html").get_attribute("lang") == "it"
    page.get_by_role("heading", level=1, name="Le mie valutazioni").wait_for()
    assert page.get_by_text("Da fare").count() == 1
    _no_sideways_scroll(page)
    _axe(page)
    page.screenshot(path=str(artifacts / "evaluator-1-list.png"), full_page=True)

    page.get_by_role("link", name=f"#{application.pk}").click()
    page.get_by_role("heading", level=1, name=f"Domanda #{application.pk}").wait_for()
    body = page.locator("main").inner_text()
    assert world.participant_person.last_name not in body and world.venture.title not in body
    assert "nomi nascosti" in body
    _no_sideways_scroll(page)
    _axe(page)
    page.screenshot(path=str(artifacts / "evaluator-2-reading.png"), full_page=True)

    page.get_by_role("link", name="Valuta questa domanda").click()
    page.get_by_text("Quanto è nuova l'idea per il quartiere?").wait_for()
    page.locator(f"#id_score_{innovation.pk}").fill("7.5")
    page.locator(f"#id_comment_{innovation.pk}").fill("Servizio assente nella Municipalità.")
    page.get_by_role("button", name="Salva bozza").click()
    page.get_by_text("Bozza salvata.").wait_for()
    assert page.locator(f"#id_score_{innovation.pk}").input_value() == "7.50"
    evaluation.refresh_from_db()
    assert evaluation.progress == "draft"
    _no_sideways_scroll(page)
    _axe(page)
    page.screenshot(path=str(artifacts / "evaluator-3-draft.png"), full_page=True)

    # Submitting with a criterion left empty: the error summary links to the field.
    page.get_by_role("button", name="Invia i punteggi").click()
    page.locator("#error-summary").wait_for()
    assert page.locator(f"#error-summary a[href='#id_score_{feasibility.pk}']").count() == 1
    page.locator(f"#id_score_{feasibility.pk}").fill("16")
    page.locator("#id_comment").fill("Proposta solida, piano economico da rafforzare.")
    page.get_by_role("button", name="Invia i punteggi").click()
    page.wait_for_url("**" + reverse("selection-my-evaluations"))
    page.get_by_text("Punteggi inviati.").wait_for()
    assert page.locator(".badge.bg-success").count() == 1 and page.get_by_text("Da fare").count() == 0
    _axe(page)
    page.screenshot(path=str(artifacts / "evaluator-4-submitted.png"), full_page=True)

    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert evaluation.progress == "submitted" and evaluation.weighted_total == Decimal("31")
    assert errors == []
    context.close()


def test_coordinator_assigns_and_reads_the_board_on_a_phone(chromium, live_server, world, artifacts):
    from tests.selection.conftest import eligible_application, submit

    world.call.disagreement_threshold = Decimal("5")
    world.call.save(update_fields=["disagreement_threshold"])
    first = make_eligible(world)
    eligible_application(world)
    context = open_context(chromium, live_server, PHONE, phone=True)
    page = context.new_page()
    page.goto("/accounts/login/?next=" + reverse("selection-calls"))
    page.locator("#id_login").fill(world.coordinator.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    _axe(page)
    page.get_by_role("link", name=world.call.title).click()
    _axe(page)
    page.locator("#id_per_application").fill("2")
    page.get_by_role("button", name="Assegna", exact=True).click()
    page.get_by_text("4 assegnazioni effettuate.").wait_for()
    e1, e2 = Evaluation.objects.filter(application=first).order_by("pk")
    submit(e1, 10, 20)
    submit(e2, 1, 1)
    page.reload()
    page.get_by_text("Segnalata", exact=True).wait_for()
    _no_sideways_scroll(page)
    _axe(page)
    page.screenshot(path=str(artifacts / "coordinator-board-phone.png"), full_page=True)
    context.close()
