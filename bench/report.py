# ruff: noqa: S608 - the floor is hand-written SQL by design; every value is a bound parameter or a constant of ours
"""The cohort report (``cohorts.reports.cohort_report``) against a hand-written set of
aggregate SQL queries computing the same sections from the same tables: the funnel,
training (sessions, marks, months, every participant's completion), tutoring (by rate,
venture, tutor, month), milestones, funding, venture outcomes, the ESF+ output and result
indicators by gender and the unit costs. The floor fetches every figure and works out
only what the report itself derives from it in Python (completion per participant).

The two are checked against each other on their headline figures, so the floor cannot be
faster by computing less: a mismatch is printed."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count

from bench.common import Settings, Table, fmt_ms, fmt_ratio, median_ms, ratio, recording, verdict
from cohorts.models import Attendance, AttendanceStatus, Cohort, CohortEnrolment, TrainingSession
from cohorts.reports.figures import AWARDED_STATES, cohort_report, report_scope
from cohorts.reports.indicators import EXIT_INDICATORS, OUTPUT_INDICATORS
from incubator import access
from incubator.funding.models import CrowdfundingCampaign, Grant, Tranche
from incubator.models import AuditEvent, LegalFormChange, Person, TeamMember, Venture
from incubator.participants.models import ParticipantEntryData, ParticipantResult, TrainingUnitCost, VentureOutcome
from incubator.path.models import Enrolment, Milestone
from incubator.path.selectors import OPEN_STATES
from incubator.selection.models import Application, ApplicationState
from mentoring.models import Assignment, TutoringSession, TutorProfile

GOAL = 2.0
T = {
    m.__name__: m._meta.db_table
    for m in (
        Application,
        Attendance,
        AuditEvent,
        CohortEnrolment,
        CrowdfundingCampaign,
        Enrolment,
        Grant,
        LegalFormChange,
        Milestone,
        ParticipantEntryData,
        ParticipantResult,
        Person,
        TeamMember,
        TrainingSession,
        TrainingUnitCost,
        Tranche,
        Assignment,
        TutoringSession,
        TutorProfile,
        Venture,
        VentureOutcome,
    )
}


def _in(values) -> str:
    return "(" + ", ".join(["%s"] * len(values)) + ")"


def _quoted(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


class _Dialect:
    """What plain SQL cannot say the same way on both databases."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"

    def local_date(self, column: str) -> str:
        if self.pg:
            return f"(({column}) AT TIME ZONE 'Europe/Rome')::date"
        return f"django_datetime_cast_date({column}, 'Europe/Rome', 'UTC')"

    def local_month(self, column: str) -> str:
        if self.pg:
            return f"to_char(({column}) AT TIME ZONE 'Europe/Rome', 'YYYY-MM')"
        return f"substr(django_datetime_cast_date({column}, 'Europe/Rome', 'UTC'), 1, 7)"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"MAX({a}, {b})"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"

    def year(self, column: str) -> str:
        return f"EXTRACT(YEAR FROM {column})" if self.pg else f"CAST(strftime('%%Y', {column}) AS integer)"

    def month_day(self, column: str) -> str:
        """MMDD as a number, to compare birthdays."""
        if self.pg:
            return f"(EXTRACT(MONTH FROM {column}) * 100 + EXTRACT(DAY FROM {column}))"
        return f"CAST(strftime('%%m%%d', {column}) AS integer)"


@dataclass
class Floor:
    figures: dict[str, Any]
    rows: int


