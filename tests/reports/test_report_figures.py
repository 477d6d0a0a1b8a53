"""Every figure of the cohort report on the fixed dataset of ``dataset.py``, worked out by
hand here (the arithmetic is in the comments), compared with what the database computes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from cohorts.reports.figures import cohort_report, report_scope
from tests.reports import dataset

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def data(world, other):
    return dataset.build(world)


@pytest.fixture
def report(data, world):
    # Labels (indicator names, "not from a template") in English, whatever the catalogue.
    with translation.override("en"):
        return cohort_report(report_scope(programme=world.programme, cohort=data.cohort, now=dataset.NOW))


def indicator(rows, key):
    (row,) = [r for r in rows if r.key == key]
    return (row.female, row.male, row.non_binary, row.total)


def test_funnel(report):
    f = report.funnel
    # Submitted: V1-V7 (V8 is a draft). Passed the check: V1-V5 and V7 (withdrawn after
    # it, by the audit trail). Evaluated: V1-V5. Enrolled in C: V1-V3; V9 is in C2.
    assert f.steps() == [
        ("applications", 7),
        ("eligible", 6),
        ("evaluated", 5),
        ("admitted", 3),
        ("enrolled", 3),
        ("completed", 1),
        ("withdrawn", 1),
    ]
    assert (f.ineligible, f.waitlisted, f.rejected, f.applications_withdrawn) == (1, 1, 1, 1)
    assert (f.referred_to_crowdfunding, f.active, f.suspended) == (1, 1, 0)


def test_training(report):
    t = report.training
    # Held training sessions: S1 120 + S2 120 + S3 60 + S4 180 = 480 min = 8 h. S5 is an
    # outreach event, S6 cancelled, S7 in October (after "now", 15 September).
    assert (t.sessions_held, t.outreach_events_held, t.sessions_cancelled, t.sessions_upcoming) == (4, 1, 1, 1)
    assert t.minutes_delivered == 480
    assert t.hours_delivered == D("8.00")
    # Register minutes on held training: P1 120 + 90; P2 480; P3 120 + 120 + 60 + 120;
    # P4 120 -> 1230 min = 20.50 participant-hours (S5's mark is an outreach event).
    assert t.participant_minutes == 1230
    assert t.participant_hours == D("20.50")
    assert t.marks == {"present": 9, "partial": 2, "justified": 1, "absent": 2}
    # Completion: P1 210 / (480 - 60 justified) = 50 %; P2 100 %; P3 420 / 480 = 87.5 %;
    # P4 (withdrawn 31/1: S1, S2 only) 120 / 240 = 50 %; P5 joined in March, after every
    # session: no figure. Mean (50 + 100 + 87.5 + 50) / 4 = 71.875 -> 71.88.
    assert (t.participants, t.participants_with_figure) == (5, 4)
    assert t.average_attendance_pct == D("71.88")
    # Threshold 70 %: P2, P3 completed; grant threshold 90 %: P2 only.
    assert (t.completed, t.not_completed, t.grant_eligible) == (2, 2, 1)
    assert t.thresholds == [
        {
            "cohort": report.scope.cohorts[0].pk,
            "name": "Cohort C",
            "completion_threshold": D("70.00"),
            "grant_threshold": D("90.00"),
        }
    ]
    assert [band["participants"] for band in t.distribution] == [0, 0, 0, 0, 0, 2, 0, 0, 1, 1]


def test_tutoring(report, data):
    tu = report.tutoring
    # T1 (50 EUR/h): V1 60 + 90, V2 30; T2 (30 EUR/h): V2 45. V9's 120 min are in C2.
    assert (tu.sessions, tu.minutes, tu.hours) == (4, 225, D("3.75"))
    # 180 min x 50 / 60 = 150.00; 45 min x 30 / 60 = 22.50.
    assert tu.value == D("172.50")
    # By title: "V2" sorts before V1's "Venture <n>".
    assert [(v["venture"], v["sessions"], v["minutes"], v["hours"]) for v in tu.per_venture] == [
        (data.ventures["V2"].pk, 2, 75, D("1.25")),
        (data.ventures["V1"].pk, 2, 150, D("2.50")),
    ]
    tutors = {t["tutor"]: (t["sessions"], t["minutes"], t["hours"], t["value"]) for t in tu.per_tutor}
    assert tutors == {
        data.tutors["T1"].pk: (3, 180, D("3.00"), D("150.00")),
        data.tutors["T2"].pk: (1, 45, D("0.75"), D("22.50")),
    }


def test_hours_per_month(report):
    # Training: January S1 + S2 = 4 h, February S3 + S4 = 4 h. Tutoring: January 60 min,
    # February 90 + 45 min, March 30 min.
    assert report.months == [
        {"month": "2026-01", "training_hours": D("4.00"), "tutoring_sessions": 1, "tutoring_hours": D("1.00")},
        {"month": "2026-02", "training_hours": D("4.00"), "tutoring_sessions": 2, "tutoring_hours": D("2.25")},
        {"month": "2026-03", "training_hours": D("0.00"), "tutoring_sessions": 1, "tutoring_hours": D("0.50")},
    ]


def test_milestones(report):
    m = report.milestones
    # 7 milestones of C's enrolments. Overdue on 15/9: V1 "Legal entity" (planned, 1/5)
    # and V2 "Business plan" (in progress, 1/3). Due by today and not waived: 5.
    assert m.total == 7
    assert m.by_state == {"planned": 2, "in_progress": 1, "achieved": 2, "missed": 1, "waived": 1}
    assert (m.achieved, m.overdue, m.due) == (2, 2, 5)
    assert [(r["title"], r["total"], r["achieved"], r["overdue"], r["missed"], r["waived"]) for r in m.by_template] == [
        ("Business plan", 3, 1, 1, 0, 1),
        ("Legal entity", 3, 0, 1, 1, 0),
        ("(not from a template)", 1, 1, 0, 0, 0),
    ]


def test_funding(report):
    fu = report.funding
    # Grants: V1 in progress (50,000), V2 proposed, V3 revoked; V9's is in C2.
    assert (fu.grants_proposed, fu.grants_awarded, fu.grants_revoked) == (1, 1, 1)
    assert fu.grants_awarded_amount == D("50000.00")
    assert (fu.tranches_paid, fu.paid_amount, fu.requested_amount) == (1, D("15000.00"), D("10000.00"))
    # Campaigns: V5 (referred to crowdfunding) and V1; V4 was waitlisted, not referred.
    assert (fu.campaigns, fu.campaigns_matched, fu.backers) == (2, 1, 130)
    assert (fu.crowdfunding_goal, fu.crowdfunding_raised, fu.crowdfunding_matched) == (
        D("13000.00"),
        D("10000.00"),
        D("3000.00"),
    )
    assert fu.campaigns_by_state == {"draft": 0, "live": 0, "succeeded": 1, "failed": 1}


def test_venture_outcomes(report):
    v = report.ventures
    # V1 became a social cooperative, V2 is still an informal group, V3 an association.
    assert v.ventures == 3
    assert v.legal_forms == {
        "informal_group": 1,
        "association": 1,
        "social_cooperative": 1,
        "social_enterprise": 0,
        "company": 0,
    }
    assert v.legal_entities == 2
    # V1: 2 women, 1 man, 12,500.50 revenue, 5,000 raised; V2: 1 man, 1 non-binary.
    assert (v.reported, v.jobs_women, v.jobs_men, v.jobs_non_binary, v.jobs_total) == (2, 2, 2, 1, 5)
    assert (v.revenue, v.funds_raised) == (D("12500.50"), D("5000.00"))


def test_output_indicators(report):
    rows = report.output_indicators
    # P1 F 35 LTU ISCED 3-4, foreign background, minority refused; P2 M 17 (birthday in
    # March) inactive ISCED 0-2, disabled, rural; P3 F exactly 30 on the day of entry,
    # employed, ISCED 5-8, third-country, minority, homeless, disability refused;
    # P4 NB 55 (56 the day after entry) unemployed ISCED 3-4. P5 has no entry data.
    expected = {
        "unemployed": (1, 0, 1, 2),
        "long_term_unemployed": (1, 0, 0, 1),
        "inactive": (0, 1, 0, 1),
        "employed": (1, 0, 0, 1),
        "under_18": (0, 1, 0, 1),
        "age_18_29": (0, 0, 0, 0),
        "age_30_54": (2, 0, 0, 2),
        "age_55_plus": (0, 0, 1, 1),
        "isced_0_2": (0, 1, 0, 1),
        "isced_3_4": (1, 0, 1, 2),
        "isced_5_8": (1, 0, 0, 1),
        "disability": (0, 1, 0, 1),
        "third_country": (1, 0, 0, 1),
        "foreign_background": (1, 0, 0, 1),
        "minority": (1, 0, 0, 1),
        "homeless": (1, 0, 0, 1),
        "rural": (0, 1, 0, 1),
        "disability_refused": (1, 0, 0, 1),
        "minority_refused": (1, 0, 0, 1),
        "participants": (2, 1, 1, 4),
    }
    assert {row.key: indicator(rows, row.key) for row in rows} == expected
    assert (report.participants, report.participants_without_entry_data) == (5, 1)
    assert report.women_victims_of_violence == 1


def test_result_indicators(report):
    rows = report.result_indicators
    # At exit: P4 (NB) job searching; P1 (F) employed + qualification; P3 (F) in
    # education + job searching. Six months: P4 employed.
    expected = {
        "exit_job_searching": (1, 0, 1, 2),
        "exit_in_education": (1, 0, 0, 1),
        "exit_qualification": (1, 0, 0, 1),
        "exit_employed": (1, 0, 0, 1),
        "six_months_employed": (0, 0, 1, 1),
        "six_months_better_situation": (0, 0, 0, 0),
    }
    assert {row.key: indicator(rows, row.key) for row in rows} == expected
    assert report.results_recorded == {"at_exit": 3, "six_months": 1}


def test_unit_costs(report):
    u = report.unit_costs
    # 8 course hours x 100.00 = 800.00; 20.5 participant-hours x 5.50 = 112.75;
    # tutoring 172.50 (3 h x 50 + 0.75 h x 30). Total 1,085.25.
    assert u.rates_set
    assert (u.course_hours, u.training_course_value) == (D("8.00"), D("800.00"))
    assert (u.participant_hours, u.training_participant_value) == (D("20.50"), D("112.75"))
    assert (u.tutoring_hours, u.tutoring_value) == (D("3.75"), D("172.50"))
    assert [(r["hourly_rate"], r["minutes"], r["value"]) for r in u.tutoring_by_rate] == [
        (D("30.00"), 45, D("22.50")),
        (D("50.00"), 180, D("150.00")),
    ]
    assert u.total == D("1085.25")


def test_period_restricts_activity_only(data, world):
    scope = report_scope(
        programme=world.programme,
        cohort=data.cohort,
        date_from=dt.date(2026, 2, 1),
        date_to=dt.date(2026, 2, 28),
        now=dataset.NOW,
    )
    r = cohort_report(scope)
    # February: S3 60 + S4 180 held (S5 outreach, S6 cancelled). Register: P1 0 (justified,
    # absent), P2 60 + 180, P3 60 + 120 -> 420 min = 7 h.
    assert (r.training.sessions_held, r.training.hours_delivered, r.training.participant_hours) == (
        2,
        D("4.00"),
        D("7.00"),
    )
    # Tutoring in February: 90 min at 50 + 45 min at 30 = 75.00 + 22.50.
    assert (r.tutoring.sessions, r.tutoring.minutes, r.tutoring.value) == (2, 135, D("97.50"))
    # Nothing due, decided or paid in February; V5's campaign started on 10/2.
    assert (r.milestones.total, r.funding.grants_awarded, r.funding.tranches_paid) == (0, 0, 0)
    assert (r.funding.campaigns, r.funding.crowdfunding_raised) == (1, D("9000.00"))
    # 240 course min x 100 / 60 + 420 participant min x 5.50 / 60 + 97.50.
    assert r.unit_costs.total == D("400.00") + D("38.50") + D("97.50")
    # The cohort as a whole is unchanged by the period.
    assert r.funnel.applications == 7
    assert indicator(r.output_indicators, "participants") == (2, 1, 1, 4)
    assert r.ventures.jobs_total == 5


def test_programme_scope_adds_the_other_cohort(data, world):
    r = cohort_report(report_scope(programme=world.programme, now=dataset.NOW))
    assert [c.name for c in r.scope.cohorts] == ["Cohort C", "Cohort C2"]
    # Call A2 adds V9's application; C2 adds its enrolment, its participant P9 (F, 26,
    # unemployed, ISCED 5-8), 240 min of training, 120 min of tutoring at 50 EUR/h and
    # its awarded grant of 99,000.
    assert (r.funnel.applications, r.funnel.admitted, r.funnel.enrolled) == (8, 4, 4)
    assert indicator(r.output_indicators, "participants") == (3, 1, 1, 5)
    assert indicator(r.output_indicators, "age_18_29") == (1, 0, 0, 1)
    assert r.training.minutes_delivered == 480 + 240
    assert r.tutoring.value == D("172.50") + D("100.00")
    assert r.funding.grants_awarded_amount == D("149000.00")
    assert r.ventures.jobs_women == 9


def test_as_dict_leaves_out_the_violence_figure(report):
    data = report.as_dict()
    assert "violence" not in str(data)
    assert data["funnel"]["applications"] == 7
    assert data["unit_costs"]["total"] == "1085.25"
    assert data["training"]["average_attendance_pct"] == "71.88"
