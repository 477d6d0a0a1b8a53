"""A fixed dataset for the cohort report, every figure of which is worked out by hand in
``test_report_figures.py``. Rows are written directly (factories and ``objects.create``)
so that the dataset does not move when a service's defaults change; the participants'
entry data and results go through their services, whose checks are part of the story.

Cohort C (call A) holds ventures V1 (completed), V2 (active) and V3 (withdrawn); the call
also has ideas waitlisted, rejected (referred to crowdfunding), ineligible, withdrawn
after the check, and a draft. Cohort C2 (call A2, same programme) holds V9: its records
must stay out of C's report and appear in the programme's."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType

from cohorts.models import Attendance, Cohort, CohortEnrolment, CurriculumModule, TrainingSession
from incubator.funding.models import CrowdfundingCampaign, Grant, Tranche
from incubator.models import AuditEvent, LegalFormChange, Person, TeamMember, Venture
from incubator.participants import services as participants
from incubator.path.models import Enrolment, Milestone, MilestoneTemplate
from incubator.selection.models import Application, ApplicationState
from mentoring.models import Assignment, TutoringSession, TutorProfile, UnitCostBand
from tests import factories as f

ROME = ZoneInfo("Europe/Rome")
NOW = dt.datetime(2026, 9, 15, 12, 0, tzinfo=ROME)
ENTRY = dt.date(2026, 1, 1)


def at(day: str, hour: int = 9, minute: int = 0) -> dt.datetime:
    y, m, d = map(int, day.split("-"))
    return dt.datetime(y, m, d, hour, minute, tzinfo=ROME)


@dataclass
class Dataset:
    cohort: Cohort
    cohort2: Cohort
    people: dict[str, Person]
    ventures: dict[str, Venture]
    enrolments: dict[str, Enrolment]
    sessions: dict[str, TrainingSession]
    tutors: dict[str, TutorProfile]


def _venture(world, name: str, call, state: str, *, people=(), submitted=True, **app) -> tuple[Venture, Application]:
    venture = f.VentureFactory(programme=world.programme, title=name)
    for person, joined_on, left_on in people:
        f.TeamMemberFactory(venture=venture, person=person, joined_on=joined_on, left_on=left_on)
    application = f.ApplicationFactory(
        call=call,
        venture=venture,
        state=state,
        submitted_at=at("2025-11-10") if submitted else None,
        **app,
    )
    return venture, application


def _enrol(application: Application, cohort: Cohort, **fields) -> Enrolment:
    enrolment = Enrolment.objects.create(
        application=application, starts_on=ENTRY, ends_on=dt.date(2028, 12, 31), max_months=36, **fields
    )
    CohortEnrolment.objects.create(cohort=cohort, enrolment=enrolment)
    return enrolment


def _session(cohort, module, start: dt.datetime, minutes: int, **fields) -> TrainingSession:
    session = TrainingSession.objects.create(
        cohort=cohort,
        module=module,
        topic=f"Lesson {start:%d/%m}",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        place="Sala A",
        **fields,
    )
    session.refresh_from_db()
    return session


def _mark(session, person, status: str, minutes: int | None = None) -> None:
    Attendance.objects.create(
        session=session, person=person, status=status, minutes_attended=minutes, marked_at=session.ends_at
    )


def _tutoring(assignment: Assignment, start: dt.datetime, minutes: int) -> None:
    TutoringSession.objects.create(
        assignment=assignment,
        tutor=assignment.tutor,
        starts_at=start,
        minutes=minutes,
        ends_at=start + dt.timedelta(minutes=minutes),
        hourly_rate=assignment.tutor.unit_cost_band.hourly_rate,
    )


def build(world) -> Dataset:
    programme, call = world.programme, world.call
    coordinator = world.coordinator
    call2 = f.CallFactory(programme=programme, title="Call A2")
    people = {
        "P1": world.participant_person,
        **{name: f.PersonFactory(programme=programme) for name in ("P2", "P3", "P4", "P5", "P9")},
    }
    # --- selection: call A ---------------------------------------------------------------
    v1, a1 = world.venture, world.application
    a1.state, a1.submitted_at = ApplicationState.ADMITTED, at("2025-11-10")
    a1.save()
    f.TeamMemberFactory(venture=v1, person=people["P5"], joined_on=dt.date(2026, 3, 1), role="member")
    v2, a2 = _venture(
        world,
        "V2",
        call,
        ApplicationState.ADMITTED,
        people=[(people["P2"], None, None), (people["P3"], None, dt.date(2026, 5, 31))],
    )
    v3, a3 = _venture(world, "V3", call, ApplicationState.ADMITTED, people=[(people["P4"], None, None)])
    v4, _a4 = _venture(world, "V4 waitlisted", call, ApplicationState.WAITLISTED)
    v5, _a5 = _venture(world, "V5 rejected", call, ApplicationState.REJECTED, crowdfunding_referral=True)
    _venture(world, "V6 ineligible", call, ApplicationState.INELIGIBLE)
    _v7, a7 = _venture(world, "V7 withdrawn", call, ApplicationState.WITHDRAWN)
    AuditEvent.objects.create(
        verb="application.eligible",
        programme=programme,
        target_type=ContentType.objects.get_for_model(Application),
        target_id=a7.pk,
        target_repr=str(a7),
    )
    _venture(world, "V8 draft", call, ApplicationState.DRAFT, submitted=False)
    # --- cohorts and enrolments ------------------------------------------------------------
    cohort = Cohort.objects.create(
        programme=programme,
        call=call,
        name="Cohort C",
        starts_on=ENTRY,
        ends_on=dt.date(2026, 12, 31),
        completion_threshold=Decimal("70.00"),
        grant_threshold=Decimal("90.00"),
    )
    cohort2 = Cohort.objects.create(
        programme=programme,
        call=call2,
        name="Cohort C2",
        starts_on=ENTRY,
        ends_on=dt.date(2026, 12, 31),
        grant_threshold=Decimal("80.00"),
    )
    e1 = _enrol(a1, cohort, status="completed", exited_on=dt.date(2026, 6, 30), exit_reason="Path completed")
    e2 = _enrol(a2, cohort)
    e3 = _enrol(a3, cohort, status="withdrawn", exited_on=dt.date(2026, 1, 31), exit_reason="Found a job")
    v9, a9 = _venture(world, "V9", call2, ApplicationState.ADMITTED, people=[(people["P9"], None, None)])
    e9 = _enrol(a9, cohort2)
    # --- training ----------------------------------------------------------------------------
    module = CurriculumModule.objects.create(cohort=cohort, title="Business plan", planned_hours=Decimal("12"))
    s = {
        "S1": _session(cohort, module, at("2026-01-12"), 120),
        "S2": _session(cohort, module, at("2026-01-19"), 120),
        "S3": _session(cohort, module, at("2026-02-02"), 60),
        "S4": _session(cohort, module, at("2026-02-09"), 180),
        "S5": _session(cohort, None, at("2026-02-16"), 60, kind=TrainingSession.Kind.OUTREACH),
        "S6": _session(
            cohort, module, at("2026-02-23"), 120, cancelled_at=at("2026-02-20"), cancellation_reason="Trainer ill"
        ),
        "S7": _session(cohort, module, at("2026-10-05"), 120),
    }
    p1, p2, p3, p4 = (people[k] for k in ("P1", "P2", "P3", "P4"))
    _mark(s["S1"], p1, "present")
    _mark(s["S2"], p1, "partial", 90)
    _mark(s["S3"], p1, "justified")
    _mark(s["S4"], p1, "absent")
    _mark(s["S5"], p1, "present")
    for key in ("S1", "S2", "S3", "S4"):
        _mark(s[key], p2, "present")
    for key in ("S1", "S2", "S3"):
        _mark(s[key], p3, "present")
    _mark(s["S4"], p3, "partial", 120)
    _mark(s["S1"], p4, "present")
    _mark(s["S2"], p4, "absent")
    module2 = CurriculumModule.objects.create(cohort=cohort2, title="Business plan", planned_hours=Decimal("12"))
    s9 = _session(cohort2, module2, at("2026-01-13"), 240)
    _mark(s9, people["P9"], "present")
    # --- tutoring ----------------------------------------------------------------------------
    senior = UnitCostBand.objects.create(programme=programme, code="S", label="Senior", hourly_rate=Decimal("50.00"))
    junior = UnitCostBand.objects.create(programme=programme, code="J", label="Junior", hourly_rate=Decimal("30.00"))
    t1 = TutorProfile.objects.create(programme=programme, user=world.tutor, kind="internal", unit_cost_band=senior)
    t2_user = f.UserFactory(username="A-tutor2", first_name="Bruna", last_name="Neri")
    t2 = TutorProfile.objects.create(programme=programme, user=t2_user, kind="external", unit_cost_band=junior)

    def assign(tutor, enrolment, role="lead"):
        return Assignment.objects.create(
            tutor=tutor,
            enrolment=enrolment,
            role=role,
            starts_on=ENTRY,
            ends_on=dt.date(2026, 12, 31),
            hours_budget=Decimal("40"),
        )

    _tutoring(assign(t1, e1), at("2026-01-15", 15), 60)
    t1_v1 = Assignment.objects.get(tutor=t1, enrolment=e1)
    _tutoring(t1_v1, at("2026-02-10", 15), 90)
    _tutoring(assign(t2, e2), at("2026-02-12", 15), 45)
    _tutoring(assign(t1, e2, role="expert"), at("2026-03-03", 15), 30)
    _tutoring(assign(t1, e9), at("2026-02-11", 15), 120)
    # --- milestones ----------------------------------------------------------------------------
    mt1 = MilestoneTemplate.objects.create(programme=programme, title="Business plan", offset_months=2, order=1)
    mt2 = MilestoneTemplate.objects.create(programme=programme, title="Legal entity", offset_months=4, order=2)

    def milestone(enrolment, template, due: str, state: str, **fields):
        y, m, d = map(int, due.split("-"))
        Milestone.objects.create(
            enrolment=enrolment,
            template=template,
            title=template.title if template else "Custom step",
            due_on=dt.date(y, m, d),
            state=state,
            **fields,
        )

    milestone(e1, mt1, "2026-03-01", "achieved", achieved_on=dt.date(2026, 2, 27))
    milestone(e1, mt2, "2026-05-01", "planned")
    milestone(e1, None, "2026-04-01", "achieved", achieved_on=dt.date(2026, 4, 1))
    milestone(e2, mt1, "2026-03-01", "in_progress")
    milestone(e2, mt2, "2026-10-01", "planned")
    milestone(e3, mt1, "2026-03-01", "waived", waiver_reason="Withdrawn")
    milestone(e3, mt2, "2026-05-01", "missed")
    milestone(e9, mt1, "2026-03-01", "planned")
    # --- funding -------------------------------------------------------------------------------
    grant_range = {"amount_min": Decimal("25000.00"), "amount_max": Decimal("140000.00")}
    g1 = Grant.objects.create(
        venture=v1,
        application=a1,
        undertaking=people["P1"].tax_code,
        amount=Decimal("50000.00"),
        state="in_progress",
        decided_on=dt.date(2026, 3, 1),
        contract_signed_on=dt.date(2026, 3, 10),
        starts_on=dt.date(2026, 3, 10),
        ends_on=dt.date(2027, 3, 10),
        **grant_range,
    )
    Tranche.objects.create(
        grant=g1,
        kind="advance",
        amount=Decimal("15000.00"),
        grant_amount=g1.amount,
        state="paid",
        paid_on=dt.date(2026, 3, 15),
        guarantee_reference="FID-1",
    )
    Tranche.objects.create(grant=g1, kind="interim", amount=Decimal("10000.00"), grant_amount=g1.amount)
    Grant.objects.create(
        venture=v2, application=a2, undertaking=people["P2"].tax_code, amount=Decimal("30000.00"), **grant_range
    )
    Grant.objects.create(
        venture=v3,
        application=a3,
        undertaking=people["P4"].tax_code,
        amount=Decimal("25000.00"),
        state="revoked",
        revoked_on=dt.date(2026, 2, 1),
        revocation_reason="Withdrawn",
        **grant_range,
    )
    Grant.objects.create(
        venture=v9,
        application=a9,
        undertaking=people["P9"].tax_code,
        amount=Decimal("99000.00"),
        state="awarded",
        decided_on=dt.date(2026, 3, 1),
        **grant_range,
    )

    def campaign(venture, start: str, **fields):
        y, m, d = map(int, start.split("-"))
        starts = dt.date(y, m, d)
        CrowdfundingCampaign.objects.create(
            venture=venture,
            platform="Produzioni dal Basso",
            model="donation",
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=45),
            **fields,
        )

    campaign(
        v5,
        "2026-02-10",
        budget=Decimal("10000.00"),
        goal=Decimal("8000.00"),
        raised=Decimal("9000.00"),
        backers=120,
        state="succeeded",
        threshold_pct=Decimal("50"),
        match_rate_pct=Decimal("40"),
        match_cap=Decimal("3000.00"),
        matched=Decimal("3000.00"),
    )
    campaign(
        v1,
        "2026-04-01",
        budget=Decimal("5000.00"),
        goal=Decimal("5000.00"),
        raised=Decimal("1000.00"),
        backers=10,
        state="failed",
    )
    campaign(v4, "2026-02-01", budget=Decimal("1000.00"), goal=Decimal("1000.00"), raised=Decimal("700.00"))
    # --- legal forms and venture outcomes ---------------------------------------------------------
    LegalFormChange.objects.create(venture=v1, legal_form="social_cooperative", effective_on=dt.date(2026, 2, 1))
    LegalFormChange.objects.create(venture=v2, legal_form="informal_group", effective_on=dt.date(2025, 10, 1))
    LegalFormChange.objects.create(venture=v3, legal_form="association", effective_on=dt.date(2025, 10, 1))
    LegalFormChange.objects.create(venture=v9, legal_form="company", effective_on=dt.date(2025, 10, 1))
    participants.venture_outcome_record(
        actor=coordinator,
        enrolment=e1,
        observed_on=dt.date(2026, 7, 1),
        jobs_women=2,
        jobs_men=1,
        revenue="12500.50",
        funds_raised="5000",
        source="administrative",
    )
    participants.venture_outcome_record(
        actor=coordinator, enrolment=e2, observed_on=dt.date(2026, 7, 1), jobs_men=1, jobs_non_binary=1, source="survey"
    )
    participants.venture_outcome_record(
        actor=coordinator, enrolment=e9, observed_on=dt.date(2026, 7, 1), jobs_women=7, source="survey"
    )
    # --- entry data ------------------------------------------------------------------------------
    entry = participants.entry_data_create

    def d(day: str) -> dt.date:
        y, m, dd = map(int, day.split("-"))
        return dt.date(y, m, dd)

    entry(
        actor=coordinator,
        person=p1,
        entered_on=ENTRY,
        gender="female",
        birth_date=d("1990-06-15"),
        labour_status="long_term_unemployed",
        isced="isced_3_4",
        foreign_background=True,
        disability="no",
        minority="refused",
        victim_of_violence=True,
    )
    entry(
        actor=coordinator,
        person=p2,
        entered_on=ENTRY,
        gender="male",
        birth_date=d("2008-03-10"),
        labour_status="inactive",
        isced="isced_0_2",
        rural=True,
        disability="yes",
        minority="no",
    )
    entry(
        actor=coordinator,
        person=p3,
        entered_on=ENTRY,
        gender="female",
        birth_date=d("1996-01-01"),
        labour_status="employed",
        isced="isced_5_8",
        third_country_national=True,
        homeless=True,
        disability="refused",
        minority="yes",
    )
    entry(
        actor=coordinator,
        person=p4,
        entered_on=ENTRY,
        gender="non_binary",
        birth_date=d("1970-01-02"),
        labour_status="unemployed",
        isced="isced_3_4",
        disability="no",
        minority="no",
    )
    entry(
        actor=coordinator,
        person=people["P9"],
        entered_on=ENTRY,
        gender="female",
        birth_date=d("2000-05-05"),
        labour_status="unemployed",
        isced="isced_5_8",
        disability="no",
        minority="no",
    )
    # --- results ---------------------------------------------------------------------------------
    result = participants.result_record
    result(
        actor=coordinator,
        person=p4,
        enrolment=e3,
        timing="exit",
        observed_on=d("2026-02-15"),
        source="self_declaration",
        job_searching=True,
    )
    result(
        actor=coordinator,
        person=p4,
        enrolment=e3,
        timing="six_months",
        observed_on=d("2026-08-03"),
        source="administrative",
        employed=True,
    )
    result(
        actor=coordinator,
        person=p1,
        enrolment=e1,
        timing="exit",
        observed_on=d("2026-07-10"),
        source="certificate",
        employed=True,
        qualification_gained=True,
    )
    result(
        actor=coordinator,
        person=p3,
        enrolment=e2,
        timing="exit",
        observed_on=d("2026-06-10"),
        source="education_provider",
        in_education=True,
        job_searching=True,
    )
    participants.training_unit_cost_set(
        actor=coordinator, programme=programme, course_hour_rate="100.00", participant_hour_rate="5.50"
    )
    return Dataset(
        cohort=cohort,
        cohort2=cohort2,
        people=people,
        ventures={"V1": v1, "V2": v2, "V3": v3, "V4": v4, "V5": v5, "V9": v9},
        enrolments={"E1": e1, "E2": e2, "E3": e3, "E9": e9},
        sessions=s,
        tutors={"T1": t1, "T2": t2},
    )


def team_member(person: Person, venture: Venture) -> TeamMember:
    return TeamMember.objects.get(person=person, venture=venture)
