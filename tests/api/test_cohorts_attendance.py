"""API: the attendance marks list and the completion summaries (per cohort, per
participant), each role allowed and refused."""

from decimal import Decimal

import pytest

from tests.api.test_cohorts import client_as
from tests.cohorts.helpers import build_cohort, days_ago, make_trainer

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(world):
    cw = build_cohort(world, extra_people=1)
    anna, bruno = cw.people
    s1 = cw.session(day=days_ago(20), minutes=120)
    s2 = cw.session(day=days_ago(10), minutes=60)
    cw.colleague = make_trainer(world, "collega")
    s3 = cw.session(day=days_ago(5), minutes=180, trainers=[cw.colleague])
    cw.mark(s1, (anna, "present"), (bruno, "partial", 30))
    cw.mark(s2, (anna, "justified"), (bruno, "present"))
    cw.mark(s3, (anna, "absent"), (bruno, "present"), actor=cw.colleague)
    cw.sessions = [s1, s2, s3]
    return cw


def _marks(user, query=""):
    response = client_as(user).get(f"/api/v1/attendance/{query}")
    assert response.status_code == 200, response.content
    return {(row["session"], row["person"]) for row in response.json()["results"]}


def test_marks_by_role(world, cw, other):
    s1, s2, s3 = cw.sessions
    anna, bruno = cw.people
    everything = {(s.pk, p.pk) for s in cw.sessions for p in cw.people}
    assert _marks(world.coordinator) == everything
    assert _marks(world.tutor) == {(s.pk, p.pk) for s in (s1, s2) for p in cw.people}
    assert _marks(cw.colleague) == {(s3.pk, anna.pk), (s3.pk, bruno.pk)}
    assert _marks(world.participant) == {(s.pk, anna.pk) for s in cw.sessions}  # only their own
    assert _marks(world.evaluator) == set()
    assert _marks(other.coordinator) == set()
    mark = cw.sessions[0].attendance.get(person=bruno)
    assert client_as(world.participant).get(f"/api/v1/attendance/{mark.pk}/").status_code == 404
    assert client_as(world.coordinator).get(f"/api/v1/attendance/{mark.pk}/").json()["minutes_attended"] == 30


def test_marks_filters_and_cursor_pages(world, cw):
    s1, _s2, _s3 = cw.sessions
    anna, bruno = cw.people
    assert _marks(world.coordinator, f"?session={s1.pk}") == {(s1.pk, anna.pk), (s1.pk, bruno.pk)}
    assert _marks(world.coordinator, f"?person={bruno.pk}&status=present") == {
        (cw.sessions[1].pk, bruno.pk),
        (cw.sessions[2].pk, bruno.pk),
    }
    assert len(_marks(world.coordinator, f"?cohort={cw.cohort.pk}")) == 6
    page = client_as(world.coordinator).get("/api/v1/attendance/?page_size=4").json()
    assert len(page["results"]) == 4 and "cursor=" in page["next"]
    rest = client_as(world.coordinator).get(page["next"]).json()
    assert len(rest["results"]) == 2 and rest["next"] is None


def test_cohort_summary_for_coordinators(world, cw):
    data = client_as(world.coordinator).get(f"/api/v1/cohorts/{cw.cohort.pk}/attendance/").json()
    assert (data["held_sessions"], data["held_minutes"]) == (3, 360)
    rows = {row["person"]: row for row in data["participants"]}
    anna, bruno = cw.people
    # Anna: 120 of (360 - 60 justified) = 40 %; Bruno: 30 + 60 + 180 = 270 of 360 = 75 %.
    assert (rows[anna.pk]["attended_minutes"], rows[anna.pk]["counted_minutes"], rows[anna.pk]["percent"]) == (
        120,
        300,
        "40.00",
    )
    assert rows[bruno.pk]["percent"] == "75.00"
    assert rows[bruno.pk]["completed"] is True and rows[bruno.pk]["grant_eligible"] is False
    assert set(rows[anna.pk]) >= {"first_name", "last_name", "justified_minutes", "held_sessions"}
    assert "tax_code" not in rows[anna.pk]


def test_cohort_summary_for_a_participant_is_their_own_line(world, cw):
    data = client_as(world.participant).get(f"/api/v1/cohorts/{cw.cohort.pk}/attendance/").json()
    assert [row["person"] for row in data["participants"]] == [cw.people[0].pk]


@pytest.mark.parametrize("who", ["tutor", "evaluator", "other"])
def test_cohort_summary_refused(world, other, cw, who):
    user = other.coordinator if who == "other" else getattr(world, who)
    assert client_as(user).get(f"/api/v1/cohorts/{cw.cohort.pk}/attendance/").status_code == 404


@pytest.mark.parametrize(
    ("who", "whose", "status"),
    [
        ("coordinator", 0, 200),
        ("coordinator", 1, 200),
        ("participant", 0, 200),
        ("participant", 1, 404),
        ("tutor", 0, 404),
        ("evaluator", 0, 404),
        ("other", 0, 404),
    ],
)
def test_participant_summary_by_role(world, other, cw, who, whose, status):
    user = other.coordinator if who == "other" else getattr(world, who)
    response = client_as(user).get(f"/api/v1/cohorts/{cw.cohort.pk}/attendance/{cw.people[whose].pk}/")
    assert response.status_code == status
    if status == 200:
        data = response.json()
        assert data["summary"]["person"] == cw.people[whose].pk
        assert [s["session"] for s in data["sessions"]] == [s.pk for s in cw.sessions]
        assert data["grant_threshold"] == "80.00"


def test_participant_summary_figures(world, cw):
    data = client_as(world.participant).get(f"/api/v1/cohorts/{cw.cohort.pk}/attendance/{cw.people[0].pk}/").json()
    assert Decimal(data["summary"]["percent"]) == Decimal("40.00")
    assert [s["status"] for s in data["sessions"]] == ["present", "justified", "absent"]
    assert data["summary"]["completed"] is False


def test_participant_summary_of_someone_outside_the_cohort(world, other, cw):
    other_cw = build_cohort(other, name="B")
    url = f"/api/v1/cohorts/{cw.cohort.pk}/attendance/{other_cw.people[0].pk}/"
    assert client_as(world.coordinator).get(url).status_code == 404
