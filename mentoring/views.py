"""Tutor pages (Italian by default, phone first): "my ventures", the session form, a
venture's tutoring log (also for its participants and coordinators), the calendar link
and the printable monthly timesheet with its exports.

Every record is looked up through ``incubator.access`` (out of reach: 404). Writes call
the services; their refusals come back onto the forms."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incubator import access
from incubator.calendar import services as incubator_services
from incubator.calendar.models import CalendarFeed
from incubator.exceptions import NotPermitted
from incubator.models import Role, Venture
from mentoring import exports, selectors, services
from mentoring.forms import QUICK_MINUTES, ActionItemFormSet, SessionForm, action_items_from
from mentoring.models import ActionItem, Assignment, TutoringSession, TutoringSessionPrivateNote, TutorProfile


def _sees_private_notes(user) -> bool:
    return access.is_admin(user) or bool(access.programmes(user, Role.COORDINATOR, Role.TUTOR))


def _own_profiles(user):
    return access.visible(user, TutorProfile).filter(user=user).select_related("programme").order_by("programme__code")


# --- my ventures ---------------------------------------------------------------------


@login_required
def my_ventures(request: HttpRequest) -> HttpResponse:
    profiles = list(_own_profiles(request.user))
    if not profiles:
        raise Http404()
    assignments = list(selectors.my_assignments(request.user))
    feeds = {
        feed.programme_id: feed
        for feed in CalendarFeed.objects.filter(
            kind=CalendarFeed.Kind.TUTOR, user=request.user, revoked_at__isnull=True
        )
    }
    calendars = [
        {
            "profile": profile,
            "url": request.build_absolute_uri(reverse("calendar-feed", args=[feeds[profile.programme_id].token]))
            if profile.programme_id in feeds
            else "",
        }
        for profile in profiles
    ]
    rows = [{"assignment": a, "budget": selectors.budget_of(a)} for a in assignments]
    return render(
        request,
        "mentoring/my_ventures.html",
        {"rows": rows, "calendars": calendars, "profiles": profiles, "tutor_nav": True},
    )


@login_required
@require_POST
def calendar_link(request: HttpRequest, profile_pk: int) -> HttpResponse:
    """Issues the tutor's calendar link, or rotates it (the old URL stops working)."""
    profile = access.get_visible(request.user, TutorProfile.objects.select_related("programme", "user"), pk=profile_pk)
    try:
        feed = incubator_services.calendar_feed_get_or_issue(
            actor=request.user, kind=CalendarFeed.Kind.TUTOR, programme=profile.programme, user=profile.user
        )
        if request.POST.get("rotate"):
            incubator_services.calendar_feed_rotate(actor=request.user, feed=feed)
            messages.success(request, _("A new calendar link was made: the old one no longer works."))
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    return redirect("mentoring:my-ventures")


# --- the session form ----------------------------------------------------------------


def _chosen(assignments: list[Assignment], raw: str | None, user) -> Assignment:
    """The assignment asked for, else the venture of the tutor's last session, else the first."""
    by_pk = {str(a.pk): a for a in assignments}
    if raw and raw in by_pk:
        return by_pk[raw]
    if raw:
        raise Http404()
    last = selectors.latest_session_of(user)
    if last is not None and str(last.assignment_id) in by_pk:
        return by_pk[str(last.assignment_id)]
    return assignments[0]


@login_required
def session_new(request: HttpRequest) -> HttpResponse:
    assignments = list(selectors.my_assignments(request.user))
    if not assignments:
        # A tutor or trainer with no venture assigned yet reaches this page from the menu:
        # tell them so rather than answer 404; anyone else still gets 404.
        if not access.programmes(request.user, Role.TUTOR):
            raise Http404()
        return render(request, "mentoring/no_assignment.html", {"tutor_nav": True})
    assignment = _chosen(assignments, request.POST.get("assignment") or request.GET.get("assignment"), request.user)
    if request.method == "POST":
        form = SessionForm(request.POST, assignment=assignment)
        items = ActionItemFormSet(request.POST, prefix="items", form_kwargs={"assignment": assignment})
        if form.is_valid() and items.is_valid():
            try:
                services.tutoring_session_log(
                    actor=request.user,
                    assignment=assignment,
                    action_items=action_items_from(items),
                    **form.service_values(),
                )
            except ValidationError as refusal:
                form.add_refusal(refusal)
            except NotPermitted as exc:
                raise PermissionDenied(exc.message) from exc
            else:
                messages.success(request, _("Session saved."))
                budget = selectors.budget_status(assignment)
                if budget.exceeded:
                    messages.warning(request, budget.warning)
                return redirect("mentoring:my-ventures")
    else:
        form = SessionForm(initial=SessionForm.initial_for(), assignment=assignment)
        items = ActionItemFormSet(prefix="items", form_kwargs={"assignment": assignment})
    return render(
        request,
        "mentoring/session_form.html",
        {
            "form": form,
            "items": items,
            "assignment": assignment,
            "assignments": assignments,
            "budget": selectors.budget_status(assignment),
            "quick_minutes": QUICK_MINUTES,
            "editing": False,
            "tutor_nav": True,
        },
    )


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_visible(
        request.user,
        TutoringSession.objects.select_related(
            "assignment__enrolment__application__venture", "assignment__tutor", "tutor"
        ),
        pk=pk,
    )
    if not services.can_edit(request.user, session):
        raise PermissionDenied(
            _("The author may edit a session for 30 days after logging it; after that, ask a coordinator.")
        )
    assignment = session.assignment
    note = access.visible(request.user, TutoringSessionPrivateNote).filter(session=session).first()
    if request.method == "POST":
        form = SessionForm(request.POST, assignment=assignment)
        if form.is_valid():
            try:
                services.tutoring_session_update(actor=request.user, session=session, **form.service_values())
            except ValidationError as refusal:
                form.add_refusal(refusal)
            except NotPermitted as exc:
                raise PermissionDenied(exc.message) from exc
            else:
                messages.success(request, _("Session saved."))
                budget = selectors.budget_status(assignment)
                if budget.exceeded:
                    messages.warning(request, budget.warning)
                return redirect("mentoring:venture-log", venture_pk=assignment.enrolment.application.venture_id)
    else:
        form = SessionForm(initial=SessionForm.initial_from(session, note.text if note else ""), assignment=assignment)
    return render(
        request,
        "mentoring/session_form.html",
        {
            "form": form,
            "assignment": assignment,
            "session": session,
            "budget": selectors.budget_status(assignment),
            "quick_minutes": QUICK_MINUTES,
            "editing": True,
            "tutor_nav": True,
        },
    )


