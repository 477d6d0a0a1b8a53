"""The cohort's documents as PDF (``incubator.documents``): the attendance register of a
session and of a whole cohort ("page n of m", the roster with times, signature columns for
participants and trainer, totals per person) and the certificate of attendance of a
participant who reached the cohort's completion threshold. Figures come from
``cohorts.selectors`` (one definition of attendance)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cohorts import access as cohort_access
from cohorts import selectors
from cohorts.models import AttendanceStatus, Cohort, TrainingSession
from incubator import access
from incubator.documents import services
from incubator.documents.kinds import DocumentKind
from incubator.documents.programme import programme_values
from incubator.models import Person


def _language() -> str:
    return (get_language() or "it")[:2]


def _pdf(document, name: str) -> HttpResponse:
    response = HttpResponse(bytes(document.content), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["X-Content-SHA256"] = document.sha256
    return response


def _hours(minutes: int) -> str:
    return formats.number_format(round(minutes / 60, 2), 2)


# Widths on the columns (not on every cell): the fixed table layout reads them once.
_ROSTER_COLUMNS = "<colgroup><col style='width:34%'><col style='width:18%'><col><col></colgroup>"


def session_section(session: TrainingSession) -> str:
    """One session's register: its facts, then one row per person with a signature box on
    arrival and on leaving, then the trainers' signatures.

    Four cells a row (the number with the name, the mark with its minutes, two signature
    boxes) rather than six: WeasyPrint lays out every cell as its own block with its own
    line of text, and a 40-page cohort register has some 5,000 of them, so fewer cells is
    what brings it under the 5 s goal (``bench/documents.py``)."""
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    trainers = ", ".join(str(t) for t in session.trainers.all())
    facts = (
        f"<h2>{escape(session.topic)}</h2><p>{starts:%d/%m/%Y} {starts:%H:%M}-{ends:%H:%M} &middot; "
        f"{escape(session.place or session.online_url)} &middot; {escape(_('Trainers'))}: {escape(trainers)}</p>"
    )
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in (
            _("Participant"),
            _("Attendance (minutes)"),
            _("Signature on arrival"),
            _("Signature on leaving"),
        )
    )
    rows = []
    for n, row in enumerate(selectors.session_register(session), start=1):
        status = AttendanceStatus(row.mark_status).label if row.mark_status else ""
        minutes = f" ({row.mark_minutes})" if row.mark_minutes is not None else ""
        rows.append(
            f"<tr><td>{n}. {escape(row.last_name)} {escape(row.first_name)}</td><td>{escape(status)}{minutes}</td>"
            "<td></td><td></td></tr>"
        )
    trainer = f"<p>{escape(_('Signature of the trainer'))}: ______________________________</p>"
    return (
        f"<section class='register'>{facts}<table class='roster'>{_ROSTER_COLUMNS}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{trainer}</section>"
    )


def _sessions(cohort: Cohort):
    return (
        TrainingSession.objects.filter(cohort=cohort, cancelled_at__isnull=True)
        .prefetch_related("trainers")
        .order_by("starts_at", "pk")
    )


def cohort_register_values(cohort: Cohort) -> dict:
    sections = "".join(session_section(session) for session in _sessions(cohort))
    totals = "".join(
        f"<tr><td>{escape(row.last_name)} {escape(row.first_name)}</td><td>{_hours(row.scheduled_minutes)}</td>"
        f"<td>{_hours(row.attended_minutes)}</td><td>{_hours(row.justified_minutes)}</td>"
        f"<td>{row.percent if row.percent is not None else '-'}</td></tr>"
        for row in selectors.attendance_by_person(cohort)
    )
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in (_("Participant"), _("Hours scheduled"), _("Hours attended"), _("Hours justified"), _("Completion %"))
    )
    return {
        **programme_values(cohort.programme),
        "cohort_name": cohort.name,
        "register_table": sections,
        "totals_table": f"<table><thead><tr>{head}</tr></thead><tbody>{totals}</tbody></table>",
    }


def _cohort(request: HttpRequest, pk: int) -> Cohort:
    return access.get_visible(request.user, Cohort.objects.select_related("programme"), pk=pk)


@login_required
@require_GET
def session_register_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_visible(request.user, TrainingSession.objects.select_related("cohort__programme"), pk=pk)
    if not cohort_access.may_take_attendance(request.user, session):
        raise Http404()
    cohort = session.cohort
    values = {
        **programme_values(cohort.programme),
        "cohort_name": cohort.name,
        "register_table": session_section(session),
    }
    document = services.document_issue(
        actor=request.user, programme_id=cohort.programme_id, kind=DocumentKind.SESSION_REGISTER,
        subject=f"session:{pk}", language=_language(), values=values,
    )  # fmt: skip
    return _pdf(document, f"register-session-{pk}")


@login_required
@require_GET
def cohort_register_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _cohort(request, pk)
    if not cohort_access.may_see_all_attendance(request.user, cohort):
        raise Http404()
    document = services.document_issue(
        actor=request.user, programme_id=cohort.programme_id, kind=DocumentKind.COHORT_REGISTER,
        subject=f"cohort:{pk}", language=_language(), values=cohort_register_values(cohort),
    )  # fmt: skip
    return _pdf(document, f"register-cohort-{pk}")


def issue_certificate(*, actor, cohort: Cohort, person: Person, language: str, base_url: str):
    """The certificate of a participant who reached the cohort's completion threshold
    (``None`` otherwise)."""
    summary = selectors.person_attendance(person, cohort)
    if summary is None or not summary.completed:
        return None
    return services.certificate_issue(
        actor=actor, programme_id=cohort.programme_id, subject=f"cohort:{cohort.pk}:person:{person.pk}",
        holder_name=summary.full_name, course=cohort.name, hours=round(summary.attended_minutes / 60, 1),
        issued_on=timezone.localdate(), language=language, values=programme_values(cohort.programme),
        url_of=lambda code: base_url + reverse("documents:certificate-verify", args=[code]),
    )  # fmt: skip


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """Coordinators of the programme and the participant themselves; 404 below the threshold."""
    cohort = _cohort(request, pk)
    person = access.get_visible(request.user, Person, pk=person_pk)
    if not (cohort_access.may_see_all_attendance(request.user, cohort) or person.user_id == request.user.pk):
        raise Http404()
    issued = issue_certificate(
        actor=request.user, cohort=cohort, person=person, language=_language(),
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )  # fmt: skip
    if issued is None:
        raise Http404()
    certificate, document = issued
    return _pdf(document, f"certificate-{certificate.code}")
