"""The tutor's monthly timesheet as a PDF (``incubator.documents``): the same figures as
the timesheet page and its exports (``mentoring.selectors.timesheet``, one definition),
with the valuation at the unit cost and signature lines."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import formats
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from incubator.documents import services
from incubator.documents.kinds import DocumentKind
from incubator.documents.programme import programme_values
from mentoring import selectors


def _money(value) -> str:
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True)


def timesheet_values(sheet: selectors.Timesheet) -> dict:
    programme = sheet.tutor.programme
    head = "".join(f"<th>{escape(h)}</th>" for h in (_("Venture"), _("Activity"), _("Hours"), _("Value (EUR)")))
    rows = "".join(
        f"<tr><td>{escape(r.venture)}</td><td>{escape(r.activity_label)}</td>"
        f"<td>{formats.number_format(r.hours, 2)}</td><td>{_money(r.value)}</td></tr>"
        for r in sheet.rows
    )
    entry_head = "".join(
        f"<th>{escape(h)}</th>" for h in (_("Date"), _("Venture"), _("Activity"), _("Hours"), _("Unit cost (EUR/h)"))
    )
    entries = "".join(
        f"<tr><td>{e.starts_at:%d/%m/%Y %H:%M}</td><td>{escape(e.venture)}</td><td>{escape(e.activity_label)}</td>"
        f"<td>{formats.number_format(e.hours, 2)}</td><td>{_money(e.hourly_rate)}</td></tr>"
        for e in sheet.entries
    )
    return {
        **programme_values(programme),
        "tutor_name": str(sheet.tutor),
        "month": f"{sheet.month:02d}/{sheet.year}",
        "total_hours": formats.number_format(sheet.total_hours, 2),
        "total_value": _money(sheet.total_value),
        "timesheet_table": f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        f"<h2>{escape(_('Sessions'))}</h2><table><thead><tr>{entry_head}</tr></thead><tbody>{entries}</tbody></table>",
    }


@login_required
@require_GET
def timesheet_pdf(request: HttpRequest, tutor_pk: int, year: int, month: int) -> HttpResponse:
    """Who may see the timesheet page (the tutor, the programme's coordinators); 404 otherwise."""
    sheet = selectors.visible_timesheet(request.user, tutor_pk=tutor_pk, year=year, month=month)
    document = services.document_issue(
        actor=request.user, programme_id=sheet.tutor.programme_id, kind=DocumentKind.TIMESHEET,
        subject=f"timesheet:{tutor_pk}:{year}-{month:02d}", language=(get_language() or "it")[:2],
        values=timesheet_values(sheet),
    )  # fmt: skip
    response = HttpResponse(bytes(document.content), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="timesheet-{tutor_pk}-{year}-{month:02d}.pdf"'
    response["X-Content-SHA256"] = document.sha256
    return response
