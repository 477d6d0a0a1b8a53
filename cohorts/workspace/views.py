"""The trainers' and tutors' workspace, phone first: "my sessions" (today, next, last),
a session's register as a roster to mark (all present, then the exceptions), the QR
check-in screen with its polling, and the participant's side of the check-in.

Registers are for the session's trainers and the programme's coordinators
(``cohorts.access.may_take_attendance``); anyone else gets 404. Writes call
``cohorts.services.attendance_mark_bulk`` and ``cohorts.workspace.checkin.attendance_check_in``."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cohorts import services
from cohorts.models import AttendanceStatus, TrainingSession
from cohorts.selectors import session_register
from cohorts.views import register_session
from cohorts.workspace import checkin, selectors
from incubator import access
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import Role


def _keeps_registers(user) -> bool:
    return bool(access.programmes(user, Role.TUTOR, Role.COORDINATOR))


@login_required
@require_GET
def my_sessions(request: HttpRequest) -> HttpResponse:
    """Trainers, tutors and coordinators: the sessions whose register they keep, and the
    participants they follow who are under the attendance warning line."""
    if not _keeps_registers(request.user):
        raise Http404()
    context = {
        "sessions": selectors.my_sessions(request.user),
        "warnings": selectors.followed_warnings(request.user),
        "now": timezone.now(),
    }
    return render(request, "cohorts/workspace/my_sessions.html", context)


def _rows(session: TrainingSession, posted=None) -> list:
    rows = list(session_register(session))
    for row in rows:
        row.status_label = AttendanceStatus(row.mark_status).label if row.mark_status else ""
        # What the form shows: what was posted (after an error), else the mark, else present.
        if posted is not None:
            row.choice = posted.get(f"status-{row.pk}") or AttendanceStatus.PRESENT
            row.minutes = posted.get(f"minutes-{row.pk}", "")
        else:
            row.choice = row.mark_status or AttendanceStatus.PRESENT
            row.minutes = row.mark_minutes or ""
        row.error = ""
    return rows


def _marks(rows: list, posted, *, all_present: bool) -> list[dict]:
    marks = []
    for row in rows:
        status = AttendanceStatus.PRESENT if all_present else posted.get(f"status-{row.pk}", "")
        mark = {"person": row.pk, "status": status, "note": row.mark_note or ""}
        if status == AttendanceStatus.PARTIAL:
            mark["minutes_attended"] = posted.get(f"minutes-{row.pk}", "")
        marks.append(mark)
    return marks


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """A session's register on the phone: one line per person on the roster, present by
    default; "All present" saves everyone present, then the trainer changes the exceptions."""
    session = register_session(request.user, pk)
    errors: list[str] = []
    if request.method == "POST":
        rows = _rows(session, request.POST)
        all_present = "all_present" in request.POST
        try:
            result = services.attendance_mark_bulk(
                actor=request.user, session=session, marks=_marks(rows, request.POST, all_present=all_present)
            )
        except NotPermitted:
            raise Http404() from None
        except services.MarkError as error:
            row = rows[error.position - 1] if 0 < error.position <= len(rows) else None
            if row is not None:
                row.error = error.detail
                errors.append(f"{row.first_name} {row.last_name}: {error.detail}")
            else:
                errors.append(" ".join(error.messages))
        except DomainError as error:
            errors.append(" ".join(error.messages))
        else:
            changed = len(result.created) + len(result.updated)
            messages.success(
                request,
                _("Register saved: %(changed)s marks recorded, %(same)s unchanged.")
                % {"changed": changed, "same": len(result.unchanged)},
            )
            return redirect("cohorts:workspace-register", pk=session.pk)
    else:
        rows = _rows(session)
    context = {
        "session": session,
        "rows": rows,
        "errors": errors,
        "statuses": AttendanceStatus.choices,
        "started": session.starts_at <= timezone.now(),
        "checkin_open": checkin.is_open(session, timezone.now()),
    }
    return render(request, "cohorts/workspace/register.html", context, status=400 if errors else 200)


def _checkin_url(request: HttpRequest, session: TrainingSession, code: str) -> str:
    return request.build_absolute_uri(reverse("cohorts:check-in", kwargs={"pk": session.pk, "code": code}))


@login_required
@require_GET
def checkin_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The trainer's check-in screen: the rotating QR code and the roster filling in."""
    session = register_session(request.user, pk)
    now = timezone.now()
    code = checkin.checkin_code(session, at=now)
    context = {
        "session": session,
        "open": checkin.is_open(session, now),
        "code": code,
        "url": _checkin_url(request, session, code),
        "rows": _rows(session),
        "window": checkin.WINDOW_SECONDS,
    }
    return render(request, "cohorts/workspace/checkin_screen.html", context)


@login_required
@require_GET
@never_cache
def checkin_state(request: HttpRequest, pk: int) -> JsonResponse:
    """What the check-in screen polls: the current code and the roster's marks."""
    session = register_session(request.user, pk)
    now = timezone.now()
    code = checkin.checkin_code(session, at=now)
    rows = [
        {
            "id": row.pk,
            "name": f"{row.last_name} {row.first_name}",
            "status": row.mark_status or "",
            "status_label": row.status_label or _("not marked"),
            "marked_at": timezone.localtime(row.mark_marked_at).strftime("%H:%M") if row.mark_marked_at else "",
        }
        for row in _rows(session)
    ]
    return JsonResponse(
        {
            "code": code,
            "url": _checkin_url(request, session, code),
            "qr": reverse("cohorts:workspace-checkin-qr", kwargs={"pk": session.pk}) + f"?code={code}",
            "seconds_left": checkin.seconds_left(at=now),
            "open": checkin.is_open(session, now),
            "present": sum(1 for row in rows if row["status"] in ("present", "partial")),
            "rows": rows,
        }
    )


@login_required
@require_GET
@never_cache
def checkin_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The current code as a QR code, drawn on the server as SVG."""
    session = register_session(request.user, pk)
    code = checkin.checkin_code(session)
    out = io.BytesIO()
    # A standalone file for <img>: with its namespace, without the XML declaration.
    segno.make(_checkin_url(request, session, code), error="m").save(out, kind="svg", xmldecl=False, scale=6, border=2)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


# A wrong code or someone not on the roster learns nothing about the session: 404, with
# the reason on the page. An expired code, or one used outside the session's time: 400.
NOT_FOUND_REASONS = ("wrong_code", "not_on_roster")


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The participant's side: the scanned address shows a button; pressing it marks them
    present (once, with the time). Refusals name their reason."""
    error, result, session, status = "", None, None, 200
    try:
        if request.method == "POST":
            result = checkin.attendance_check_in(actor=request.user, session_id=pk, code=code)
            session = result.mark.session
        else:
            session, _person = checkin.check_in_allowed(actor=request.user, session_id=pk, code=code)
    except DomainError as refused:
        error = " ".join(refused.messages)
        status = 404 if refused.code in NOT_FOUND_REASONS else 400
        session = None
    context = {"session": session, "code": code, "error": error, "result": result}
    return render(request, "cohorts/workspace/check_in.html", context, status=status)
