"""The cohort report as rows per section, with the labels shown on the dashboard and in
the exports."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cohorts.reports.figures import CohortReport
from incubator.models import LegalForm

CENT = Decimal("0.01")


ZERO = Decimal("0.00")


def rows_by_section(report: CohortReport) -> dict[str, list[list[Any]]]:
    """The report as tables (a header row, then rows), one per section, for the XLSX and
    CSV exports. Labels are translated in the active language."""
    table: dict[str, list[list[Any]]] = defaultdict(list)
    f = report.funnel
    table["funnel"] = [[str(_("Step")), str(_("Number"))]] + [[str(FUNNEL_LABELS[k]), v] for k, v in f.steps()]
    table["funnel"] += [
        [str(pgettext_lazy("selection funnel", "Ineligible")), f.ineligible],
        [str(pgettext_lazy("selection funnel", "Waitlisted")), f.waitlisted],
        [str(pgettext_lazy("selection funnel", "Rejected")), f.rejected],
        [str(_("Applications withdrawn")), f.applications_withdrawn],
        [str(_("Referred to crowdfunding tutoring")), f.referred_to_crowdfunding],
    ]
    t = report.training
    table["training"] = [
        [str(_("Figure")), str(_("Value"))],
        [str(_("Training sessions held")), t.sessions_held],
        [str(_("Cancelled sessions")), t.sessions_cancelled],
        [str(_("Held before any path had started (not credited)")), t.sessions_before_enrolment],
        [str(_("Outreach events held")), t.outreach_events_held],
        [str(_("Hours delivered")), t.hours_delivered],
        [str(_("Participant-hours")), t.participant_hours],
        [str(_("Participants")), t.participants],
        [str(_("Average attendance (%)")), t.average_attendance_pct if t.average_attendance_pct is not None else ""],
        [str(_("Training completed (attendance at or above the threshold)")), t.completed],
        [str(_("Below the threshold")), t.not_completed],
        [str(_("Eligible for a grant (attendance)")), t.grant_eligible],
    ]
    for threshold in t.thresholds:
        table["training"].append(
            [
                str(_("Completion threshold (%%): %(name)s") % {"name": threshold["name"]}),
                threshold["completion_threshold"],
            ]
        )
    table["attendance_distribution"] = [[str(_("Attendance from (%)")), str(_("to (%)")), str(_("Participants"))]] + [
        [band["from"], band["to"], band["participants"]] for band in t.distribution
    ]
    table["tutoring_by_venture"] = [[str(_("Venture")), str(_("Sessions")), str(_("Hours"))]] + [
        [row["title"], row["sessions"], row["hours"]] for row in report.tutoring.per_venture
    ]
    table["tutoring_by_tutor"] = [[str(_("Tutor")), str(_("Sessions")), str(_("Hours")), str(_("Value (EUR)"))]] + [
        [row["name"], row["sessions"], row["hours"], row["value"]] for row in report.tutoring.per_tutor
    ]
    table["hours_per_month"] = [
        [str(_("Month")), str(_("Training hours")), str(_("Tutoring sessions")), str(_("Tutoring hours"))]
    ] + [[m["month"], m["training_hours"], m["tutoring_sessions"], m["tutoring_hours"]] for m in report.months]
    m = report.milestones
    table["milestones"] = [
        [str(_("Template")), str(_("Total")), str(_("Achieved")), str(_("Overdue")), str(_("Missed")), str(_("Waived"))]
    ] + [[r["title"], r["total"], r["achieved"], r["overdue"], r["missed"], r["waived"]] for r in m.by_template]
    table["milestones"].append(
        [str(_("All")), m.total, m.achieved, m.overdue, m.by_state.get("missed", 0), m.by_state.get("waived", 0)]
    )
    fu = report.funding
    table["funding"] = [
        [str(_("Figure")), str(_("Value"))],
        [str(_("Grants awarded")), fu.grants_awarded],
        [str(_("Grants awarded (EUR)")), fu.grants_awarded_amount],
        [str(_("Grants revoked")), fu.grants_revoked],
        [str(_("Tranches paid")), fu.tranches_paid],
        [str(_("Paid (EUR)")), fu.paid_amount],
        [str(_("Crowdfunding campaigns")), fu.campaigns],
        [str(_("Crowdfunding raised (EUR)")), fu.crowdfunding_raised],
        [str(_("Campaigns matched")), fu.campaigns_matched],
        [str(_("Crowdfunding matched (EUR)")), fu.crowdfunding_matched],
    ]
    v = report.ventures
    table["venture_outcomes"] = [
        [str(_("Figure")), str(_("Value"))],
        [str(_("Ventures")), v.ventures],
        [str(_("Legal entities constituted")), v.legal_entities],
        *[[str(LegalForm(form).label), count] for form, count in v.legal_forms.items()],
        [str(_("Outcomes recorded")), v.reported],
        [str(_("Jobs created: women")), v.jobs_women],
        [str(_("Jobs created: men")), v.jobs_men],
        [str(_("Jobs created: non-binary")), v.jobs_non_binary],
        [str(_("Jobs created: total")), v.jobs_total],
        [str(_("Revenue (EUR)")), v.revenue],
        [str(_("Other funds raised (EUR)")), v.funds_raised],
    ]
    gender_header = [str(_("Female")), str(_("Male")), str(_("Non-binary")), str(_("Total"))]
    table["esf_output_indicators"] = [[str(_("Indicator")), *gender_header]] + [
        [row.label, *row.cells()] for row in report.output_indicators
    ]
    table["esf_output_indicators"].append(
        [str(_("Participants without entry data")), "", "", "", report.participants_without_entry_data]
    )
    table["esf_result_indicators"] = [[str(_("Indicator")), *gender_header]] + [
        [row.label, *row.cells()] for row in report.result_indicators
    ]
    u = report.unit_costs
    table["unit_costs"] = [
        [str(_("Item")), str(_("Quantity")), str(_("Rate (EUR)")), str(_("Value (EUR)"))],
        [str(_("Course hours")), u.course_hours, u.course_hour_rate, u.training_course_value],
        [str(_("Participant-hours")), u.participant_hours, u.participant_hour_rate, u.training_participant_value],
        *[
            [
                str(_("Tutoring hours at %(rate)s EUR/h") % {"rate": r["hourly_rate"]}),
                r["hours"],
                r["hourly_rate"],
                r["value"],
            ]
            for r in u.tutoring_by_rate
        ],
        [str(_("Total")), "", "", u.total],
    ]
    return dict(table)


FUNNEL_LABELS = {
    "applications": _("Applications"),
    "eligible": pgettext_lazy("selection funnel", "Eligible"),
    "evaluated": pgettext_lazy("selection funnel", "Evaluated"),
    "admitted": pgettext_lazy("selection funnel", "Admitted"),
    "enrolled": _("Enrolled"),
    # Paths closed as completed (the enrolment's status), not the training's completion.
    "completed": pgettext_lazy("selection funnel", "Paths completed (closed)"),
    "withdrawn": pgettext_lazy("selection funnel", "Withdrawn"),
}


SECTION_TITLES = {
    "funnel": _("Selection funnel"),
    "training": _("Training"),
    "attendance_distribution": _("Attendance distribution"),
    "tutoring_by_venture": _("Tutoring by venture"),
    "tutoring_by_tutor": _("Tutoring by tutor"),
    "hours_per_month": _("Hours per month"),
    "milestones": _("Milestones"),
    "funding": _("Funding"),
    "venture_outcomes": _("Venture outcomes"),
    "esf_output_indicators": _("ESF+ output indicators"),
    "esf_result_indicators": _("ESF+ result indicators"),
    "unit_costs": _("Unit costs"),
}
