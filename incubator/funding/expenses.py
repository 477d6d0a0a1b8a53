"""Expense reports and their items: the refusals (no CUP on the invoice, outside the
grant period, duplicate invoice, missing or unsafe document), and the review item by
item."""

import datetime as dt

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import audit, uploads
from incubator.exceptions import DomainError, TransitionNotAllowed
from incubator.funding import notices
from incubator.funding.common import (
    locked_grant,
    money,
    require_coordinator,
    require_coordinator_or_beneficiary,
)
from incubator.funding.grants import RUNNING
from incubator.funding.models import (
    ExpenseCategory,
    ExpenseItem,
    ExpenseItemStatus,
    ExpenseReport,
    ExpenseReportState,
    Grant,
)
from incubator.services import _full_clean, _save_new

# Invoices and receipts: size and type checked on the bytes and the extension.
DOCUMENT_MAX_BYTES = getattr(settings, "FUNDING_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
DOCUMENT_UPLOADS = uploads.Policy(
    kinds=("pdf", "png", "jpeg"),
    max_bytes=DOCUMENT_MAX_BYTES,
    code_prefix="document",
    codes={"content": "document_type", "empty": "document_type"},
)


# --- expense reports ---------------------------------------------------------------------


@transaction.atomic
def expense_report_create(
    *, actor, grant: Grant, period_start: dt.date, period_end: dt.date, is_final: bool = False
) -> ExpenseReport:
    grant = locked_grant(grant)
    require_coordinator_or_beneficiary(actor, grant.venture)
    if grant.state not in RUNNING:
        raise DomainError(
            _("Expenses are reported only after the contract is signed."), code="not_running", field="grant"
        )
    if not (isinstance(period_start, dt.date) and isinstance(period_end, dt.date)) or period_end < period_start:
        raise DomainError(_("The period must end on or after its start."), code="date_order", field="period_end")
    if period_start < grant.starts_on or period_end > grant.ends_on:
        raise DomainError(
            _("The period must fall within the grant's eligible period (%(start)s - %(end)s).")
            % {"start": grant.starts_on.strftime("%d/%m/%Y"), "end": grant.ends_on.strftime("%d/%m/%Y")},
            code="outside_grant_period",
            field="period_start",
        )
    if is_final and grant.expense_reports.filter(is_final=True).exists():
        raise DomainError(_("The grant already has a final report."), code="duplicate", field="is_final")
    # Checked under the grant's lock; on PostgreSQL an exclusion constraint
    # (migration 0010_expense_report_no_overlap) holds the rule for every other write too.
    overlapping = (
        grant.expense_reports.filter(period_start__lte=period_end, period_end__gte=period_start)
        .order_by("period_start")
        .first()
    )
    if overlapping is not None:
        raise DomainError(
            _("The period overlaps the grant's expense report of %(start)s - %(end)s.")
            % {
                "start": overlapping.period_start.strftime("%d/%m/%Y"),
                "end": overlapping.period_end.strftime("%d/%m/%Y"),
            },
            code="overlapping_period",
            field="period_start",
        )
    report = _save_new(
        ExpenseReport(grant=grant, period_start=period_start, period_end=period_end, is_final=bool(is_final))
    )
    audit.record(
        actor=actor,
        verb="expense_report.create",
        target=report,
        programme_id=grant.venture.programme_id,
        after={"grant": grant.pk, "is_final": bool(is_final)},
    )
    return report


def _locked_report(report: ExpenseReport) -> ExpenseReport:
    return ExpenseReport.objects.select_for_update().select_related("grant__venture").get(pk=report.pk)


def validate_document(document: UploadedFile | None, field: str = "document") -> None:
    """A PDF or image (PNG, JPEG), not larger than ``DOCUMENT_MAX_BYTES``: the type is
    read from the file's first bytes and its extension (``incubator.uploads``), not from
    the client's content type. The name it is stored under is sanitised."""
    if not document:
        raise DomainError(_("Attach the invoice or receipt (PDF or image)."), code="document_missing", field=field)
    extension = uploads.validate_upload(document, DOCUMENT_UPLOADS, field=field)
    document.name = uploads.safe_filename(document.name, extension, default="document")


@transaction.atomic
def expense_item_add(
    *,
    actor,
    report: ExpenseReport,
    category: str,
    supplier: str,
    supplier_tax_id: str,
    invoice_number: str,
    invoice_date: dt.date,
    amount,
    invoice_has_cup: bool,
    document: UploadedFile | None,
    description: str = "",
) -> ExpenseItem:
    """One invoice in a draft report. Refused with the reason: no CUP on the invoice, a
    date outside the grant's eligible period, an invoice of the same supplier already
    reported, no document (or not a PDF/image), a category outside the budget."""
    report = _locked_report(report)
    grant = report.grant
    require_coordinator_or_beneficiary(actor, grant.venture)
    if report.state != ExpenseReportState.DRAFT:
        raise DomainError(_("Items are added to a draft report only."), code="report_not_draft", field="report")
    amount = money(amount, "amount", positive=True)
    if category not in ExpenseCategory.values:
        raise DomainError(_("Choose an expense category."), code="invalid", field="category")
    if not grant.budget_lines.filter(category=category).exists():
        raise DomainError(
            _("The grant's budget has no line for “%(category)s”.") % {"category": ExpenseCategory(category).label},
            code="not_in_budget",
            field="category",
        )
    if invoice_has_cup is not True:
        raise DomainError(
            _("The invoice must carry the project's CUP (%(cup)s) to be eligible.") % {"cup": grant.cup},
            code="no_cup",
            field="invoice_has_cup",
        )
    if not isinstance(invoice_date, dt.date):
        raise DomainError(_("Give the invoice date."), code="invalid", field="invoice_date")
    if not (grant.starts_on <= invoice_date <= grant.ends_on):
        raise DomainError(
            _("The invoice date is outside the grant's eligible period (%(start)s - %(end)s).")
            % {"start": grant.starts_on.strftime("%d/%m/%Y"), "end": grant.ends_on.strftime("%d/%m/%Y")},
            code="outside_grant_period",
            field="invoice_date",
        )
    supplier_tax_id = (supplier_tax_id or "").strip().upper()
    invoice_number = (invoice_number or "").strip()
    if not supplier_tax_id:
        raise DomainError(_("Give the supplier's VAT number or tax code."), code="required", field="supplier_tax_id")
    if not invoice_number:
        raise DomainError(_("Give the invoice number."), code="required", field="invoice_number")
    duplicate = (
        ExpenseItem.objects.filter(supplier_tax_id=supplier_tax_id, invoice_number=invoice_number)
        .exclude(status=ExpenseItemStatus.REJECTED)
        .exists()
    )
    if duplicate:
        raise DomainError(
            _("Invoice %(number)s of this supplier has already been reported.") % {"number": invoice_number},
            code="duplicate_invoice",
            field="invoice_number",
        )
    validate_document(document)
    item = ExpenseItem(
        report=report,
        grant=grant,
        category=category,
        description=description,
        supplier=(supplier or "").strip(),
        supplier_tax_id=supplier_tax_id,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        amount=amount,
        invoice_has_cup=True,
        document=document,
    )
    _full_clean(item, exclude=["document"])
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as exc:  # the same invoice reported by someone else a moment ago
        raise DomainError(
            _("Invoice %(number)s of this supplier has already been reported.") % {"number": invoice_number},
            code="duplicate_invoice",
            field="invoice_number",
        ) from exc
    audit.record(
        actor=actor,
        verb="expense.add",
        target=item,
        programme_id=grant.venture.programme_id,
        after={"report": report.pk, "category": category, "amount": amount, "invoice_number": invoice_number},
    )
    return item


@transaction.atomic
def expense_report_submit(*, actor, report: ExpenseReport) -> ExpenseReport:
    report = _locked_report(report)
    require_coordinator_or_beneficiary(actor, report.grant.venture)
    if report.state != ExpenseReportState.DRAFT:
        raise TransitionNotAllowed(_("Only a draft report can be submitted."))
    if not report.items.exists():
        raise DomainError(_("Add at least one expense item."), code="empty", field="items")
    report.state = ExpenseReportState.SUBMITTED
    report.submitted_at = timezone.now()
    report.save(update_fields=["state", "submitted_at"])
    audit.record(
        actor=actor,
        verb="expense_report.submit",
        target=report,
        programme_id=report.grant.venture.programme_id,
        before={"state": ExpenseReportState.DRAFT},
        after={"state": ExpenseReportState.SUBMITTED},
    )
    return report


@transaction.atomic
def expense_item_review(*, actor, item: ExpenseItem, accept: bool, reason: str = "") -> ExpenseItem:
    """A coordinator accepts or rejects (with a reason) one item of a submitted report;
    the report becomes reviewed when its last item is decided."""
    report = _locked_report(item.report)
    require_coordinator(actor, report.grant.venture.programme_id)
    item = ExpenseItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ExpenseItemStatus.PENDING:
        raise TransitionNotAllowed(_("This item has already been reviewed."), field="status")
    if report.state != ExpenseReportState.SUBMITTED:
        raise DomainError(
            _("Only items of a submitted report are reviewed."), code="report_not_submitted", field="report"
        )
    if not accept and not (reason or "").strip():
        raise DomainError(_("Give the reason for the rejection."), code="reason_required", field="reason")
    item.status = ExpenseItemStatus.ACCEPTED if accept else ExpenseItemStatus.REJECTED
    item.rejection_reason = "" if accept else reason.strip()[:500]
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    item.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
    audit.record(
        actor=actor,
        verb=f"expense.{item.status}",
        target=item,
        programme_id=report.grant.venture.programme_id,
        before={"status": ExpenseItemStatus.PENDING},
        after={"status": item.status},
        reason=item.rejection_reason,
    )
    if not accept:
        notices.expense_refused(item)
    if not report.items.filter(status=ExpenseItemStatus.PENDING).exists():
        report.state = ExpenseReportState.REVIEWED
        report.reviewed_at = timezone.now()
        report.save(update_fields=["state", "reviewed_at"])
        audit.record(
            actor=actor,
            verb="expense_report.reviewed",
            target=report,
            programme_id=report.grant.venture.programme_id,
            before={"state": ExpenseReportState.SUBMITTED},
            after={"state": ExpenseReportState.REVIEWED},
        )
    return item
