"""Demo data, step 60 ("outcomes and reports"): the programme's training unit costs, the
ESF+ entry data of every participant of the demo enrolments, what their ventures have
become so far, and the results of two team members who left the operation early (at
exit and, once six months have passed, six months after). Through
``incubator.participants.services``, as the demo coordinator.

Gender and date of birth are read from each person's tax code (the codice fiscale
carries both), so the entry data agrees with the person record; a birthplace abroad
(cadastral code Z...) marks a foreign background. The rest is drawn with ``ctx.rng``."""

import datetime as dt
from decimal import Decimal

from incubator.dates import add_months
from incubator.demo_context import DemoContext
from incubator.models import TeamMember
from incubator.participants import services
from incubator.participants.models import Gender, ParticipantEntryData
from incubator.path.models import Enrolment

# Standard unit costs for training (fascia B of the Italian ESF+ scale, Reg. delegato
# (UE) 2021/702): euro per course hour and per participant-hour.
COURSE_HOUR_RATE = Decimal("117.00")
PARTICIPANT_HOUR_RATE = Decimal("0.80")
UNIT_COST_REFERENCE = "Reg. delegato (UE) 2021/702, UCS formazione fascia B"

_MONTHS = "ABCDEHLMPRST"
LABOUR = (("long_term_unemployed", 35), ("unemployed", 25), ("inactive", 20), ("employed", 20))
ISCED = (("isced_0_2", 25), ("isced_3_4", 50), ("isced_5_8", 25))
SPECIAL = (("no", 80), ("yes", 8), ("refused", 12))


def _weighted(rng, choices) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def from_tax_code(code: str, entered_on: dt.date) -> tuple[str, dt.date, bool] | None:
    """(gender, date of birth, born abroad) read from a codice fiscale, or None."""
    try:
        year, month, day = int(code[6:8]), _MONTHS.index(code[8]) + 1, int(code[9:11])
    except (ValueError, IndexError):
        return None
    gender = Gender.FEMALE if day > 40 else Gender.MALE
    century = 2000 if 2000 + year < entered_on.year else 1900
    try:
        birth = dt.date(century + year, month, day - 40 if day > 40 else day)
    except ValueError:
        return None
    return gender, birth, code[11] == "Z"


def _entry_data(ctx: DemoContext, coordinator, member: TeamMember, enrolment: Enrolment) -> None:
    rng, person = ctx.rng, member.person
    entered_on = min(enrolment.starts_on, ctx.today)
    decoded = from_tax_code(person.tax_code, entered_on)
    if decoded is None:
        gender = rng.choice([Gender.FEMALE, Gender.MALE])
        birth, abroad = entered_on.replace(year=entered_on.year - rng.randint(19, 60), day=1), False
    else:
        gender, birth, abroad = decoded
    services.entry_data_create(
        actor=coordinator,
        person=person,
        entered_on=entered_on,
        gender=gender,
        birth_date=birth,
        labour_status=_weighted(rng, LABOUR),
        isced=_weighted(rng, ISCED),
        foreign_background=abroad,
        third_country_national=abroad and rng.random() < 0.7,
        homeless=rng.random() < 0.05,
        rural=rng.random() < 0.1,
        disability=_weighted(rng, SPECIAL),
        minority=_weighted(rng, SPECIAL),
        victim_of_violence=gender == Gender.FEMALE and rng.random() < 0.15,
    )


def _outcome(ctx: DemoContext, coordinator, enrolment: Enrolment) -> None:
    rng = ctx.rng
    services.venture_outcome_record(
        actor=coordinator,
        enrolment=enrolment,
        observed_on=ctx.today,
        jobs_women=rng.choice([0, 0, 1, 1, 2]),
        jobs_men=rng.choice([0, 0, 1, 2]),
        jobs_non_binary=rng.choice([0] * 9 + [1]),
        revenue=Decimal(rng.randrange(0, 4000000)) / 100,
        funds_raised=Decimal(rng.choice([0, 0, 5000, 10000, 25000])),
        source=rng.choice(["self_declaration", "administrative", "survey"]),
    )


def _early_leaver(ctx: DemoContext, coordinator, member: TeamMember, enrolment: Enrolment) -> None:
    """A team member who left after a week: results at exit, and six months after when
    the date has come."""
    rng = ctx.rng
    left_on = enrolment.starts_on + dt.timedelta(days=7)
    if left_on + dt.timedelta(days=14) > ctx.today:
        return
    found_work = rng.random() < 0.5
    services.result_record(
        actor=coordinator,
        person=member.person,
        enrolment=enrolment,
        timing="exit",
        left_on=left_on,
        observed_on=left_on + dt.timedelta(days=14),
        source="self_declaration",
        employed=found_work,
        job_searching=not found_work,
        in_education=rng.random() < 0.3,
        qualification_gained=rng.random() < 0.3,
    )
    if add_months(left_on, 6) <= ctx.today:
        services.result_record(
            actor=coordinator,
            person=member.person,
            enrolment=enrolment,
            timing="six_months",
            left_on=left_on,
            observed_on=ctx.today,
            source="administrative",
            employed=found_work or rng.random() < 0.4,
            better_situation=rng.random() < 0.3,
        )


def seed_outcomes(ctx: DemoContext) -> None:
    if ctx.programme is None or not ctx.enrolments:
        return
    coordinator = ctx.users["coordinator"]
    services.training_unit_cost_set(
        actor=coordinator,
        programme=ctx.programme,
        course_hour_rate=COURSE_HOUR_RATE,
        participant_hour_rate=PARTICIPANT_HOUR_RATE,
        reference=UNIT_COST_REFERENCE,
    )
    leavers = 0
    for enrolment in ctx.enrolments:
        members = TeamMember.objects.filter(
            venture_id=enrolment.application.venture_id, person__anonymised_at__isnull=True
        ).select_related("person")
        for member in members.order_by("pk"):
            if not ParticipantEntryData.objects.filter(person=member.person).exists():
                _entry_data(ctx, coordinator, member, enrolment)
            if leavers < 2 and member.role == TeamMember.TeamRole.MEMBER and member.person.user_id is None:
                _early_leaver(ctx, coordinator, member, enrolment)
                leavers += 1
        _outcome(ctx, coordinator, enrolment)


DEMO_STEPS = [(60, seed_outcomes)]
