"""The attendance condition of grant eligibility, registered with ``incubator.funding.eligibility``
(``incubator`` cannot read attendance: cohorts depend on it, not the reverse).

Every participant still in the venture's team on the stage's date must have reached
the cohort's grant threshold (``Cohort.grant_threshold``, by default the call's), by
the completion rule of ``cohorts.selectors`` (attended minutes over the scheduled
minutes of the sessions held, justified absences left out)."""

from django.db.models import Q
from django.utils.translation import gettext as _

from cohorts.models import CohortEnrolment
from cohorts.selectors import attendance_by_person
from incubator.funding.eligibility import GrantCandidate, Problem, grant_check
from incubator.path.models import Enrolment

FIELD = "attendance"


def _attendance_of(row) -> str:
    if row.percent is None:
        return _("%(name)s (no training session held yet)") % {"name": row.full_name}
    return _("%(name)s %(percent)s %%") % {"name": row.full_name, "percent": row.percent}


@grant_check
def attendance_reached(candidate: GrantCandidate) -> list[Problem]:
    if not candidate.incubation:
        return []  # a measure without incubation finances grants without any training
    membership = (
        CohortEnrolment.objects.filter(enrolment__application=candidate.application).select_related("cohort").first()
    )
    if membership is None:
        if (
            candidate.application.call.procedure == "negotiation"
            and not Enrolment.objects.filter(application=candidate.application).exists()
        ):
            return []  # admitted by a negotiation's agreement: no training path, no attendance to verify
        return [
            Problem(
                "no_cohort",
                _("The venture's enrolment is in no cohort, so its attendance cannot be verified."),
                FIELD,
            )
        ]
    cohort = membership.cohort
    in_team = set(
        candidate.venture.team.filter(Q(left_on__isnull=True) | Q(left_on__gte=candidate.on)).values_list(
            "person_id", flat=True
        )
    )
    rows = [
        row
        for row in attendance_by_person(cohort)
        if row.enrolment_id == membership.enrolment_id and row.person_id in in_team
    ]
    if not rows:
        return [Problem("no_participants", _("The venture has no participant in the cohort's registers."), FIELD)]
    short = [row for row in rows if not row.grant_eligible]
    if not short:
        return []
    return [
        Problem(
            "attendance_below_threshold",
            _("Attendance below the %(threshold)s %% needed for the grant in “%(cohort)s”: %(people)s.")
            % {
                "threshold": cohort.grant_threshold,
                "cohort": cohort.name,
                "people": "; ".join(_attendance_of(row) for row in short),
            },
            FIELD,
        )
    ]
