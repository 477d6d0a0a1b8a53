"""An evaluator scores one application on a phone (390x844), in Italian, in real
Chromium: log in, find the assignment (counts and deadline on the home), read the
application (blind call: no names), look at the conflict-of-interest page, open the
scoring form with its rubric, save a draft, submit. A coordinator walks every page of the
selection board by clicks from their home. Axe runs on every page; the evaluator's
interactions beyond typing the scores are counted and printed (and written to
test-artifacts/evaluator-interactions.txt)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

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


class Interactions:
    """Every tap and every field typed into, the scores apart: what scoring one
    application costs beyond the scores themselves."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.scores = 0

    def tap(self, locator, what: str) -> None:
        locator.click()
        self.steps.append(f"tap: {what}")

    def type(self, locator, value: str, what: str, *, score: bool = False) -> None:
        locator.fill(value)
        if score:
            self.scores += 1
        else:
            self.steps.append(f"type: {what}")

    def report(self) -> str:
        lines = [f"Interactions beyond the {self.scores} score fields: {len(self.steps)}"]
        lines += [f"  {n}. {step}" for n, step in enumerate(self.steps, start=1)]
        return "\n".join(lines)


def test_evaluator_scores_an_application_on_a_phone(chromium, live_server, world, artifacts):
    world.call.blind_review = True
    world.call.evaluation_deadline = world.call.closes_at + dt.timedelta(days=14)
    world.call.save(update_fields=["blind_review", "evaluation_deadline"])
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
    done = Interactions()

    page.goto("/")
    _axe(page)
    done.tap(page.locator(f"main a[href^='{reverse('login')}']").first, "Accedi (home page)")
    _axe(page)
    done.type(page.locator("#id_login"), world.evaluator.username, "username")
    done.type(page.locator("#id_password"), PASSWORD, "password")
    done.tap(page.locator("main form button[type=submit]"), "Accedi")
    page.wait_for_url("**" + reverse("selection-my-evaluations"))
    assert page.locator("html").get_attribute("lang") == "it"
    page.get_by_role("heading", level=1, name="Le mie valutazioni").wait_for()
    # The evaluator's home: to do / draft / submitted counts and the call's deadline.
    assert page.locator(".badge.bg-primary", has_text="Da fare").count() == 1
    counts = page.locator("dl.progress-counts").first.inner_text().split()
    assert counts[:6] == ["Da", "fare", "1", "Bozza", "0", "Presentata"] and counts[6] == "0"
    deadline = timezone.localtime(world.call.evaluation_deadline).strftime("%d/%m/%Y %H:%M")
    assert f"Scadenza della valutazione: {deadline}" in page.locator("main").inner_text()
    _no_sideways_scroll(page)
    _axe(page)
    page.screenshot(path=str(artifacts / "evaluator-1-list.png"), full_page=True)

    done.tap(page.get_by_role("link", name=f"#{application.pk}"), f"#{application.pk} (my evaluations)")
    page.get_by_role("heading", level=1, name=f"Domanda #{application.pk}").wait_for()
    body = page.locator("main").inner_text()
    assert world.participant_person.last_name not in body and world.venture.title not in body
    assert "nomi nascosti" in body
    _no_sideways_scroll(page)
    _axe(page)
    page.screenshot(path=str(artifacts / "evaluator-2-reading.png"), full_page=True)

    # The conflict-of-interest page is one tap away; back through the breadcrumb.
    page.get_by_role("link", name="Dichiara un conflitto di interessi").click()
    page.get_by_role("heading", level=1).wait_for()
    _no_sideways_scroll(page)
    _axe(page)
    page.locator(".breadcrumb").get_by_role("link", name=f"#{application.pk}").click()
    page.get_by_role("heading", level=1, name=f"Domanda #{application.pk}").wait_for()

    done.tap(page.get_by_role("link", name="Valuta questa domanda"), "Valuta questa domanda")
    page.get_by_text("Quanto è nuova l'idea per il quartiere?").wait_for()
    _no_sideways_scroll(page)
    _axe(page)
    done.type(page.locator(f"#id_score_{innovation.pk}"), "7.5", "score", score=True)
    done.type(page.locator(f"#id_comment_{innovation.pk}"), "Servizio assente nella Municipalità.", "criterion comment")
    done.tap(page.get_by_role("button", name="Salva bozza"), "Salva bozza")
    page.get_by_text("Bozza salvata.").wait_for()
    assert page.locator(f"#id_score_{innovation.pk}").input_value() == "7.50"
    evaluation.refresh_from_db()
    assert evaluation.progress == "draft"
    _no_sideways_scroll(page)
    _axe(page)
    page.screenshot(path=str(artifacts / "evaluator-3-draft.png"), full_page=True)

    # Submitting with a criterion left empty: the error summary links to the field.
    done.tap(page.get_by_role("button", name="Invia i punteggi"), "Invia i punteggi (one score missing)")
    page.locator("#error-summary").wait_for()
    _axe(page)
    assert page.locator(f"#error-summary a[href='#id_score_{feasibility.pk}']").count() == 1
    done.type(page.locator(f"#id_score_{feasibility.pk}"), "16", "score", score=True)
    done.type(page.locator("#id_comment"), "Proposta solida, piano economico da rafforzare.", "overall comment")
    done.tap(page.get_by_role("button", name="Invia i punteggi"), "Invia i punteggi")
    page.wait_for_url("**" + reverse("selection-my-evaluations"))
    page.get_by_text("Punteggi inviati.").wait_for()
    assert page.locator(".badge.bg-success").count() == 1 and page.locator(".badge.bg-primary").count() == 0
    counts = page.locator("dl.progress-counts").first.inner_text().split()
    assert counts == ["Da", "fare", "0", "Bozza", "0", "Presentata", "1"]
    _axe(page)
    page.screenshot(path=str(artifacts / "evaluator-4-submitted.png"), full_page=True)

    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert evaluation.progress == "submitted" and evaluation.weighted_total == Decimal("31")
    assert errors == []
    context.close()
    report = done.report()
    (artifacts / "evaluator-interactions.txt").write_text(report + "\n")
    print(report)
    assert done.scores == 2 and len(done.steps) == 11


