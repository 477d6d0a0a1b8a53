"""Tutor pages, the venture's tutoring log and the timesheet: each role allowed or 404,
the session form's defaults and refusals, private notes never on a participant's page,
exports with hand-computed totals and neutralised cells."""

import csv
import datetime as dt
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from incubator.calendar.models import CalendarFeed
from mentoring import services
from mentoring.models import TutoringSession
from tests import factories as f
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import ENROLMENT_START, aware, enrol, log

pytestmark = pytest.mark.django_db
SECRET = "PRIVATE-NOTE-9c1e"


class _Labels(HTMLParser):
    """Form controls and the labels that name them (by ``for`` or by nesting)."""

    def __init__(self):
        super().__init__()
        self.controls, self.labelled, self._in_label = [], set(), 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self._in_label += 1
            if attrs.get("for"):
                self.labelled.add(attrs["for"])
        elif tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            if self._in_label:
                self.labelled.add(attrs.get("id"))
            self.controls.append(attrs.get("id"))

    def handle_endtag(self, tag):
        if tag == "label":
            self._in_label -= 1


def assert_labelled(html: str) -> None:
    parser = _Labels()
    parser.feed(html)
    unlabelled = [c for c in parser.controls if c not in parser.labelled]
    assert parser.controls and not unlabelled, unlabelled


def _login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def sessions(mentoring):
    """Two sessions in March 2026 and one with an overdue action item, all with secrets."""
    world = mentoring.world
    first = log(mentoring, aware(2026, 3, 2, 9), 90, private_notes=SECRET, shared_notes="Shared text one")
    second = log(
        mentoring,
        aware(2026, 3, 9, 9),
        45,
        activity="crowdfunding",
        private_notes=SECRET,
        action_items=[{"text": "Open the campaign", "owner": world.participant_person.pk, "due_on": "2026-04-01"}],
    )
    return first, second


# --- my ventures ---------------------------------------------------------------------


@pytest.mark.usefixtures("italian_default")
def test_my_ventures_shows_last_session_hours_and_items(client, mentoring, sessions):
    response = _login(client, mentoring.world.tutor).get(reverse("mentoring:my-ventures"))
    assert response.status_code == 200
    html = response.content.decode()
    assert mentoring.world.venture.title in html
    assert "09/03/2026 09:00" in html  # the last session, local time
    assert "2.25" in html and "10.00" in html  # hours used of the budget
    assert 'class="badge overdue"' in html  # the action item due on 1 April
    assert f'?assignment={mentoring.assignment.pk}"' in html
    assert '<html lang="it">' in html
    assert SECRET not in html


@pytest.mark.parametrize("role", ["participant", "coordinator", "evaluator"])
def test_my_ventures_is_for_tutors_only(client, mentoring, role):
    assert _login(client, getattr(mentoring.world, role)).get(reverse("mentoring:my-ventures")).status_code == 404


def test_pages_need_a_login(client, mentoring):
    for url in (reverse("mentoring:my-ventures"), reverse("mentoring:session-new"), reverse("mentoring:my-tutoring")):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_calendar_link_is_issued_and_rotated_from_the_page(client, mentoring, other_mentoring):
    c = _login(client, mentoring.world.tutor)
    url = reverse("mentoring:calendar-link", args=[mentoring.profile.pk])
    assert c.post(url).status_code == 302
    feed = CalendarFeed.objects.get(kind="tutor", user=mentoring.world.tutor, revoked_at__isnull=True)
    assert feed.token in c.get(reverse("mentoring:my-ventures")).content.decode()
    c.post(url, {"rotate": "1"})
    assert CalendarFeed.objects.get(kind="tutor", user=mentoring.world.tutor, revoked_at__isnull=True).pk != feed.pk
    assert c.get(f"/calendar/{feed.token}.ics").status_code == 404
    other = _login(client, other_mentoring.world.tutor)
    assert other.post(url).status_code == 404


# --- the session form ----------------------------------------------------------------