def hand_written(scope) -> Floor:
    """The report's figures by hand-written SQL: one statement per section."""
    d = _Dialect()
    cohorts, calls, at, today = scope.cohort_ids, scope.call_ids, scope.at, scope.today
    c_in, k_in = _in(cohorts), _in(calls)
    held = "s.kind = 'training' AND s.cancelled_at IS NULL AND s.ends_at <= %s"
    s = ApplicationState
    after_check = _quoted([s.ELIGIBLE, s.UNDER_EVALUATION, s.EVALUATED, s.ADMITTED, s.WAITLISTED, s.REJECTED])
    after_eval = _quoted([s.EVALUATED, s.ADMITTED, s.WAITLISTED, s.REJECTED])
    audit = (
        f"EXISTS (SELECT 1 FROM {T['AuditEvent']} ev JOIN django_content_type ct ON ct.id = ev.target_type_id "
        "WHERE ct.app_label = 'incubator' AND ct.model = 'application' AND ev.target_id = a.id AND ev.verb = '{verb}')"
    )
    was_eligible = audit.format(verb="application.eligible")
    was_evaluated = audit.format(verb="application.evaluated")
    enrolled = f"SELECT ce.enrolment_id FROM {T['CohortEnrolment']} ce WHERE ce.cohort_id IN {c_in}"  # params: cohorts
    members = (
        f"SELECT DISTINCT tm.person_id FROM {T['TeamMember']} tm JOIN {T['Application']} ap ON ap.venture_id = "
        f"tm.venture_id JOIN {T['Enrolment']} e ON e.application_id = ap.id WHERE e.id IN ({enrolled})"
    )
    statements: list[tuple[str, str, list]] = []
    add = statements.append
    add(
        (
            "funnel",
            "SELECT "
            + ", ".join(
                [
                    _count("a.submitted_at IS NOT NULL"),
                    _count(f"a.state IN {after_check} OR (a.state = 'withdrawn' AND {was_eligible})"),
                    _count(f"a.state IN {after_eval} OR (a.state = 'withdrawn' AND {was_evaluated})"),
                    _count("a.state = 'admitted'"),
                    _count("a.state = 'ineligible'"),
                    _count("a.state = 'waitlisted'"),
                    _count("a.state = 'rejected'"),
                    _count("a.state = 'withdrawn' AND a.submitted_at IS NOT NULL"),
                    _count(f"a.crowdfunding_referral = {'true' if d.pg else '1'}"),
                ]
            )
            + f" FROM {T['Application']} a WHERE a.call_id IN {k_in}",
            calls,
        )
    )
    add(
        (
            "paths",
            "SELECT COUNT(*), "
            + ", ".join(_count(f"e.status = '{x}'") for x in ("completed", "withdrawn", "active", "suspended"))
            + f" FROM {T['Enrolment']} e WHERE e.id IN ({enrolled})",
            cohorts,
        )
    )
    add(
        (
            "sessions",
            "SELECT "
            + ", ".join(
                [
                    _count(f"{held} AND s.kind = 'training'"),
                    _count("s.cancelled_at IS NOT NULL"),
                    _count("s.cancelled_at IS NULL AND s.ends_at > %s"),
                    _count("s.kind = 'outreach' AND s.cancelled_at IS NULL AND s.ends_at <= %s"),
                    f"COALESCE(SUM(CASE WHEN {held} THEN s.duration_minutes ELSE 0 END), 0)",
                ]
            )
            + f" FROM {T['TrainingSession']} s WHERE s.cohort_id IN {c_in}",
            [at, at, at, at, *cohorts],
        )
    )
    attended = (
        "CASE WHEN a.status = 'present' THEN s.duration_minutes "
        "WHEN a.status = 'partial' THEN a.minutes_attended ELSE 0 END"
    )
    add(
        (
            "marks",
            f"SELECT COALESCE(SUM({attended}), 0), "
            + ", ".join(_count(f"a.status = '{x}'") for x in AttendanceStatus.values)
            + f" FROM {T['Attendance']} a JOIN {T['TrainingSession']} s ON s.id = a.session_id "
            f"WHERE s.cohort_id IN {c_in} AND {held}",
            [*cohorts, at],
        )
    )
    add(
        (
            "training_months",
            f"SELECT {d.local_month('s.starts_at')} AS month, SUM(s.duration_minutes) FROM {T['TrainingSession']} s "
            f"WHERE s.cohort_id IN {c_in} AND {held} GROUP BY 1 ORDER BY 1",
            [*cohorts, at],
        )
    )
    window_start = d.greatest("e.starts_on", "COALESCE(tm.joined_on, e.starts_on)")
    window_end = d.least("COALESCE(e.exited_on, e.ends_on)", "COALESCE(tm.left_on, e.ends_on)")
    add(
        (
            "completion",
            f"""WITH m AS (
                SELECT ce.cohort_id, tm.person_id, e.id AS enrolment_id,
                    {window_start} AS w_start, {window_end} AS w_end
                FROM {T["CohortEnrolment"]} ce JOIN {T["Enrolment"]} e ON e.id = ce.enrolment_id
                JOIN {T["Application"]} ap ON ap.id = e.application_id
                JOIN {T["TeamMember"]} tm ON tm.venture_id = ap.venture_id
                WHERE ce.cohort_id IN {c_in}
            ), h AS MATERIALIZED (
                SELECT s.id, s.cohort_id, s.duration_minutes, {d.local_date("s.starts_at")} AS day
                FROM {T["TrainingSession"]} s WHERE s.cohort_id IN {c_in} AND {held}
            ), sched AS (
                SELECT m.cohort_id, m.person_id, m.enrolment_id,
                    COUNT(h.id) AS n, COALESCE(SUM(h.duration_minutes), 0) AS mins
                FROM m LEFT JOIN h ON h.cohort_id = m.cohort_id AND h.day BETWEEN m.w_start AND m.w_end
                GROUP BY m.cohort_id, m.person_id, m.enrolment_id
            ), marked AS (
                SELECT m.cohort_id, m.person_id, m.enrolment_id,
                    SUM(CASE WHEN a.status = 'present' THEN h.duration_minutes
                             WHEN a.status = 'partial' THEN a.minutes_attended ELSE 0 END) AS attended,
                    SUM(CASE WHEN a.status = 'justified' THEN h.duration_minutes ELSE 0 END) AS justified
                FROM m JOIN h ON h.cohort_id = m.cohort_id AND h.day BETWEEN m.w_start AND m.w_end
                JOIN {T["Attendance"]} a ON a.session_id = h.id AND a.person_id = m.person_id
                GROUP BY m.cohort_id, m.person_id, m.enrolment_id
            )
            SELECT sched.cohort_id, sched.person_id, sched.enrolment_id, sched.n, sched.mins,
                COALESCE(marked.attended, 0), COALESCE(marked.justified, 0)
            FROM sched LEFT JOIN marked ON marked.cohort_id = sched.cohort_id
                AND marked.person_id = sched.person_id AND marked.enrolment_id = sched.enrolment_id""",
            [*cohorts, *cohorts, at],
        )
    )

    def tutoring(joins: str = "") -> str:
        # Held sessions only (ended by the report's moment), as TutoringSessionQuerySet.held.
        return (
            f"FROM {T['TutoringSession']} t JOIN {T['Assignment']} asg ON asg.id = t.assignment_id {joins} "
            f"WHERE asg.enrolment_id IN ({enrolled}) AND t.ends_at <= %s"
        )

    venture_joins = (
        f"JOIN {T['Enrolment']} e ON e.id = asg.enrolment_id JOIN {T['Application']} ap ON ap.id = e.application_id "
        f"JOIN {T['Venture']} v ON v.id = ap.venture_id"
    )
    tutor_joins = f"JOIN {T['TutorProfile']} tp ON tp.id = t.tutor_id JOIN incubator_user u ON u.id = tp.user_id"
    add(
        (
            "tutoring_rates",
            f"SELECT t.hourly_rate, COUNT(*), SUM(t.minutes) {tutoring()} GROUP BY t.hourly_rate",
            [*cohorts, at],
        )
    )
    add(
        (
            "tutoring_ventures",
            f"SELECT v.id, v.title, COUNT(*), SUM(t.minutes) {tutoring(venture_joins)} GROUP BY v.id, v.title "
            "ORDER BY v.title, v.id",
            [*cohorts, at],
        )
    )
    add(
        (
            "tutoring_tutors",
            "SELECT tp.id, u.first_name, u.last_name, u.username, t.hourly_rate, COUNT(*), SUM(t.minutes) "
            f"{tutoring(tutor_joins)} GROUP BY tp.id, u.first_name, u.last_name, u.username, t.hourly_rate",
            [*cohorts, at],
        )
    )
    add(
        (
            "tutoring_months",
            f"SELECT {d.local_month('t.starts_at')}, COUNT(*), SUM(t.minutes) {tutoring()} GROUP BY 1 ORDER BY 1",
            [*cohorts, at],
        )
    )
    open_states = _quoted(OPEN_STATES)
    add(
        (
            "milestones",
            "SELECT COUNT(*), "
            + _count(f"m.state IN {open_states} AND m.due_on < %s")
            + ", "
            + _count("m.due_on <= %s AND m.state <> 'waived'")
            + ", "
            + ", ".join(_count(f"m.state = '{x}'") for x in ("planned", "in_progress", "achieved", "missed", "waived"))
            + f" FROM {T['Milestone']} m WHERE m.enrolment_id IN ({enrolled})",
            [today, today, *cohorts],
        )
    )
    add(
        (
            "milestone_templates",
            "SELECT m.template_id, m.title, COUNT(*), "
            + _count("m.state = 'achieved'")
            + ", "
            + _count(f"m.state IN {open_states} AND m.due_on < %s")
            + f" FROM {T['Milestone']} m WHERE m.enrolment_id IN ({enrolled}) GROUP BY m.template_id, m.title",
            [today, *cohorts],
        )
    )
    grants = (
        f"FROM {T['Grant']} g JOIN {T['Enrolment']} e ON e.application_id = g.application_id WHERE e.id IN ({enrolled})"
    )
    add(
        (
            "grants",
            "SELECT "
            + _count("g.state = 'proposed'")
            + ", "
            + _count(f"g.state IN {_quoted(AWARDED_STATES)}")
            + ", "
            + _count("g.state = 'revoked'")
            + f", COALESCE(SUM(CASE WHEN g.state IN {_quoted(AWARDED_STATES)} THEN g.amount ELSE 0 END), 0) {grants}",
            cohorts,
        )
    )
    add(
        (
            "tranches",
            "SELECT "
            + _count("tr.state = 'paid'")
            + ", COALESCE(SUM(CASE WHEN tr.state = 'paid' THEN tr.amount END), 0), "
            "COALESCE(SUM(CASE WHEN tr.state = 'requested' THEN tr.amount END), 0) "
            f"FROM {T['Tranche']} tr WHERE tr.grant_id IN (SELECT g.id {grants})",
            cohorts,
        )
    )
    add(
        (
            "campaigns",
            "SELECT COUNT(*), " + _count("c.matched > 0") + ", COALESCE(SUM(c.goal), 0), COALESCE(SUM(c.raised), 0), "
            f"COALESCE(SUM(c.matched), 0), COALESCE(SUM(c.backers), 0) FROM {T['CrowdfundingCampaign']} c "
            f"WHERE c.venture_id IN (SELECT ap.venture_id FROM {T['Application']} ap JOIN {T['Enrolment']} e "
            f"ON e.application_id = ap.id WHERE e.id IN ({enrolled})) OR c.venture_id IN "
            f"(SELECT a.venture_id FROM {T['Application']} a WHERE a.call_id IN {k_in} AND "
            f"a.crowdfunding_referral = {'true' if d.pg else '1'})",
            [*cohorts, *calls],
        )
    )
    add(
        (
            "legal_forms",
            "SELECT form, COUNT(*) FROM (SELECT (SELECT l.legal_form FROM "
            f"{T['LegalFormChange']} l WHERE l.venture_id = ap.venture_id ORDER BY l.effective_on DESC, l.id DESC "
            f"LIMIT 1) AS form FROM {T['Enrolment']} e JOIN {T['Application']} ap ON ap.id = e.application_id "
            f"WHERE e.id IN ({enrolled})) forms GROUP BY form",
            cohorts,
        )
    )
    add(
        (
            "outcomes",
            "SELECT COUNT(o.id), COALESCE(SUM(o.jobs_women), 0), COALESCE(SUM(o.jobs_men), 0), "
            "COALESCE(SUM(o.jobs_non_binary), 0), COALESCE(SUM(o.revenue), 0), COALESCE(SUM(o.funds_raised), 0) "
            f"FROM {T['VentureOutcome']} o WHERE o.enrolment_id IN ({enrolled})",
            cohorts,
        )
    )
    age = (
        f"({d.year('x.entered_on')} - {d.year('x.birth_date')} - "
        f"CASE WHEN {d.month_day('x.entered_on')} < {d.month_day('x.birth_date')} THEN 1 ELSE 0 END)"
    )
    output = [_count("TRUE" if d.pg else "1"), _count(f"x.victim_of_violence = {'true' if d.pg else '1'}")]
    for condition in _indicator_sql(OUTPUT_INDICATORS, d, age):
        output.append(_count(condition))
        output += [_count(f"({condition}) AND x.gender = '{g}'") for g in ("female", "male", "non_binary")]
    add(
        (
            "output_indicators",
            f"SELECT {', '.join(output)} FROM {T['Person']} p LEFT JOIN {T['ParticipantEntryData']} x "
            f"ON x.person_id = p.id WHERE p.id IN ({members})",
            cohorts,
        )
    )
    results = [_count("r.timing = 'exit'"), _count("r.timing = 'six_months'")]
    for condition in _indicator_sql(EXIT_INDICATORS, d, age):
        results.append(_count(condition))
        results += [_count(f"({condition}) AND x.gender = '{g}'") for g in ("female", "male", "non_binary")]
    add(
        (
            "result_indicators",
            f"SELECT {', '.join(results)} FROM {T['ParticipantResult']} r LEFT JOIN {T['ParticipantEntryData']} x "
            f"ON x.person_id = r.person_id WHERE r.person_id IN ({members}) AND r.enrolment_id IN ({enrolled})",
            [*cohorts, *cohorts],
        )
    )
    add(
        (
            "unit_costs",
            f"SELECT course_hour_rate, participant_hour_rate FROM {T['TrainingUnitCost']} WHERE programme_id = %s",
            [scope.programme.pk],
        )
    )
    fetched: dict[str, list[tuple]] = {}
    with connection.cursor() as cursor:
        for name, sql, params in statements:
            cursor.execute(sql, params)
            fetched[name] = cursor.fetchall()
    return Floor(figures=_figures(fetched, scope), rows=sum(len(rows) for rows in fetched.values()))


