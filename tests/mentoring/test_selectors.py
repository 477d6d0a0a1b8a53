"""The matching on a hand-built case (ranking and explanation), a timesheet against
hand-computed hours and euro, and the "my ventures" figures."""

import datetime as dt
from decimal import Decimal

import pytest

from incubator.models import RoleAssignment
from mentoring import selectors, services
from tests import factories as f
from tests.mentoring.fixtures import *  # noqa: F403
from tests.mentoring.fixtures import NOW, aware, enrol, log, tutor_user

pytestmark = pytest.mark.django_db


def _tutor(m, first_name, *, expertise, languages, capacity):
    world = m.world
    user = tutor_user(world, first_name.lower())
    user.first_name, user.last_name = first_name, "Rossi"
    user.save()
    return services.tutor_profile_create(
        actor=world.coordinator,
        programme=world.programme,
        user=user,
        unit_cost_band=m.band,
        kind="external",
        capacity=capacity,
        expertise=expertise,
        languages=languages,
    )


def test_matching_ranks_a_hand_built_case_and_explains_each_score(mentoring, other_mentoring):
    world = mentoring.world
    venture = f.VentureFactory(programme=world.programme, themes=["circular_economy", "social_cohesion"])
    target = enrol(world, venture)
    services.venture_needs_set(
        actor=world.coordinator, venture=venture, keywords=["Marketing", "fundraising"], languages=["en"]
    )
    coordinator = world.coordinator
    # Anna (the fixture's tutor): social_cohesion + marketing, speaks en, capacity 3 with
    # one venture already (until 2027), and 10 hours logged in the last 30 days.
    log(mentoring, aware(2026, 11, 10, 9), 600)
    bruno = _tutor(
        mentoring, "Bruno", expertise=["circular_economy", "marketing", "fundraising"], languages=["it"], capacity=2
    )
    full = _tutor(
        mentoring,
        "Carla",
        expertise=["circular_economy", "social_cohesion", "marketing", "fundraising"],
        languages=["en"],
        capacity=1,
    )
    services.assignment_create(
        actor=coordinator,
        tutor=full,
        enrolment=enrol(world, f.VentureFactory(programme=world.programme)),
        hours_budget=5,
        role="lead",
    )
    conflicted = _tutor(
        mentoring,
        "Dario",
        expertise=["circular_economy", "social_cohesion", "marketing", "fundraising"],
        languages=["en"],
        capacity=5,
    )
    services.tutor_conflict_declare(actor=coordinator, tutor=conflicted, venture=venture, note="Brother-in-law")
    elena = _tutor(mentoring, "Elena", expertise=[], languages=["it", "EN"], capacity=4)
    enzo = _tutor(mentoring, "Enzo", expertise=[], languages=["en"], capacity=4)
    already = _tutor(mentoring, "Franco", expertise=["marketing"], languages=["en"], capacity=4)
    services.assignment_create(actor=coordinator, tutor=already, enrolment=target, role="expert", hours_budget=5)
    revoked = _tutor(mentoring, "Gino", expertise=["marketing"], languages=["en"], capacity=4)
    RoleAssignment.objects.filter(user=revoked.user).delete()

    suggestions = selectors.assignment_suggestions(enrolment=target, now=NOW)

    assert [s.tutor.display_name for s in suggestions] == ["Bruno Rossi", "Anna Tutor", "Elena Rossi", "Enzo Rossi"]
    by_name = {s.tutor.display_name: s for s in suggestions}
    parts = {name: [(p.name, p.points) for p in s.parts] for name, s in by_name.items()}
    # Bruno: 3 of 4 tags -> 37.50; no English -> 0; 2 of 2 free -> 20; no hours -> 15.
    assert parts["Bruno Rossi"] == [
        ("expertise", Decimal("37.50")),
        ("language", Decimal("0.00")),
        ("capacity", Decimal("20.00")),
        ("load", Decimal("15.00")),
    ]
    assert by_name["Bruno Rossi"].score == Decimal("72.50")
    # Anna: 2 of 4 -> 25; English -> 15; 2 of 3 free -> 13.33; 10 h of 40 -> 11.25.
    assert parts["Anna Tutor"] == [
        ("expertise", Decimal("25.00")),
        ("language", Decimal("15.00")),
        ("capacity", Decimal("13.33")),
        ("load", Decimal("11.25")),
    ]
    assert by_name["Anna Tutor"].score == Decimal("64.58")
    assert by_name["Anna Tutor"].active_ventures == 1 and by_name["Anna Tutor"].recent_hours == Decimal("10.00")
    # Elena and Enzo tie at 50: by name.
    assert by_name["Elena Rossi"].score == by_name["Enzo Rossi"].score == Decimal("50.00")
    # The explanations name what matched.
    anna = {p.name: p.explanation for p in by_name["Anna Tutor"].parts}
    assert anna["expertise"] == "2 of 4 needs matched: social_cohesion, marketing"
    assert anna["language"] == "Shared language: en"
    assert anna["capacity"] == "2 of 3 places free"
    assert anna["load"] == "10.00 hours logged in the last 30 days"
    assert {p.name: p.explanation for p in by_name["Bruno Rossi"].parts}["language"] == (
        "No shared language (venture: en)"
    )
    assert (by_name["Bruno Rossi"].period_starts_on, by_name["Bruno Rossi"].period_ends_on) == (
        dt.date(2026, 11, 22),
        target.ends_on,
    )
    # Out: Carla (full), Dario (conflict), Franco (already assigned), Gino (no role), and
    # the other programme's tutor.
    names = {s.tutor.display_name for s in suggestions}
    assert not names & {"Carla Rossi", "Dario Rossi", "Franco Rossi", "Gino Rossi"}
    assert other_mentoring.profile.pk not in {s.tutor.pk for s in suggestions}
    assert [s.tutor for s in selectors.assignment_suggestions(enrolment=target, now=NOW, limit=2)] == [
        bruno,
        mentoring.profile,
    ]
    assert elena.pk and enzo.pk


