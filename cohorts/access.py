"""Who may see the cohorts app's records (rules registered in ``incubator.access``) and
who may act on one of them. Imported from ``CohortsConfig.ready``.

- coordinators: everything in their programmes;
- trainers (the programme's ``tutor`` role): the sessions they run, those sessions'
  cohorts and modules, and the marks on those sessions' registers;
- participants: their own cohort, its modules and sessions, and only their own marks.

No rule here widens ``Person``, ``Venture`` or ``Enrolment`` for trainers: a register's
roster is derived from a session the trainer may see (``cohorts.selectors.session_roster``)
and serialised with names only, so the general people and venture endpoints (tax codes,
contacts) stay closed to them."""

from django.db.models import Q, QuerySet

from cohorts.models import Attendance, Cohort, CohortEnrolment, CurriculumModule, TrainingSession
from incubator import access
from incubator.access import coordinated, own_venture_ids, programmes, rule
from incubator.models import Role


def session_ids_run_by(user) -> QuerySet:
    return TrainingSession.trainers.through.objects.filter(user_id=user.pk).values("trainingsession_id")


def _trained(user) -> QuerySet:
    """Sessions the user runs, in programmes where they still hold the trainer role."""
    return TrainingSession.objects.filter(
        pk__in=session_ids_run_by(user), cohort__programme__in=programmes(user, Role.TUTOR)
    ).values("pk")


def own_cohort_ids(user) -> QuerySet:
    return CohortEnrolment.objects.filter(enrolment__application__venture__in=own_venture_ids(user)).values("cohort_id")


@rule(Cohort)
def _cohort(user) -> Q:
    trained_cohorts = TrainingSession.objects.filter(pk__in=_trained(user)).values("cohort_id")
    return Q(programme__in=coordinated(user)) | Q(pk__in=trained_cohorts) | Q(pk__in=own_cohort_ids(user))


@rule(CohortEnrolment)
def _cohort_enrolment(user) -> Q:
    return Q(cohort__programme__in=coordinated(user)) | Q(enrolment__application__venture__in=own_venture_ids(user))


@rule(CurriculumModule)
def _module(user) -> Q:
    return Q(cohort__in=access.visible(user, Cohort).values("pk"))


@rule(TrainingSession)
def _session(user) -> Q:
    return Q(cohort__programme__in=coordinated(user)) | Q(pk__in=_trained(user)) | Q(cohort__in=own_cohort_ids(user))


@rule(Attendance)
def _attendance(user) -> Q:
    return (
        Q(session__cohort__programme__in=coordinated(user))
        | Q(session__in=_trained(user))
        | Q(person__user_id=user.pk, person__anonymised_at__isnull=True)
    )


# --- what one user may do to one record ------------------------------------------------


def runs_session(user, session: TrainingSession) -> bool:
    return (
        session.cohort.programme_id in programmes(user, Role.TUTOR)
        and session.trainers.filter(pk=getattr(user, "pk", None)).exists()
    )


def may_take_attendance(user, session: TrainingSession) -> bool:
    """Coordinators of the programme, and the trainers who run this session."""
    return access.has_role(user, session.cohort.programme_id, Role.COORDINATOR) or runs_session(user, session)


def is_cohort_trainer(user, cohort: Cohort) -> bool:
    return (
        cohort.programme_id in programmes(user, Role.TUTOR)
        and TrainingSession.objects.filter(cohort=cohort, pk__in=session_ids_run_by(user)).exists()
    )


def is_cohort_participant(user, cohort: Cohort) -> bool:
    return CohortEnrolment.objects.filter(cohort=cohort, cohort_id__in=own_cohort_ids(user)).exists()


def may_see_all_attendance(user, cohort: Cohort) -> bool:
    """Whole-cohort completion figures are the coordinators' (reporting to the authority)."""
    return access.has_role(user, cohort.programme_id, Role.COORDINATOR)