def test_coordinator_reaches_every_board_page_by_clicks_on_a_phone(chromium, live_server, world, artifacts):
    from incubator.selection import services
    from tests.selection.conftest import eligible_application, submit

    world.call.disagreement_threshold = Decimal("5")
    world.call.save(update_fields=["disagreement_threshold"])
    first = make_eligible(world)
    second = eligible_application(world)
    context = open_context(chromium, live_server, PHONE, phone=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def check(name: str) -> None:
        page.get_by_role("heading", level=1).first.wait_for()
        assert page.locator("html").get_attribute("lang") == "it"
        _no_sideways_scroll(page)
        _axe(page)
        page.screenshot(path=str(artifacts / f"coordinator-{name}.png"), full_page=True)

    def back_to_board() -> None:
        page.locator(".breadcrumb").get_by_role("link", name=world.call.title).click()
        page.get_by_role("heading", level=1, name=world.call.title).wait_for()

    page.goto("/accounts/login/?next=/")
    page.locator("#id_login").fill(world.coordinator.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    check("1-home")
    # From the home, the role's menu (behind its button on a phone) leads to the board.
    toggler = page.locator("button.custom-navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#main-menu").wait_for(state="visible")
    page.locator(f'#main-menu a[href="{reverse("selection-calls")}"]').click()
    page.wait_for_url("**" + reverse("selection-calls"))
    check("2-calls")
    page.get_by_role("link", name=world.call.title).click()
    page.get_by_role("heading", level=1, name=world.call.title).wait_for()
    check("3-board")

    page.locator("#id_per_application").fill("2")
    page.get_by_role("button", name="Assegna", exact=True).click()
    page.get_by_text("4 assegnazioni effettuate.").wait_for()
    e1, e2 = Evaluation.objects.filter(application=first).order_by("pk")
    submit(e1, 10, 20)
    submit(e2, 1, 1)
    recused = Evaluation.objects.filter(application=second).order_by("pk").first()
    services.evaluation_declare_conflict(actor=recused.evaluator, evaluation=recused, note="Ex collega")
    page.reload()
    page.get_by_text("Segnalata", exact=True).wait_for()
    check("4-board-flagged")

    # The funnel's lists, a criterion's rubric, a reassignment, a moderation: each by a tap.
    page.locator(f'a[href="{reverse("selection-applications", args=[world.call.pk])}"]').click()
    check("5-applications")
    back_to_board()
    page.get_by_role("link", name="Modifica indicazioni e fasce di punteggio").first.click()
    check("6-rubric")
    back_to_board()
    page.get_by_role("link", name="Riassegna").first.click()
    check("7-reassign")
    back_to_board()
    page.get_by_role("link", name="Registra un punteggio concordato").first.click()
    check("8-moderate")
    back_to_board()
    assert errors == []
    context.close()
