"""Shared steps for the funding tests: an admitted application whose venture became a
legal entity, a grant brought to a given stage through the services, and documents."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incubator import services as pipeline
from incubator.funding import services
from incubator.funding.models import ExpenseReport, Grant
from incubator.models import LegalForm
from incubator.path.models import Enrolment
from incubator.selection.models import ApplicationState

DECIDED_ON = dt.date(2026, 3, 2)
INCORPORATED_ON = dt.date(2026, 3, 20)
SIGNED_ON = dt.date(2026, 4, 1)
PERIOD = (dt.date(2026, 4, 1), dt.date(2027, 12, 31))
BUDGET_SHARES = {"equipment": Decimal("0.4"), "services": Decimal("0.4"), "promotion": Decimal("0.2")}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def vat(n: int) -> str:
    """A valid Italian VAT number (partita IVA with its check digit), distinct for each n."""
    body = f"{n:07d}063"
    total = 0
    for i, ch in enumerate(body):
        digit = int(ch)
        if i % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return body + str((10 - total % 10) % 10)


def pdf(name: str = "invoice.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def admitted(world, application=None) -> Enrolment:
    """The application admitted with its enrolment (rows written directly: the selection
    pipeline has its own tests)."""
    application = application or world.application
    application.state = ApplicationState.ADMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["state", "submitted_at"])
    return Enrolment.objects.create(
        application=application, starts_on=dt.date(2026, 1, 15), ends_on=dt.date(2028, 12, 31), max_months=36
    )


def incorporate(world, venture=None, on: dt.date = INCORPORATED_ON, number: str | None = None):
    venture = venture or world.venture
    return pipeline.venture_change_legal_form(
        actor=world.coordinator,
        venture=venture,
        legal_form=LegalForm.SOCIAL_COOPERATIVE,
        effective_on=on,
        registration_number=number or vat(venture.pk),
    )


def proposed(world, amount="100000.00", application=None, **kwargs) -> Grant:
    application = application or world.application
    kwargs.setdefault("undertaking", vat(application.venture_id))
    kwargs.setdefault("cup", "B61H26000010006")
    kwargs.setdefault("cor", "1234567")
    budget = {
        category: (Decimal(amount) * share).quantize(Decimal("0.01")) for category, share in BUDGET_SHARES.items()
    }
    return services.grant_propose(
        actor=world.coordinator, application=application, amount=Decimal(amount), budget=budget, **kwargs
    )


def awarded(world, amount="100000.00", **kwargs) -> Grant:
    grant = proposed(world, amount, **kwargs)
    return services.grant_award(actor=world.coordinator, grant=grant, decided_on=DECIDED_ON)


def running(world, amount="100000.00", **kwargs) -> Grant:
    """A grant in progress, its venture incorporated before the contract."""
    grant = awarded(world, amount, **kwargs)
    incorporate(world, venture=grant.venture)
    services.grant_sign_contract(
        actor=world.coordinator, grant=grant, signed_on=SIGNED_ON, starts_on=PERIOD[0], ends_on=PERIOD[1]
    )
    return services.grant_start(actor=world.coordinator, grant=grant)


_invoices = iter(range(1, 10**6))


def item(world, report: ExpenseReport, amount="1000.00", actor=None, **kwargs):
    fields = {
        "category": "equipment",
        "supplier": "Ferramenta Partenopea srl",
        "supplier_tax_id": vat(900),
        "invoice_number": f"FT-{next(_invoices)}",
        "invoice_date": dt.date(2026, 5, 10),
        "amount": Decimal(amount),
        "invoice_has_cup": True,
        "document": pdf(),
    }
    fields.update(kwargs)
    return services.expense_item_add(actor=actor or world.participant, report=report, **fields)


def report(world, grant, *, final: bool = False, actor=None) -> ExpenseReport:
    start, end = (dt.date(2026, 4, 1), dt.date(2026, 9, 30)) if not final else (dt.date(2026, 10, 1), PERIOD[1])
    return services.expense_report_create(
        actor=actor or world.participant, grant=grant, period_start=start, period_end=end, is_final=final
    )


def accepted_spending(world, grant, amounts, *, final: bool = False) -> ExpenseReport:
    """A report with one item per amount, submitted and every item accepted."""
    rep = report(world, grant, final=final)
    items = [item(world, rep, amount) for amount in amounts]
    services.expense_report_submit(actor=world.participant, report=rep)
    for it in items:
        services.expense_item_review(actor=world.coordinator, item=it, accept=True)
    rep.refresh_from_db()
    return rep


def many_grants(world, n: int) -> list[Grant]:
    """``n`` grants in progress on as many admitted applications of ``world``, written
    as rows (for list query counts), each with a tranche, a report and an expense item."""
    from incubator.funding.models import ExpenseItem, Tranche
    from tests import factories as f

    grants = []
    for i in range(n):
        application = f.ApplicationFactory(
            call=world.call,
            venture=f.VentureFactory(programme=world.programme),
            state=ApplicationState.ADMITTED,
            submitted_at=timezone.now(),
        )
        grant = Grant.objects.create(
            venture=application.venture,
            application=application,
            undertaking=vat(5000 + application.venture_id),
            amount=Decimal("50000.00"),
            amount_min=Decimal("25000.00"),
            amount_max=Decimal("140000.00"),
            state="in_progress",
            decided_on=DECIDED_ON,
            contract_signed_on=SIGNED_ON,
            starts_on=PERIOD[0],
            ends_on=PERIOD[1],
        )
        Tranche.objects.create(
            grant=grant, kind="advance", amount=Decimal("100.00"), grant_amount=grant.amount, guarantee_reference="G"
        )
        report = ExpenseReport.objects.create(grant=grant, period_start=PERIOD[0], period_end=PERIOD[0])
        ExpenseItem.objects.create(
            report=report,
            grant=grant,
            category="equipment",
            supplier="S",
            supplier_tax_id=vat(9000 + i),
            invoice_number=f"R-{grant.pk}",
            invoice_date=PERIOD[0],
            amount=Decimal("10.00"),
            invoice_has_cup=True,
            document=f"grants/{grant.pk}/expenses/x.pdf",
        )
        grants.append(grant)
    return grants


def fill_grant(grant: Grant, n: int) -> None:
    """``n`` tranches, reports and expense items on one grant, as rows (query counts)."""
    from incubator.funding.models import ExpenseItem, Tranche

    for i in range(n):
        Tranche.objects.create(grant=grant, kind="interim", amount=Decimal("1.00"), grant_amount=grant.amount)
        day = PERIOD[0] + dt.timedelta(days=i + 1)  # report periods of a grant may not overlap
        report = ExpenseReport.objects.create(grant=grant, period_start=day, period_end=day)
        ExpenseItem.objects.create(
            report=report,
            grant=grant,
            category="equipment",
            supplier="S",
            supplier_tax_id=vat(7000 + i),
            invoice_number=f"Q-{i}",
            invoice_date=PERIOD[0],
            amount=Decimal("10.00"),
            invoice_has_cup=True,
            document=f"grants/{grant.pk}/expenses/q{i}.pdf",
        )


def partnership_entries(grants: list[Grant]) -> None:
    """Each grant's aid in the register as a partnership's would be (the lead 60 %, a
    partner 40 %), written as rows (for list query counts)."""
    from incubator.funding.models import DeMinimisAid

    for grant in grants:
        lead = (grant.amount * Decimal("0.6")).quantize(Decimal("0.01"))
        for undertaking, amount in ((grant.undertaking, lead), (vat(8000 + grant.pk), grant.amount - lead)):
            DeMinimisAid.objects.create(
                undertaking=undertaking,
                programme_id=grant.venture.programme_id,
                venture=grant.venture,
                grant=grant,
                source="ours",
                granting_body="Regione",
                granted_on=grant.decided_on or DECIDED_ON,
                amount=amount,
                cor="1234567",
            )


def partnership(world, application=None, shares=("33.33", "33.33", "33.34")):
    """The application led by an organisation whose code is the grant's undertaking, with a
    cooperative and an association as partners (rows written directly: the partnership's
    rules have their own tests in tests/selection)."""
    from incubator.selection.models import ApplicationPartner
    from tests.organisations.helpers import organisation

    application = application or world.application
    lead = organisation(
        world.programme, kind="municipality", name="Comune capofila", tax_code=vat(application.venture_id)
    )
    coop = organisation(world.programme, kind="social_cooperative", name="Coop Alfa")
    aps = organisation(world.programme, kind="third_sector", name="APS Beta")
    application.organisation = lead
    application.save(update_fields=["organisation"])
    for org, share in zip((lead, coop, aps), shares, strict=True):
        ApplicationPartner.objects.create(
            application=application,
            organisation=org,
            role="lead" if org is lead else "partner",
            budget_share=Decimal(share),
        )
    return lead, coop, aps
