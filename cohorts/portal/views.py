"""The pages of the participant's path ("Il mio percorso") and of the same path seen by
tutors and coordinators. They compose milestones (incubator), training and attendance
(cohorts) and tutoring (mentoring) through ``cohorts.path``; the actions they post
(evidence, states, verification, calendar link, suspension) are ``incubator.path.views``.

Every record is read through ``incubator.access``: another venture's path answers 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cohorts.portal.selectors import VenturePicture, feed_url, own_outcomes, participant_path, venture_picture
from cohorts.selectors import warning_for
from incubator import access
from incubator.models import Person, Role
from incubator.path.models import Enrolment, EnrolmentStatus, MilestoneState
from incubator.path.selectors import MilestoneCounts, enrolment_paths, milestone_counts, overdue_milestones, path_window
from incubator.privacy.selectors import own_personal_data
from incubator.privacy.views import personal_data_response


def _milestone_forms(picture: VenturePicture) -> None:
    """Which buttons each milestone shows the viewer (the services decide in the end)."""
    coordinator, staff, team = picture.is_coordinator, picture.can_manage, picture.is_team
    for milestone in picture.path.milestones:
        state = milestone.state
        open_ = state in (MilestoneState.PLANNED, MilestoneState.IN_PROGRESS)
        milestone.can_start = (team or staff) and state == MilestoneState.PLANNED
        milestone.can_achieve = (team or staff) and (open_ or (staff and state == MilestoneState.MISSED))
        milestone.can_miss = staff and open_
        milestone.can_reopen = staff and state in (MilestoneState.ACHIEVED, MilestoneState.MISSED)
        milestone.can_waive = coordinator and state != MilestoneState.WAIVED and state != MilestoneState.ACHIEVED
        milestone.can_verify = staff and not team and state == MilestoneState.ACHIEVED and milestone.verified_at is None
        milestone.can_upload = (team or staff) and state != MilestoneState.WAIVED and milestone.verified_at is None


@login_required
@require_GET
def my_path(request: HttpRequest) -> HttpResponse:
    """The participant portal: for each of their ventures the 36-month timeline with the
    milestones, what comes next, the tutor's shared notes and open action items,
    attendance, grants and campaigns, the calendar link and evidence upload."""
    picture = participant_path(request.user)
    own = Person.objects.filter(user=request.user, anonymised_at__isnull=True).first()
    for venture in picture.pictures:
        _milestone_forms(venture)
        # The participant's own warning (below the cohort's line, or completion out of reach).
        mine = [a for a in venture.attendance if own is not None and a.person_id == own.pk]
        venture.attendance_warning = warning_for(venture.cohort, mine[0]) if mine and venture.cohort else None
    programmes = {v.enrolment.application.call.programme for v in picture.pictures}
    calendars = [
        {"programme": programme, "url": feed_url(request, picture.feeds.get(programme.pk))}
        for programme in sorted(programmes, key=lambda p: p.code)
    ]
    return render(
        request,
        "incubator/portal/my_path.html",
        {"picture": picture, "calendars": calendars, "today": picture.today, "outcomes": own_outcomes(request.user)},
    )


@login_required
@require_GET
def my_data(request: HttpRequest, fmt: str = "json") -> HttpResponse:
    """ "Download my data" (GDPR art. 15 and 20): every record about the user, as one
    JSON or CSV file (``incubator.privacy.selectors``, the same export coordinators make on
    a person's behalf)."""
    return personal_data_response(own_personal_data(request.user), fmt, "my-data")


@login_required
@require_GET
def venture_path(request: HttpRequest, pk: int) -> HttpResponse:
    """The same path seen by a tutor of the venture or a coordinator of its programme
    (and by the venture's own team)."""
    enrolments = Enrolment.objects.filter(pk=pk)
    paths = enrolment_paths(request.user, enrolments)
    if not paths:
        raise Http404()
    picture = venture_picture(request.user, paths[0])
    if not (picture.can_manage or picture.is_team):
        raise Http404()
    _milestone_forms(picture)
    return render(request, "incubator/path/venture.html", {"v": picture, "today": paths[0].today})


@login_required
@require_GET
def path_overview(request: HttpRequest) -> HttpResponse:
    """Every path the tutor or coordinator may see, with its progress, and the overdue
    milestones of all of them in one list. A fixed number of queries."""
    user = request.user
    staff_programmes = access.programmes(user, Role.COORDINATOR, Role.TUTOR)
    if not staff_programmes and not access.is_admin(user):
        raise Http404()
    today = timezone.localdate()
    enrolments = list(
        access.visible(user, Enrolment)
        .filter(status__in=[EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED])
        .exclude(application__venture__in=access.own_venture_ids(user))
        .select_related("application__venture", "application__call__programme")
        .prefetch_related("suspensions")
        .order_by("application__venture__title", "pk")
    )
    counts = milestone_counts([e.pk for e in enrolments], today)
    rows = [
        {
            "enrolment": e,
            "counts": counts.get(e.pk, MilestoneCounts()),
            "window": path_window(e, list(e.suspensions.all()), today),
        }
        for e in enrolments
    ]
    overdue = list(
        overdue_milestones(user, today).exclude(enrolment__application__venture__in=access.own_venture_ids(user))
    )
    for milestone in overdue:
        milestone.days_late = (today - milestone.due_on).days
    return render(request, "incubator/path/overview.html", {"rows": rows, "overdue": overdue, "today": today})