def _indicator_sql(indicators, d: _Dialect, age: str) -> list[str]:
    """The report's indicator conditions (Django Q objects) as SQL on the aliases above."""
    out = []
    for key, _label, _q in indicators:
        out.append(_INDICATOR_SQL[key](d, age))
    return out


def _b(d: _Dialect) -> str:
    return "true" if d.pg else "1"


_INDICATOR_SQL: dict[str, Callable[[_Dialect, str], str]] = {
    "unemployed": lambda d, age: "x.labour_status IN ('unemployed', 'long_term_unemployed')",
    "long_term_unemployed": lambda d, age: "x.labour_status = 'long_term_unemployed'",
    "inactive": lambda d, age: "x.labour_status = 'inactive'",
    "employed": lambda d, age: "x.labour_status = 'employed'",
    "under_18": lambda d, age: f"{age} < 18",
    "age_18_29": lambda d, age: f"{age} >= 18 AND {age} < 30",
    "age_30_54": lambda d, age: f"{age} >= 30 AND {age} < 55",
    "age_55_plus": lambda d, age: f"{age} >= 55",
    "isced_0_2": lambda d, age: "x.isced = 'isced_0_2'",
    "isced_3_4": lambda d, age: "x.isced = 'isced_3_4'",
    "isced_5_8": lambda d, age: "x.isced = 'isced_5_8'",
    "disability": lambda d, age: "x.disability = 'yes'",
    "third_country": lambda d, age: f"x.third_country_national = {_b(d)}",
    "foreign_background": lambda d, age: f"x.foreign_background = {_b(d)}",
    "minority": lambda d, age: "x.minority = 'yes'",
    "homeless": lambda d, age: f"x.homeless = {_b(d)}",
    "rural": lambda d, age: f"x.rural = {_b(d)}",
    "disability_refused": lambda d, age: "x.disability = 'refused'",
    "minority_refused": lambda d, age: "x.minority = 'refused'",
    "participants": lambda d, age: "x.id IS NOT NULL",
    "exit_job_searching": lambda d, age: f"r.timing = 'exit' AND r.job_searching = {_b(d)}",
    "exit_in_education": lambda d, age: f"r.timing = 'exit' AND r.in_education = {_b(d)}",
    "exit_qualification": lambda d, age: f"r.timing = 'exit' AND r.qualification_gained = {_b(d)}",
    "exit_employed": lambda d, age: f"r.timing = 'exit' AND r.employed = {_b(d)}",
    "six_months_employed": lambda d, age: f"r.timing = 'six_months' AND r.employed = {_b(d)}",
    "six_months_better_situation": lambda d, age: f"r.timing = 'six_months' AND r.better_situation = {_b(d)}",
}


