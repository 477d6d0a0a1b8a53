"""The demo data at scale, second half: participants' entry data and results, milestone
plans, training sessions and their attendance marks, tutoring (``bench.demo_scale``)."""

import datetime as dt
import itertools
import logging
import math
from collections.abc import Iterator
from decimal import Decimal

from django.utils import timezone

from bench.scale_rows import (
    MARK_STATUSES,
    SESSION_MINUTES,
    TUTORING_HOURS,
    TUTORING_MINUTES,
    Plan,
    _at,
    _Cohort,
    _insert,
    _monday,
    _stream,
    _weighted,
)
from cohorts import demo as cohorts_demo
from cohorts.models import (
    DEFAULT_MODULES,
    Attendance,
    AttendanceStatus,
    CurriculumModule,
    ModuleMode,
    TrainingSession,
)
from incubator.dates import add_months
from incubator.models import (
    LegalForm,
    LegalFormChange,
    Theme,
    User,
)
from incubator.participants.demo import ISCED, LABOUR, SPECIAL, from_tax_code
from incubator.participants.models import (
    Gender,
    OutcomeSource,
    ParticipantEntryData,
    ParticipantResult,
    ResultTiming,
    VentureOutcome,
)
from incubator.path.models import EnrolmentStatus, Milestone, MilestoneState
from mentoring import demo as mentoring_demo
from mentoring.models import (
    ActionItem,
    Assignment,
    AssignmentRole,
    SessionMode,
    TutoringSession,
    TutorKind,
    TutorProfile,
    UnitCostBand,
)

log = logging.getLogger(__name__)