# --- a venture's tutoring log --------------------------------------------------------


@login_required
def venture_log(request: HttpRequest, venture_pk: int) -> HttpResponse:
    """The sessions of a venture the user may see. Private notes are prefetched only for
    tutors and coordinators, through their own access rule."""
    user = request.user
    venture = access.get_visible(user, Venture, pk=venture_pk)
    sessions = (
        access.visible(user, TutoringSession)
        .filter(assignment__enrolment__application__venture=venture)
        .select_related("tutor__user", "assignment__tutor")
        .prefetch_related(
            "participants_present",
            "milestones",
            Prefetch("action_items", queryset=ActionItem.objects.select_related("owner").order_by("pk")),
        )
        .order_by("-starts_at", "-pk")
    )
    if _sees_private_notes(user):
        sessions = sessions.prefetch_related(
            Prefetch(
                "private_note",
                queryset=access.visible(user, TutoringSessionPrivateNote),
                to_attr="visible_private_note",
            )
        )
    page = Paginator(sessions, 20).get_page(request.GET.get("page"))
    now = timezone.now()
    entries = [{"session": s, "editable": services.can_edit(user, s, now)} for s in page]
    return render(
        request,
        "mentoring/venture_log.html",
        {
            "venture": venture,
            "page": page,
            "entries": entries,
            "today": timezone.localdate(),
            "tutor_nav": bool(access.programmes(user, Role.TUTOR)),
        },
    )


@login_required
def my_tutoring(request: HttpRequest) -> HttpResponse:
    """A participant's way in: the tutoring log of their venture (a list if several)."""
    ventures = list(access.visible(request.user, Venture).filter(pk__in=access.own_venture_ids(request.user)))
    if not ventures:
        raise Http404()
    if len(ventures) == 1:
        return redirect("mentoring:venture-log", venture_pk=ventures[0].pk)
    return render(request, "mentoring/my_tutoring.html", {"ventures": ventures})


@login_required
@require_POST
def action_item_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.get_visible(
        request.user, ActionItem.objects.select_related("session__assignment__enrolment__application"), pk=pk
    )
    try:
        services.action_item_set_done(actor=request.user, item=item, done=request.POST.get("done") == "1")
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("mentoring:venture-log", args=[item.session.assignment.enrolment.application.venture_id])
    return redirect(target)


# --- timesheets ----------------------------------------------------------------------


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


@login_required
def timesheet_index(request: HttpRequest) -> HttpResponse:
    """The tutor's own timesheet of the current month (the first programme's)."""
    profile = _own_profiles(request.user).first()
    if profile is None:
        raise Http404()
    today = timezone.localdate()
    return redirect("mentoring:timesheet", tutor_pk=profile.pk, year=today.year, month=today.month)


@login_required
def timesheet(request: HttpRequest, tutor_pk: int, year: int, month: int) -> HttpResponse:
    sheet = selectors.visible_timesheet(request.user, tutor_pk=tutor_pk, year=year, month=month)
    previous, following = _shift(year, month, -1), _shift(year, month, 1)
    return render(
        request,
        "mentoring/timesheet.html",
        {
            "sheet": sheet,
            "month_start": dt.date(year, month, 1),
            "previous": {"year": previous[0], "month": previous[1]},
            "following": {"year": following[0], "month": following[1]},
            "tutor_nav": sheet.tutor.user_id == request.user.pk,
        },
    )


@login_required
def timesheet_export(request: HttpRequest, tutor_pk: int, year: int, month: int, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404()
    sheet = selectors.visible_timesheet(request.user, tutor_pk=tutor_pk, year=year, month=month)
    body, content_type, name = exports.timesheet_file(sheet, fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
