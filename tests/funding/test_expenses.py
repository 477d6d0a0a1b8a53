"""Expense reporting: the refusals (no CUP, outside the period, duplicate invoice,
missing or wrong document), review item by item, and budget against actual."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.funding import services
from incubator.funding.models import ExpenseItem, ExpenseItemStatus, ExpenseReportState
from incubator.funding.selectors import budget_vs_actual
from tests.funding import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(world):
    h.admitted(world)
    return h.running(world, "100000.00")


@pytest.fixture
def report(world, grant):
    return h.report(world, grant)


def refused(world, report, **kwargs) -> DomainError:
    before = ExpenseItem.objects.count()
    with pytest.raises(DomainError) as exc:
        h.item(world, report, **kwargs)
    assert ExpenseItem.objects.count() == before
    return exc.value


def test_a_valid_item_is_recorded_with_its_document(world, report):
    item = h.item(world, report, "1234.56", invoice_number="FT-2026/001")
    assert (item.status, item.amount, item.grant_id) == (ExpenseItemStatus.PENDING, Decimal("1234.56"), report.grant_id)
    assert item.document.name.startswith(f"grants/{report.grant_id}/expenses/")
    with item.document.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_no_cup_on_the_invoice(world, report):
    error = refused(world, report, invoice_has_cup=False, invoice_number="X1")
    assert (error.code, error.field) == ("no_cup", "invoice_has_cup")
    assert "B61H26000010006" in error.messages[0]


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (h.PERIOD[0] - dt.timedelta(days=1), False),
        (h.PERIOD[0], True),
        (h.PERIOD[1], True),
        (h.PERIOD[1] + dt.timedelta(days=1), False),
    ],
)
def test_invoice_date_within_the_grant_period(world, report, day, allowed):
    if allowed:
        assert h.item(world, report, invoice_date=day).invoice_date == day
    else:
        error = refused(world, report, invoice_date=day, invoice_number="X2")
        assert (error.code, error.field) == ("outside_grant_period", "invoice_date")


def test_duplicate_invoice_of_the_same_supplier(world, grant, report):
    h.item(world, report, invoice_number="7/2026", supplier_tax_id=h.vat(5))
    error = refused(world, report, invoice_number="7/2026", supplier_tax_id=h.vat(5).lower())
    assert (error.code, error.field) == ("duplicate_invoice", "invoice_number")
    # The same number from another supplier is another invoice.
    assert h.item(world, report, invoice_number="7/2026", supplier_tax_id=h.vat(6)).pk


def test_a_rejected_invoice_can_be_reported_again(world, report):
    first = h.item(world, report, invoice_number="9/2026", supplier_tax_id=h.vat(5))
    services.expense_report_submit(actor=world.participant, report=report)
    services.expense_item_review(actor=world.coordinator, item=first, accept=False, reason="Unreadable scan")
    # In the next period's report: two reports of one grant never overlap (issue 20, item 3).
    second_report = services.expense_report_create(
        actor=world.participant, grant=report.grant, period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 12, 31)
    )
    assert h.item(world, second_report, invoice_number="9/2026", supplier_tax_id=h.vat(5)).pk != first.pk


def test_duplicate_invoice_is_a_database_rule(world, report):
    item = h.item(world, report, invoice_number="11/2026", supplier_tax_id=h.vat(5))
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpenseItem.objects.create(
            report=report,
            grant=report.grant,
            category="equipment",
            supplier="Other name, same supplier",
            supplier_tax_id=item.supplier_tax_id,
            invoice_number=item.invoice_number,
            invoice_date=item.invoice_date,
            amount=Decimal("5.00"),
            invoice_has_cup=True,
            document="grants/x.pdf",
        )


def test_missing_document(world, report):
    error = refused(world, report, document=None, invoice_number="X3")
    assert (error.code, error.field) == ("document_missing", "document")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("invoice.exe", b"MZ\x90\x00", "document_type"),
        ("invoice.pdf", b"<html>not a pdf</html>", "document_type"),  # the name lies
        ("photo.png", h.PDF, "document_type"),
        ("invoice.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "document_too_large"),
    ],
)
def test_document_type_and_size_are_checked_on_the_bytes(world, report, name, content, code):
    error = refused(world, report, document=SimpleUploadedFile(name, content), invoice_number="X4")
    assert (error.code, error.field) == (code, "document")


def test_images_are_accepted(world, report):
    item = h.item(world, report, document=SimpleUploadedFile("receipt.png", h.PNG))
    assert item.document.name.endswith(".png")


def test_category_must_be_in_the_budget_and_amount_positive(world, report):
    error = refused(world, report, category="travel", invoice_number="X5")
    assert (error.code, error.field) == ("not_in_budget", "category")
    for amount, code in (("0", "not_positive"), ("-5", "negative"), ("5.555", "too_many_decimals")):
        error = refused(world, report, amount=amount, invoice_number="X6")
        assert (error.code, error.field) == (code, "amount")


def test_database_rules_behind_the_refusals(world, report):
    item = h.item(world, report)
    for change in ({"invoice_has_cup": False}, {"document": ""}, {"amount": Decimal("-1")}, {"status": "rejected"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ExpenseItem.objects.filter(pk=item.pk).update(**change)


def test_review_item_by_item(world, report, other):
    a = h.item(world, report, "100.00")
    b = h.item(world, report, "200.00")
    with pytest.raises(DomainError) as exc:
        services.expense_item_review(actor=world.coordinator, item=a, accept=True)
    assert exc.value.code == "report_not_submitted"
    services.expense_report_submit(actor=world.participant, report=report)
    with pytest.raises(DomainError):
        h.item(world, report)  # no more items once submitted
    for outsider in (world.participant, world.tutor, world.evaluator, other.coordinator):
        with pytest.raises(NotPermitted):
            services.expense_item_review(actor=outsider, item=a, accept=True)
    with pytest.raises(DomainError) as exc:
        services.expense_item_review(actor=world.coordinator, item=a, accept=False)
    assert exc.value.field == "reason"
    services.expense_item_review(actor=world.coordinator, item=a, accept=False, reason="Outside the project scope")
    report.refresh_from_db()
    assert report.state == ExpenseReportState.SUBMITTED
    services.expense_item_review(actor=world.coordinator, item=b, accept=True)
    report.refresh_from_db()
    assert report.state == ExpenseReportState.REVIEWED
    a.refresh_from_db()
    assert (a.status, a.rejection_reason, a.reviewed_by) == ("rejected", "Outside the project scope", world.coordinator)
    with pytest.raises(TransitionNotAllowed):
        services.expense_item_review(actor=world.coordinator, item=b, accept=False, reason="changed my mind")


def test_empty_report_cannot_be_submitted(world, report):
    with pytest.raises(DomainError) as exc:
        services.expense_report_submit(actor=world.participant, report=report)
    assert exc.value.field == "items"


def test_report_period_inside_the_grant_and_one_final(world, grant):
    with pytest.raises(DomainError) as exc:
        services.expense_report_create(
            actor=world.participant,
            grant=grant,
            period_start=h.PERIOD[0] - dt.timedelta(days=1),
            period_end=dt.date(2026, 6, 30),
        )
    assert exc.value.field == "period_start"
    h.report(world, grant, final=True)
    with pytest.raises(DomainError) as exc:
        h.report(world, grant, final=True)
    assert exc.value.field == "is_final"


def test_outsiders_cannot_report(world, other, grant):
    for outsider in (world.tutor, world.evaluator, other.participant, other.coordinator):
        with pytest.raises(NotPermitted):
            h.report(world, grant, actor=outsider)


def test_budget_against_actual_in_one_query(world, grant, report, django_assert_num_queries):
    a = h.item(world, report, "1000.00", category="equipment")
    h.item(world, report, "250.50", category="equipment")
    c = h.item(world, report, "300.00", category="services")
    h.item(world, report, "99.99", category="promotion")
    services.expense_report_submit(actor=world.participant, report=report)
    services.expense_item_review(actor=world.coordinator, item=a, accept=True)
    services.expense_item_review(actor=world.coordinator, item=c, accept=False, reason="No quote attached")
    with django_assert_num_queries(1):
        rows = {row.category: row for row in budget_vs_actual(grant)}
    assert set(rows) == {"equipment", "services", "promotion"}
    eq = rows["equipment"]
    assert (eq.budget, eq.accepted, eq.pending, eq.remaining) == (
        Decimal("40000.00"),
        Decimal("1000.00"),
        Decimal("250.50"),
        Decimal("39000.00"),
    )
    assert eq.used_pct == Decimal("2.50")
    assert (rows["services"].accepted, rows["services"].pending) == (Decimal("0.00"), Decimal("0.00"))
    assert rows["promotion"].pending == Decimal("99.99")