class ActivityBuilder:
    """What happens after selection, mixed into the builder of ``bench.demo_scale``."""

    def _participants(self, enrolments, teams, venture_of, codes) -> None:
        """ESF+ entry data of every participant, results of the early leavers, legal forms
        and outcomes of the ventures past their first year."""
        rng, today = self.rng, self.today
        entry, results, outcomes, forms = [], [], [], []
        for enrolment in enrolments:
            entered_on = min(enrolment.starts_on, today)
            for person_id in teams[enrolment.pk]:
                gender, birth, abroad = from_tax_code(codes[person_id], entered_on)
                entry.append(
                    ParticipantEntryData(
                        person_id=person_id,
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
                )
                if enrolment.status == EnrolmentStatus.WITHDRAWN:
                    found_work = rng.random() < 0.5
                    results.append(
                        ParticipantResult(
                            person_id=person_id,
                            enrolment=enrolment,
                            timing=ResultTiming.AT_EXIT,
                            left_on=enrolment.exited_on,
                            observed_on=min(enrolment.exited_on + dt.timedelta(days=14), today),
                            employed=found_work,
                            job_searching=not found_work,
                            source=OutcomeSource.SELF_DECLARATION,
                        )
                    )
            if enrolment.status == EnrolmentStatus.ACTIVE and add_months(enrolment.starts_on, 8) <= today:
                if rng.random() < 0.4:
                    forms.append(
                        LegalFormChange(
                            venture_id=venture_of[enrolment.application_id],
                            legal_form=rng.choice(
                                (LegalForm.ASSOCIATION, LegalForm.SOCIAL_COOPERATIVE, LegalForm.SOCIAL_ENTERPRISE)
                            ),
                            effective_on=add_months(enrolment.starts_on, 6),
                            registration_number=f"0{rng.randint(1000000000, 9999999999)}",
                        )
                    )
                if add_months(enrolment.starts_on, 12) <= today:
                    outcomes.append(
                        VentureOutcome(
                            enrolment=enrolment,
                            observed_on=today - dt.timedelta(days=rng.randint(0, 60)),
                            jobs_women=rng.choice((0, 0, 1, 1, 2)),
                            jobs_men=rng.choice((0, 0, 1, 2)),
                            jobs_non_binary=rng.choice((0,) * 9 + (1,)),
                            revenue=Decimal(rng.randrange(0, 4_000_000)) / 100,
                            funds_raised=Decimal(rng.choice((0, 0, 5000, 10000, 25000))),
                            source=rng.choice(
                                (OutcomeSource.SELF_DECLARATION, OutcomeSource.ADMINISTRATIVE, OutcomeSource.SURVEY)
                            ),
                        )
                    )
        _insert(ParticipantEntryData, entry, self.counts)
        _insert(ParticipantResult, results, self.counts)
        _insert(VentureOutcome, outcomes, self.counts)
        _insert(LegalFormChange, forms, self.counts)

    # -- the path -----------------------------------------------------------------------

    def _milestones(self, cohorts: list[_Cohort], templates, tutor_users) -> None:
        """Each enrolment's plan from the templates (not the crowdfunding step: admitted
        ventures are on the grant track); past deadlines mostly achieved and verified."""
        rng, today = self.rng, self.today
        rows = []
        for c in cohorts:
            for enrolment in c.enrolments:
                upcoming_seen = False
                for template in templates:
                    if template.crowdfunding_only:
                        continue
                    due = add_months(enrolment.starts_on, template.offset_months)
                    milestone = Milestone(
                        enrolment=enrolment,
                        template=template,
                        title=template.title,
                        description=template.description,
                        evidence_required=template.evidence_required,
                        order=template.order,
                        due_on=due,
                    )
                    withdrawn = enrolment.status == EnrolmentStatus.WITHDRAWN
                    if withdrawn and due > enrolment.exited_on:
                        milestone.state = MilestoneState.WAIVED
                        milestone.waiver_reason = "Uscita anticipata dal percorso."
                    elif due < today:
                        draw = rng.random()
                        if draw < 0.78:
                            milestone.state = MilestoneState.ACHIEVED
                            milestone.achieved_on = max(
                                enrolment.starts_on, due - dt.timedelta(days=rng.randint(0, 20))
                            )
                            milestone.verified_by = rng.choice(tutor_users)
                            milestone.verified_at = _at(min(today, milestone.achieved_on + dt.timedelta(days=3)), 12)
                            if template.evidence_required:
                                milestone.evidence_url = (
                                    f"https://documenti.example.org/percorsi/{enrolment.pk}/{template.order}"
                                )
                        elif draw < 0.85:
                            milestone.state = MilestoneState.MISSED
                        else:
                            milestone.state = MilestoneState.IN_PROGRESS
                    elif not upcoming_seen:
                        upcoming_seen = True
                        milestone.state = MilestoneState.IN_PROGRESS if rng.random() < 0.4 else MilestoneState.PLANNED
                    rows.append(milestone)
        _insert(Milestone, rows, self.counts)

    # -- training -----------------------------------------------------------------------

    def _sessions(self, cohorts: list[_Cohort], city: str, code: str) -> None:
        """Modules sized to the sessions that teach them; sessions on weekdays through the
        cohort's 18 months, in the hub or online for the e-learning modules."""
        rng, plan = self.rng, self.plan
        total_hours = sum(hours for _title, hours, _mode in DEFAULT_MODULES)
        for n_cohort, c in enumerate(cohorts):
            outreach = max(1, plan.sessions_per_cohort // 25)
            teaching = plan.sessions_per_cohort - outreach
            shares = [max(1, round(teaching * hours / total_hours)) for _t, hours, _m in DEFAULT_MODULES]
            while sum(shares) > teaching and max(shares) > 1:
                shares[shares.index(max(shares))] -= 1
            shares[-1] += max(0, teaching - sum(shares))
            modules = _insert(
                CurriculumModule,
                [
                    CurriculumModule(
                        cohort=c.cohort, title=str(title), planned_hours=Decimal(share * 2), mode=mode, order=order
                    )
                    for order, ((title, _hours, mode), share) in enumerate(
                        zip(DEFAULT_MODULES, shares, strict=True), start=1
                    )
                ],
                self.counts,
            )
            slots = [m for m, share in zip(modules, shares, strict=True) for _ in range(share)]
            # Outreach events are spread through the calendar, not bunched at the end.
            step = max(1, plan.sessions_per_cohort // outreach)
            kinds = [
                None if k % step == step - 1 and k // step < outreach else "t" for k in range(plan.sessions_per_cohort)
            ]
            slots_iter = iter(slots)
            per_day: dict[dt.date, int] = {}
            sessions, trainer_rows = [], []
            for k, day in enumerate(self._session_days(c.cohort.starts_on)):
                module = next(slots_iter, None) if kinds[k] else None
                order_in_day = per_day.get(day, 0)
                per_day[day] = order_in_day + 1
                hour, minute = ((9, 30), (14, 30), (17, 0))[min(order_in_day, 2)]
                minutes = rng.choice(SESSION_MINUTES) if order_in_day < 2 else 60
                starts_at = _at(day, hour, minute)
                online = module is not None and module.mode == ModuleMode.E_LEARNING
                index = module.order if module is not None else 0
                session = TrainingSession(
                    cohort=c.cohort,
                    module=module,
                    kind=TrainingSession.Kind.TRAINING if module else TrainingSession.Kind.OUTREACH,
                    topic=rng.choice(cohorts_demo.TOPICS[index])
                    if module
                    else f"Incontro pubblico: le idee della coorte a {city}",
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=minutes),
                    place="" if online else f"{city}, hub del programma – aula {1 + n_cohort % 4}",
                    online_url=f"https://aula.example.org/{code.lower()}/{c.cohort.pk}" if online else "",
                )
                if rng.random() < 0.02:
                    session.cancelled_at = min(self.now, starts_at - dt.timedelta(days=2))
                    session.cancellation_reason = "Aula non disponibile: lezione da recuperare."
                sessions.append(session)
            c.sessions = _insert(TrainingSession, sessions, self.counts)
            through = TrainingSession.trainers.through
            for k, session in enumerate(c.sessions):
                lead = c.trainers[(n_cohort + k) % len(c.trainers)]
                trainer_rows.append(through(trainingsession_id=session.pk, user_id=lead.pk))
                if rng.random() < 0.1:
                    second = c.trainers[(n_cohort + k + 1) % len(c.trainers)]
                    if second.pk != lead.pk:
                        trainer_rows.append(through(trainingsession_id=session.pk, user_id=second.pk))
            c.session_trainer = {row.trainingsession_id: row.user_id for row in reversed(trainer_rows)}
            _insert(through, trainer_rows, self.counts)

    def _marks(self, cohorts: list[_Cohort]) -> None:
        _stream(Attendance, self._mark_rows(cohorts), self.counts)

    def _mark_rows(self, cohorts: list[_Cohort]) -> Iterator[Attendance]:
        """The registers of the held sessions: the roster of the day (the people of the
        running enrolments, as ``session_roster``), the most regular people marked first,
        with the trainer who ran the session as the one who marked them."""
        rng, now, share = self.rng, self.now, self.mark_share
        statuses, weights = zip(*MARK_STATUSES, strict=True)
        for c in cohorts:
            regular = {pk: rng.uniform(0.35, 1.0) for team in c.teams.values() for pk in team}
            for session in c.sessions:
                if session.cancelled_at is not None or session.ends_at > now:
                    continue
                day = timezone.localdate(session.starts_at)
                roster = [
                    pk
                    for e in c.enrolments
                    if e.starts_on <= day <= e.ends_on and (e.exited_on is None or e.exited_on >= day)
                    for pk in c.teams[e.pk]
                ]
                if not roster:
                    continue
                wanted = min(len(roster), math.ceil(share * len(roster)))
                chosen = sorted(roster, key=lambda pk: regular[pk] + rng.random() * 0.6, reverse=True)[:wanted]
                length = round((session.ends_at - session.starts_at).total_seconds() / 60)
                marked_at = session.ends_at + dt.timedelta(minutes=rng.randint(5, 600))
                for person_id in sorted(chosen):
                    status = rng.choices(statuses, weights=weights)[0]
                    yield Attendance(
                        session_id=session.pk,
                        person_id=person_id,
                        status=status,
                        minutes_attended=rng.randint(30, length - 15) if status == AttendanceStatus.PARTIAL else None,
                        note="Certificato medico"
                        if status == AttendanceStatus.JUSTIFIED and rng.random() < 0.3
                        else "",
                        marked_by_id=c.session_trainer[session.pk],
                        marked_at=min(marked_at, now),
                    )

    # -- mentoring ----------------------------------------------------------------------

    def _mentoring(self, programme, cohorts: list[_Cohort], tutor_users: list[User]) -> None:
        """Lead tutors of ten ventures of one cohort each, meeting each venture weekly at
        its own weekday and hour (so a tutor's sessions never overlap) through a year."""
        rng, plan, now = self.rng, self.plan, self.now
        bands = _insert(
            UnitCostBand,
            [
                UnitCostBand(programme=programme, code=code, label=label, hourly_rate=rate)
                for code, label, rate in mentoring_demo.BANDS
            ],
            self.counts,
        )
        profiles = _insert(
            TutorProfile,
            [
                TutorProfile(
                    programme=programme,
                    user=user,
                    expertise=rng.sample(list(Theme.values) + mentoring_demo.NEEDS, 4),
                    languages=["it", "en"] if rng.random() < 0.6 else ["it"],
                    capacity=plan.ventures_per_tutor + 2,
                    kind=rng.choice((TutorKind.INTERNAL, TutorKind.EXTERNAL)),
                    unit_cost_band=rng.choice(bands),
                )
                for user in tutor_users
            ],
            self.counts,
        )
        profile_of_user = {p.user_id: p for p in profiles}
        band_rate = {b.pk: b.hourly_rate for b in bands}
        weeks = plan.tutoring_per_enrolment
        # Fewer sessions (a small build) are spread over the same year, so that a cohort
        # that began months ago still has tutoring in the calendar feed's window.
        every = max(1, round(Plan.tutoring_per_enrolment / weeks))
        assignments, plan_rows = [], []
        tutor_iter = iter(tutor_users)
        for c in cohorts:
            for group in itertools.batched(c.enrolments, plan.ventures_per_tutor):
                profile = profile_of_user[next(tutor_iter).pk]
                for slot, enrolment in enumerate(group):
                    ends_on = enrolment.starts_on + dt.timedelta(days=7 * every * weeks + 6)
                    if enrolment.exited_on is not None:
                        ends_on = min(ends_on, enrolment.exited_on)
                    assignment = Assignment(
                        tutor=profile,
                        enrolment=enrolment,
                        role=AssignmentRole.LEAD,
                        starts_on=enrolment.starts_on,
                        ends_on=ends_on,
                        hours_budget=Decimal("80.00"),
                    )
                    assignments.append(assignment)
                    plan_rows.append((assignment, profile, slot, c.teams[enrolment.pk]))
        _insert(Assignment, assignments, self.counts)
        sessions, present = [], []
        activities = list(mentoring_demo.TOPICS)
        for assignment, profile, slot, team in plan_rows:
            first = _monday(assignment.starts_on) + dt.timedelta(days=slot % 5)
            if first < assignment.starts_on:
                first += dt.timedelta(days=7)
            hour = TUTORING_HOURS[(slot // 5) % len(TUTORING_HOURS)]
            for week in range(weeks):
                day = first + dt.timedelta(days=7 * every * week)
                if day > assignment.ends_on:
                    break
                minutes = rng.choice(TUTORING_MINUTES)
                starts_at = _at(day, hour)
                activity = rng.choice(activities)
                held = starts_at + dt.timedelta(minutes=minutes) <= now
                session = TutoringSession(
                    assignment=assignment,
                    tutor=profile,
                    starts_at=starts_at,
                    minutes=minutes,
                    ends_at=starts_at + dt.timedelta(minutes=minutes),
                    mode=rng.choice(
                        (SessionMode.IN_PERSON, SessionMode.IN_PERSON, SessionMode.REMOTE, SessionMode.PHONE)
                    ),
                    activity=activity,
                    topics=rng.choice(mentoring_demo.TOPICS[activity]),
                    shared_notes=rng.choice(mentoring_demo.SHARED_NOTES) if held else "",
                    hourly_rate=band_rate[profile.unit_cost_band_id],
                    author=profile.user,
                )
                sessions.append(session)
                if held:
                    present.append((session, rng.sample(team, min(len(team), rng.randint(1, 2)))))
        _insert(TutoringSession, sessions, self.counts)
        through = TutoringSession.participants_present.through
        _insert(
            through,
            (through(tutoringsession_id=s.pk, person_id=pk) for s, people in present for pk in people),
            self.counts,
        )
        _insert(
            ActionItem,
            (
                ActionItem(
                    session=s,
                    text=rng.choice(mentoring_demo.ACTIONS),
                    owner_id=people[0],
                    due_on=timezone.localdate(s.starts_at) + dt.timedelta(days=14),
                    done_at=s.starts_at + dt.timedelta(days=10) if s.starts_at + dt.timedelta(days=10) <= now else None,
                )
                for s, people in present
                if rng.random() < 0.2
            ),
            self.counts,
        )
