"""HTML pages of cohorts: the cohort page (schedule, calendar link), the printable
attendance register of a session (registro presenze), the cohort's completion table
and one participant's attendance summary.

Every record is looked up through ``incubator.access`` (out of reach = 404); a page the
user may not read about a record they can see (a register for a participant, the
cohort's table for a trainer) answers 404 too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts import access as cohort_access
from cohorts import selectors, services
from cohorts.models import AttendanceStatus, Cohort, TrainingSession
from incubator import access
from incubator.calendar.models import CalendarFeed
from incubator.exceptions import NotPermitted
from incubator.models import Person, Role


def _cohort(request: HttpRequest, pk: int) -> Cohort:
    return access.get_visible(request.user, Cohort.objects.select_related("programme", "call"), pk=pk)


def _active_feed(cohort: Cohort) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(
        kind=CalendarFeed.Kind.COHORT, programme_id=cohort.programme_id, subject_id=cohort.pk, revoked_at__isnull=True
    ).first()


def _may_use_feed(user, cohort: Cohort) -> tuple[bool, bool]:
    """(may get the link, may rotate it): see ``services.cohort_calendar_feed*``."""
    staff = access.has_role(user, cohort.programme_id, Role.COORDINATOR) or cohort_access.is_cohort_trainer(
        user, cohort
    )
    return staff or cohort_access.is_cohort_participant(user, cohort), staff


@login_required
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    user = request.user
    sessions = (
        access.visible(user, TrainingSession)
        .filter(cohort=cohort)
        .select_related("module")
        .prefetch_related("trainers")
        .order_by("starts_at", "pk")
    )
    coordinator = access.has_role(user, cohort.programme_id, Role.COORDINATOR)
    may_get_feed, may_rotate = _may_use_feed(user, cohort)
    feed = _active_feed(cohort) if may_get_feed else None
    own = Person.objects.filter(user=user, anonymised_at__isnull=True).first()
    own_summary = selectors.person_attendance(own, cohort) if own and not coordinator else None
    # From the prefetched trainers: one role check for the page, not a query per session.
    trains_here = cohort.programme_id in access.programmes(user, Role.TUTOR)
    registers = {
        s.pk for s in sessions if coordinator or (trains_here and any(t.pk == user.pk for t in s.trainers.all()))
    }
    context = {
        "cohort": cohort,
        "modules": cohort.modules.order_by("order", "pk"),
        "sessions": sessions,
        "registers": registers,
        "figures": selectors.cohort_figures(cohort),
        "coordinator": coordinator,
        "own": own if own_summary else None,
        "own_summary": own_summary,
        "may_get_feed": may_get_feed,
        "may_rotate": may_rotate,
        "feed_url": request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": feed.token}))
        if feed
        else None,
    }
    return render(request, "cohorts/cohort_detail.html", context)


@login_required
@require_POST
def cohort_calendar_feed(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    try:
        services.cohort_calendar_feed(actor=request.user, cohort=cohort)
    except NotPermitted:
        raise Http404() from None
    return redirect(reverse("cohorts:cohort", kwargs={"pk": cohort.pk}) + "#calendar")


@login_required
@require_POST
def cohort_calendar_feed_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    try:
        services.cohort_calendar_feed_rotate(actor=request.user, cohort=cohort)
    except NotPermitted:
        raise Http404() from None
    messages.success(request, _("A new calendar link was issued: the old one no longer works."))
    return redirect(reverse("cohorts:cohort", kwargs={"pk": cohort.pk}) + "#calendar")


def register_context(session: TrainingSession) -> dict:
    """What a printed register shows (also used by the back office's print action)."""
    rows = list(selectors.session_register(session))
    for row in rows:
        row.status_label = AttendanceStatus(row.mark_status).label if row.mark_status else ""
    return {
        "session": session,
        "cohort": session.cohort,
        "programme": session.cohort.programme,
        "trainers": list(session.trainers.all()),
        "rows": rows,
        "present": sum(1 for row in rows if row.mark_status in ("present", "partial")),
    }


def register_session(user, pk: int) -> TrainingSession:
    session = access.get_visible(
        user, TrainingSession.objects.select_related("cohort__programme", "cohort__call", "module"), pk=pk
    )
    if not cohort_access.may_take_attendance(user, session):
        raise Http404()
    return session


@login_required
def session_register(request: HttpRequest, pk: int) -> HttpResponse:
    """The register of one session, to print and have signed (coordinators, its trainers)."""
    session = register_session(request.user, pk)
    return render(request, "cohorts/session_register.html", {"registers": [register_context(session)]})


@login_required
def cohort_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Every participant's completion: the programme's coordinators."""
    cohort = _cohort(request, pk)
    if not cohort_access.may_see_all_attendance(request.user, cohort):
        raise Http404()
    rows = selectors.attendance_by_person(cohort)
    context = {
        "cohort": cohort,
        "rows": rows,
        "figures": selectors.cohort_figures(cohort),
        "below": sum(1 for row in rows if row.percent is not None and not row.completed),
    }
    return render(request, "cohorts/cohort_attendance.html", context)


@login_required
def participant_attendance(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """One participant's attendance summary: coordinators and the participant themselves."""
    cohort = _cohort(request, pk)
    person = access.get_visible(request.user, Person, pk=person_pk)
    if not (cohort_access.may_see_all_attendance(request.user, cohort) or person.user_id == request.user.pk):
        raise Http404()
    summary = selectors.person_attendance(person, cohort)
    if summary is None:
        raise Http404()
    sessions = list(selectors.person_session_marks(person, cohort))
    for session in sessions:
        session.mark_label = AttendanceStatus(session.mark_status).label if session.mark_status else ""
    context = {"cohort": cohort, "person": person, "summary": summary, "sessions": sessions}
    return render(request, "cohorts/participant_attendance.html", context)