def _figures(fetched: dict[str, list[tuple]], scope) -> dict[str, Any]:
    """The headline figures the two computations must agree on."""
    thresholds = {c.pk: c.completion_threshold for c in scope.cohorts}
    with_figure = completed = 0
    for cohort_id, _person, _enrolment, _n, minutes, attended, justified in fetched["completion"]:
        counted = minutes - justified
        if counted > 0:
            with_figure += 1
            completed += Decimal(attended) * 100 >= thresholds[cohort_id] * counted
    funnel, paths, sessions = fetched["funnel"][0], fetched["paths"][0], fetched["sessions"][0]
    output = fetched["output_indicators"][0]
    return {
        "applications": funnel[0] or 0,
        "admitted": funnel[3] or 0,
        "enrolled": paths[0],
        "sessions held": sessions[0] or 0,
        "minutes delivered": sessions[4] or 0,
        "participant minutes": fetched["marks"][0][0],
        "participants with a figure": with_figure,
        "completed": completed,
        "tutoring sessions": sum(row[1] for row in fetched["tutoring_rates"]),
        "tutoring minutes": sum(row[2] for row in fetched["tutoring_rates"]),
        "milestones": fetched["milestones"][0][0],
        "overdue milestones": fetched["milestones"][0][1] or 0,
        "participants": output[0] or 0,
        "with entry data": output[-4] or 0,
    }


