"""Who sees what of mentoring (registered in ``incubator.access``; see DESIGN.md "Roles").

- coordinators: everything of their programmes;
- tutors: the enrolments assigned to them (and those enrolments' ventures, team members
  and milestones, added to incubator's rules below), every session of those enrolments,
  but only their own sessions' private notes;
- participants: their own venture's sessions and action items. No rule here grants
  them ``TutoringSessionPrivateNote``, ``Assignment``, ``TutorProfile`` or timesheets.

A tutor keeps sight only while they hold the tutor role in the programme."""

from django.db.models import Q, QuerySet

from incubator.access import coordinated, own_venture_ids, programmes, rule
from incubator.models import Role, TeamMember, Venture
from incubator.path.models import Enrolment, Milestone
from mentoring.models import (
    ActionItem,
    Assignment,
    TutorConflict,
    TutoringSession,
    TutoringSessionPrivateNote,
    TutorProfile,
    UnitCostBand,
    VentureNeeds,
)


def tutoring(user) -> frozenset[int]:
    return programmes(user, Role.TUTOR)


def assigned_enrolment_ids(user) -> QuerySet:
    """Enrolments the user tutors (any assignment, past ones included: their sessions
    and timesheets still name the venture)."""
    return Assignment.objects.filter(tutor__user=user, tutor__programme__in=tutoring(user)).values("enrolment_id")


def assigned_venture_ids(user) -> QuerySet:
    return Assignment.objects.filter(tutor__user=user, tutor__programme__in=tutoring(user)).values(
        "enrolment__application__venture_id"
    )


# --- mentoring models ----------------------------------------------------------------


@rule(UnitCostBand)
def _unit_cost_band(user) -> Q:
    own = TutorProfile.objects.filter(user=user, programme__in=tutoring(user)).values("unit_cost_band_id")
    return Q(programme__in=coordinated(user)) | Q(pk__in=own)


@rule(TutorProfile)
def _tutor_profile(user) -> Q:
    return Q(programme__in=coordinated(user)) | Q(user=user, programme__in=tutoring(user))


@rule(TutorConflict)
def _tutor_conflict(user) -> Q:
    return Q(tutor__programme__in=coordinated(user)) | Q(tutor__user=user, tutor__programme__in=tutoring(user))


@rule(VentureNeeds)
def _venture_needs(user) -> Q:
    return Q(venture__programme__in=coordinated(user)) | Q(venture__in=assigned_venture_ids(user))


@rule(Assignment)
def _assignment(user) -> Q:
    """Tutors also see their co-tutors' assignments on the same enrolment."""
    return Q(enrolment__application__call__programme__in=coordinated(user)) | Q(
        enrolment__in=assigned_enrolment_ids(user)
    )


@rule(TutoringSession)
def _tutoring_session(user) -> Q:
    return (
        Q(tutor__programme__in=coordinated(user))
        | Q(assignment__enrolment__in=assigned_enrolment_ids(user))
        | Q(assignment__enrolment__application__venture__in=own_venture_ids(user))
    )


@rule(TutoringSessionPrivateNote)
def _private_note(user) -> Q:
    """The session's own tutor and the coordinators: never a participant, never a co-tutor."""
    return Q(session__tutor__programme__in=coordinated(user)) | Q(
        session__tutor__user=user, session__tutor__programme__in=tutoring(user)
    )


@rule(ActionItem)
def _action_item(user) -> Q:
    return (
        Q(session__tutor__programme__in=coordinated(user))
        | Q(session__assignment__enrolment__in=assigned_enrolment_ids(user))
        | Q(session__assignment__enrolment__application__venture__in=own_venture_ids(user))
    )


# --- incubator models: a tutor sees what they accompany ---------------------------------


@rule(Enrolment)
def _tutor_enrolments(user) -> Q:
    return Q(pk__in=assigned_enrolment_ids(user))


@rule(Venture)
def _tutor_ventures(user) -> Q:
    return Q(pk__in=assigned_venture_ids(user))


@rule(TeamMember)
def _tutor_team_members(user) -> Q:
    return Q(venture__in=assigned_venture_ids(user))


@rule(Milestone)
def _tutor_milestones(user) -> Q:
    return Q(enrolment__in=assigned_enrolment_ids(user))