def test_a_venture_without_themes_or_needs_scores_no_expertise(mentoring):
    world = mentoring.world
    target = enrol(world, f.VentureFactory(programme=world.programme, themes=[]))
    (only,) = selectors.assignment_suggestions(enrolment=target, now=NOW)
    assert only.parts[0].points == Decimal("0.00")
    assert only.parts[1].points == Decimal("15.00")  # Italian by default


def test_timesheet_matches_hand_computed_hours_and_euro(mentoring, other_mentoring):
    world = mentoring.world
    world.venture.title = "Alfa"
    world.venture.save()
    beta = enrol(world, f.VentureFactory(programme=world.programme, title="Beta"))
    beta_assignment = services.assignment_create(
        actor=world.coordinator, tutor=mentoring.profile, enrolment=beta, hours_budget=20, starts_on=dt.date(2026, 1, 1)
    )
    # Outside March: the last minutes of February and the first of April (Italian time).
    log(mentoring, aware(2026, 2, 28, 23, 0), 60)
    log(mentoring, aware(2026, 4, 1, 0, 0), 30)
    # Alfa: 90 + 45 + 30 (the evening of 31 March) minutes of accompaniment, 50 of business plan.
    log(mentoring, aware(2026, 3, 2, 9), 90)
    log(mentoring, aware(2026, 3, 16, 14), 45)
    log(mentoring, aware(2026, 3, 31, 23, 30), 30)
    log(mentoring, aware(2026, 3, 20, 10), 50, activity="business_plan")
    # Beta: 75 minutes at 50 €/h, then the band goes to 42.35 €/h and 100 more minutes.
    log(mentoring, aware(2026, 3, 5, 10), 75, assignment=beta_assignment)
    services.unit_cost_band_update(actor=world.coordinator, band=mentoring.band, hourly_rate="42.35")
    log(mentoring, aware(2026, 3, 25, 10), 100, assignment=beta_assignment)
    # Another tutor's March is not this timesheet.
    log(other_mentoring, aware(2026, 3, 3, 9), 120)

    sheet = selectors.timesheet(tutor=mentoring.profile, year=2026, month=3)

    assert [(r.venture, r.activity, r.minutes, r.hours, r.value) for r in sheet.rows] == [
        # 50' x 50 €/h = 41.666… -> 41.67
        ("Alfa", "business_plan", 50, Decimal("0.83"), Decimal("41.67")),
        # 165' x 50 €/h = 137.50
        ("Alfa", "tutoring", 165, Decimal("2.75"), Decimal("137.50")),
        # (75 x 50 + 100 x 42.35) / 60 = 7985 / 60 = 133.083… -> 133.08
        ("Beta", "tutoring", 175, Decimal("2.92"), Decimal("133.08")),
    ]
    assert sheet.total_minutes == 390
    assert sheet.total_hours == Decimal("6.50")
    assert sheet.total_value == Decimal("312.25")
    assert sheet.rates == [Decimal("42.35"), Decimal("50.00")]
    assert [e.starts_at.date() for e in sheet.entries] == [
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 16),
        dt.date(2026, 3, 20),
        dt.date(2026, 3, 25),
        dt.date(2026, 3, 31),
    ]
    empty = selectors.timesheet(tutor=mentoring.profile, year=2026, month=5)
    assert (empty.rows, empty.total_hours, empty.total_value) == ([], Decimal("0.00"), Decimal("0.00"))


def test_my_assignments_figures(mentoring):
    world = mentoring.world
    log(
        mentoring,
        aware(2026, 11, 2, 9),
        90,
        action_items=[
            {"text": "late", "due_on": "2026-11-01"},
            {"text": "soon", "due_on": "2026-12-01"},
            {"text": "no date"},
        ],
    )
    log(mentoring, aware(2026, 11, 20, 9), 30)
    log(mentoring, aware(2026, 12, 1, 9), 30)  # booked ahead: counts in the budget, not as "last"
    (row,) = selectors.my_assignments(world.tutor, today=dt.date(2026, 11, 22))
    assert row.last_session_at == aware(2026, 11, 20, 9)
    assert selectors.budget_of(row).hours_used == Decimal("2.50")
    assert (row.open_items, row.overdue_items) == (3, 1)
    assert list(selectors.my_assignments(world.coordinator)) == []


def test_the_timesheet_is_found_only_by_who_may_see_it(mentoring, other_mentoring):
    """The one access check of the timesheet's page, exports and PDF."""
    from django.http import Http404

    profile = mentoring.profile
    for user in (profile.user, mentoring.world.coordinator):
        sheet = selectors.visible_timesheet(user, tutor_pk=profile.pk, year=2026, month=3)
        assert sheet.tutor == profile
    for user in (other_mentoring.profile.user, other_mentoring.world.coordinator, mentoring.world.participant):
        with pytest.raises(Http404):
            selectors.visible_timesheet(user, tutor_pk=profile.pk, year=2026, month=3)
    with pytest.raises(Http404):
        selectors.visible_timesheet(profile.user, tutor_pk=profile.pk, year=2026, month=13)