def test_session_form_defaults_to_last_venture_now_and_60_minutes(client, mentoring):
    world = mentoring.world
    other_enrolment = enrol(world, f.VentureFactory(programme=world.programme, title="Second venture"))
    second = services.assignment_create(
        actor=world.coordinator,
        tutor=mentoring.profile,
        enrolment=other_enrolment,
        hours_budget=10,
        starts_on=ENROLMENT_START,
    )
    log(mentoring, timezone.now() - dt.timedelta(days=3), assignment=second)
    c = _login(client, world.tutor)
    with time_machine.travel(aware(2026, 11, 22, 16, 47), tick=False):
        response = c.get(reverse("mentoring:session-new"))
    assert response.status_code == 200
    form = response.context["form"]
    assert response.context["assignment"] == second
    assert form.initial["day"] == dt.date(2026, 11, 22)
    assert form.initial["time"] == dt.time(16, 45)
    assert form.initial["minutes"] == 60 and form.initial["mode"] == "in_person"
    html = response.content.decode()
    assert 'value="2026-11-22"' in html and 'value="16:45"' in html and 'value="60"' in html
    assert_labelled(html)
    # The venture's team is offered for "present", with names only.
    assert world.participant_person.tax_code not in html
    chosen = c.get(reverse("mentoring:session-new"), {"assignment": mentoring.assignment.pk})
    assert chosen.context["assignment"] == mentoring.assignment
    assert world.participant_person.first_name in chosen.content.decode()
    assert c.get(reverse("mentoring:session-new"), {"assignment": 999999}).status_code == 404


def _post(c, assignment, **overrides):
    data = {
        "assignment": assignment.pk,
        "day": "2026-11-20",
        "time": "10:00",
        "minutes": "60",
        "mode": "phone",
        "activity": "tutoring",
        "topics": "Budget",
        "shared_notes": "Next step: prices",
        "private_notes": "",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "10",
        "items-0-text": "Call the bank",
        "items-0-due_on": "2026-11-30",
        **overrides,
    }
    return c.post(reverse("mentoring:session-new"), data, follow=True)


