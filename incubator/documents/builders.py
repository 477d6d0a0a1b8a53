"""The values of each kind of document, read from the records they are about. Access is
checked by the caller (views look the record up through ``incubator.access``)."""

from decimal import Decimal

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from incubator.documents.programme import programme_values
from incubator.funding.models import Grant, TrancheKind
from incubator.selection.applicants import applicant_rows
from incubator.selection.models import Application, ApplicationState, Call, SubmissionSnapshot


def _when(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M:%S")
    return value.strftime("%d/%m/%Y")


def _money(value: Decimal | None) -> str:
    return "" if value is None else formats.number_format(value, 2, use_l10n=True, force_grouping=True)


def _application(application: Application) -> dict:
    return {
        **programme_values(application.call.programme),
        "call_title": application.call.title,
        "venture_title": application.venture.title,
        "protocol_number": application.protocol_number or "",
        "submitted_at": _when(application.submitted_at),
    }


def _applicants_table(application: Application) -> str:
    """Who applies, read from the frozen snapshot (what the SHA-256 covers); empty when
    the venture's people apply."""
    snapshot = SubmissionSnapshot.objects.filter(application=application).first()
    shown = applicant_rows(snapshot.content if snapshot else None)
    organisation = shown["organisation"]
    if organisation is None:
        return ""
    headers = [_("Role"), _("Organisation"), _("Kind"), _("Tax code"), _("Registry data")]
    if not shown["partners"]:
        row = [_("Applicant"), organisation["name"], organisation["kind_label"], organisation["tax_code"]]
        return _table(headers, [[*row, organisation["facts"]]])
    rows = [
        [
            p["role_label"],
            p["name"],
            p["kind_label"],
            p["tax_code"],
            p["facts"],
            f"{p['budget_share']} %",
            p["activity"],
        ]
        for p in shown["partners"]
    ]
    return _table([*headers, _("Budget share"), _("Activities")], rows)


def receipt(application: Application) -> dict:
    return {
        **_application(application),
        "content_sha256": application.content_sha256,
        "applicants_table": _applicants_table(application),
    }


def eligibility(application: Application) -> dict:
    return {
        **_application(application),
        "outcome": _("Ineligible") if application.state == ApplicationState.INELIGIBLE else _("Eligible"),
        "reason": application.decision_reason,
    }


def outcome(application: Application) -> dict:
    return {
        **_application(application),
        "outcome": application.get_state_display(),
        "rank": application.rank or "",
        "score": application.score if application.score is not None else "",
        "reason": application.decision_reason,
    }


def _table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def ranking(call: Call) -> dict:
    """The ranking by protocol number only: no names (the act is published)."""
    rows = (
        Application.objects.filter(call=call, rank__isnull=False)
        .order_by("rank", "submitted_at", "id")
        .values_list("rank", "protocol_number", "submitted_at", "score", "state")
    )
    states = dict(ApplicationState.choices)
    table = _table(
        [_("Rank"), _("Protocol number"), _("Submitted at"), _("Score"), _("Outcome")],
        [[r, p, _when(s), score, states.get(state, state)] for r, p, s, score, state in rows],
    )
    return {**programme_values(call.programme), "call_title": call.title, "ranking_table": table}


CONDITIONS = {
    TrancheKind.ADVANCE: lambda: _("Up to 30% of the grant, against a guarantee."),
    TrancheKind.INTERIM: lambda: _("When the reported spending reaches 30% of the grant (SAL)."),
    TrancheKind.BALANCE: lambda: _("On the final report of the expenses."),
}


def grant_act(grant: Grant) -> dict:
    application = grant.application
    planned = {kind: [] for kind in TrancheKind.values}
    for tranche in grant.tranches.all().order_by("id"):
        planned[tranche.kind].append(_money(tranche.amount))
    rows = [
        [TrancheKind(kind).label, ", ".join(amounts) or "-", CONDITIONS[kind]()] for kind, amounts in planned.items()
    ]
    period = f"{_when(grant.starts_on)} - {_when(grant.ends_on)}" if grant.starts_on else ""
    return {
        **programme_values(application.call.programme),
        "venture_title": grant.venture.title,
        "call_title": application.call.title,
        "protocol_number": application.protocol_number or "",
        "undertaking": grant.undertaking,
        "amount": _money(grant.amount),
        "grant_cup": grant.cup,
        "cor": grant.cor,
        "decided_on": _when(grant.decided_on),
        "period": period,
        "tranches_table": _table([_("Tranche"), _("Amount (EUR)"), _("Condition")], rows),
        "obligations": _(
            "Keep the CUP on every invoice; report the expenses with their documents; keep the documents for"
            " five years from 31 December of the year of the last payment (Reg. EU 2021/1060, art. 82); display"
            " the EU funding; tell the office of any change of the venture."
        ),
    }