def _report_figures(report) -> dict[str, Any]:
    return {
        "applications": report.funnel.applications,
        "admitted": report.funnel.admitted,
        "enrolled": report.funnel.enrolled,
        "sessions held": report.training.sessions_held,
        "minutes delivered": report.training.minutes_delivered,
        "participant minutes": report.training.participant_minutes,
        "participants with a figure": report.training.participants_with_figure,
        "completed": report.training.completed,
        "tutoring sessions": report.tutoring.sessions,
        "tutoring minutes": report.tutoring.minutes,
        "milestones": report.milestones.total,
        "overdue milestones": report.milestones.overdue,
        "participants": report.participants,
        "with entry data": report.participants - report.participants_without_entry_data,
    }


def _largest_cohort(user) -> Cohort | None:
    visible = access.visible(user, Cohort)
    best = (
        Attendance.objects.filter(session__cohort__in=visible.values("pk"))
        .values("session__cohort")
        .annotate(n=Count("pk"))
        .order_by("-n", "session__cohort")
        .first()
    )
    if best is None:
        return visible.select_related("programme").order_by("pk").first()
    return Cohort.objects.select_related("programme").get(pk=best["session__cohort"])


def run(settings: Settings, out: Callable[[str], None]) -> dict[str, float]:
    out(f"Cohort report (cohorts.reports) against a hand-written aggregate SQL query set. Goal: at most {GOAL:.0f}x.")
    cohort = _largest_cohort(settings.user)
    if cohort is None:
        out("No cohort visible: nothing to measure.")
        return {}
    table = Table(("what", 52), ("queries", 7), ("report ms", 9), ("floor ms", 8), ("ratio", 7), ("", 9))
    figures = {}
    for label, scope in (
        (f"one cohort ({cohort.name}, the most marks)", report_scope(programme=cohort.programme, cohort=cohort)),
        (f"a programme ({cohort.programme.code}, all its cohorts)", report_scope(programme=cohort.programme)),
    ):
        with recording() as recorder:
            report = cohort_report(scope)
        floor = hand_written(scope)
        mine, theirs = _report_figures(report), floor.figures
        report_ms = median_ms(lambda scope=scope: cohort_report(scope), settings.repeat)
        floor_ms = median_ms(lambda scope=scope: hand_written(scope), settings.repeat)
        figures[label] = ratio(report_ms, floor_ms)
        table.add(
            label,
            recorder.count,
            fmt_ms(report_ms),
            fmt_ms(floor_ms),
            fmt_ratio(figures[label]),
            verdict(figures[label] <= GOAL),
        )
        mismatches = [f"{k}: report {mine[k]} / SQL {theirs[k]}" for k in mine if mine[k] != theirs[k]]
        if mismatches:
            out(f"  {label}: figures differ - " + "; ".join(mismatches))
    out(str(table))
    out(
        "Both computations agree on: " + ", ".join(_report_figures(report)) + " (else the difference is printed above)."
    )
    return figures