def test_session_form_saves_and_warns_when_the_budget_is_exceeded(client, mentoring):
    world = mentoring.world
    c = _login(client, world.tutor)
    response = _post(c, mentoring.assignment, participants_present=[world.participant_person.pk])
    assert response.redirect_chain[-1][0] == reverse("mentoring:my-ventures")
    session = TutoringSession.objects.get()
    assert (session.mode, session.minutes, session.author) == ("phone", 60, world.tutor)
    assert timezone.localtime(session.starts_at) == aware(2026, 11, 20, 10)
    assert list(session.participants_present.all()) == [world.participant_person]
    assert session.action_items.get().text == "Call the bank"
    assert not [m for m in response.context["messages"] if m.level_tag == "warning"]
    over = _post(c, mentoring.assignment, day="2026-11-21", minutes="600")
    warnings = [str(m) for m in over.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and "11.00" in warnings[0]
    assert "11.00" in over.content.decode()  # shown on the page it lands on


def test_session_form_shows_refusals_on_the_fields_and_writes_nothing(client, mentoring):
    log(mentoring, aware(2026, 11, 20, 9, 30), 60)
    c = _login(client, mentoring.world.tutor)
    overlap = _post(c, mentoring.assignment)
    assert overlap.status_code == 200
    assert "09:30" in str(overlap.context["form"].errors["day"])
    outside = _post(c, mentoring.assignment, day="2028-02-01")
    assert "day" in outside.context["form"].errors
    too_long = _post(c, mentoring.assignment, day="2026-11-19", minutes="800")
    assert "minutes" in too_long.context["form"].errors
    assert TutoringSession.objects.count() == 1


def test_session_edit_by_author_for_30_days_then_coordinator(client, mentoring, other_mentoring):
    world = mentoring.world
    session = log(mentoring, timezone.now() - dt.timedelta(days=1), private_notes=SECRET)
    url = reverse("mentoring:session-edit", args=[session.pk])
    form = _login(client, world.tutor).get(url)
    assert form.status_code == 200 and SECRET in form.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert _login(client, world.tutor).get(url).status_code == 403
        assert _login(client, world.coordinator).get(url).status_code == 200
    assert _login(client, world.participant).get(url).status_code == 403
    assert _login(client, other_mentoring.world.coordinator).get(url).status_code == 404
    assert _login(client, other_mentoring.world.tutor).get(url).status_code == 404


# --- the venture's log: private notes never reach a participant ------------------------


def test_venture_log_shows_participants_shared_notes_but_never_private_ones(client, mentoring, sessions):
    world = mentoring.world
    url = reverse("mentoring:venture-log", args=[world.venture.pk])
    participant = _login(client, world.participant).get(url)
    html = participant.content.decode()
    assert participant.status_code == 200
    assert "Shared text one" in html and "Open the campaign" in html
    assert SECRET not in html
    assert all(not hasattr(e["session"], "visible_private_note") for e in participant.context["entries"])
    tutor = _login(client, world.tutor).get(url).content.decode()
    assert SECRET in tutor
    coordinator = _login(client, world.coordinator).get(url).content.decode()
    assert SECRET in coordinator
    # The participant's own entry point leads there.
    assert _login(client, world.participant).get(reverse("mentoring:my-tutoring"))["Location"] == url


@pytest.mark.parametrize("who", ["evaluator", "other participant", "other tutor", "other coordinator"])
def test_venture_log_answers_404_out_of_reach(client, mentoring, other_mentoring, sessions, who):
    user = {
        "evaluator": mentoring.world.evaluator,
        "other participant": other_mentoring.world.participant,
        "other tutor": other_mentoring.world.tutor,
        "other coordinator": other_mentoring.world.coordinator,
    }[who]
    url = reverse("mentoring:venture-log", args=[mentoring.world.venture.pk])
    assert _login(client, user).get(url).status_code == 404


def test_participant_ticks_an_action_item_from_the_page(client, mentoring, other_mentoring, sessions):
    item = sessions[1].action_items.get()
    url = reverse("mentoring:action-item-done", args=[item.pk])
    assert _login(client, other_mentoring.world.participant).post(url, {"done": "1"}).status_code == 404
    response = _login(client, mentoring.world.participant).post(url, {"done": "1", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == reverse("mentoring:venture-log", args=[mentoring.world.venture.pk])
    item.refresh_from_db()
    assert item.done and item.done_by == mentoring.world.participant


# --- timesheet page and exports ----------------------------------------------------------


def _timesheet_url(m, name="mentoring:timesheet", **kwargs):
    return reverse(name, kwargs={"tutor_pk": m.profile.pk, "year": 2026, "month": 3, **kwargs})


@pytest.mark.usefixtures("italian_default")
def test_printable_timesheet_with_totals_and_signature_lines(client, mentoring, sessions):
    response = _login(client, mentoring.world.tutor).get(_timesheet_url(mentoring))
    assert response.status_code == 200
    sheet = response.context["sheet"]
    # 90' at 50 €/h = 75.00; 45' = 37.50; total 2.25 h, 112.50 €
    assert (sheet.total_hours, sheet.total_value) == (pytest.approx(2.25), pytest.approx(112.5))
    html = response.content.decode()
    assert "112,50" in html and "2,25" in html  # Italian number format
    assert html.count('class="signature-line"') == 2
    assert SECRET not in html
    assert _login(client, mentoring.world.coordinator).get(_timesheet_url(mentoring)).status_code == 200
    assert _login(client, mentoring.world.tutor).get(reverse("mentoring:timesheet-index")).status_code == 302


@pytest.mark.parametrize("who", ["participant", "evaluator", "other tutor", "other coordinator"])
def test_timesheet_pages_answer_404_out_of_reach(client, mentoring, other_mentoring, who):
    user = {
        "participant": mentoring.world.participant,
        "evaluator": mentoring.world.evaluator,
        "other tutor": other_mentoring.world.tutor,
        "other coordinator": other_mentoring.world.coordinator,
    }[who]
    c = _login(client, user)
    assert c.get(_timesheet_url(mentoring)).status_code == 404
    assert c.get(_timesheet_url(mentoring, "mentoring:timesheet-export", fmt="csv")).status_code == 404
    assert c.get(_timesheet_url(mentoring, "mentoring:timesheet-export", fmt="xlsx")).status_code == 404


def test_timesheet_bad_month_or_format_is_404(client, mentoring):
    c = _login(client, mentoring.world.tutor)
    assert c.get(_timesheet_url(mentoring, month=13)).status_code == 404
    assert c.get(_timesheet_url(mentoring, "mentoring:timesheet-export", fmt="pdf")).status_code == 404


def test_timesheet_exports_match_and_neutralise_formulas(client, mentoring, sessions):
    venture = mentoring.world.venture
    venture.title = '=HYPERLINK("http://evil.example","x")'
    venture.save()
    c = _login(client, mentoring.world.tutor)
    response = c.get(_timesheet_url(mentoring, "mentoring:timesheet-export", fmt="csv"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][3] == "'" + venture.title
    assert [r[4:] for r in rows[1:]] == [
        ["Civic crowdfunding", "45", "0,75", "37,50"],
        ["Accompaniment", "90", "1,50", "75,00"],
        ["", "135", "2,25", "112,50"],
    ] or [r[5:] for r in rows[1:]] == [["45", "0,75", "37,50"], ["90", "1,50", "75,00"], ["135", "2,25", "112,50"]]
    assert SECRET not in text
    xlsx = c.get(_timesheet_url(mentoring, "mentoring:timesheet-export", fmt="xlsx"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][3] == "'" + venture.title
    assert [Decimal(str(v)) for v in values[-1][5:]] == [Decimal(135), Decimal("2.25"), Decimal("112.50")]
    assert all(SECRET not in str(v) for row in values for v in row)
