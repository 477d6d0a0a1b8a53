"""Demo data, step 50 ("funding"): the programme's crowdfunding matching rule, grants at
different stages on the admitted ventures that passed the eligibility checks (attendance
included), with budget, tranches and expense reports, a declared de minimis aid, and two
civic crowdfunding campaigns of ideas referred to crowdfunding tutoring: one matched, one
short of the matching threshold. Everything through ``incubator.funding.services``."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from incubator.demo_context import DemoContext
from incubator.funding import services
from incubator.funding.eligibility import NotEligible
from incubator.funding.models import Grant
from incubator.models import LegalForm, TeamMember, validate_tax_code
from incubator.path.models import Enrolment
from incubator.selection.models import Application
from incubator.taxcode import make_vat_number

# In order of preference: only ventures whose participants reached the cohort's grant
# attendance threshold get a grant, so with few of them the first stages are shown.
STAGES = ("interim", "contract", "awarded", "proposed", "reporting")
CONTRACTED = ("interim", "reporting", "contract")
SUPPLIERS = [
    ("Tipografia Vesuviana snc", "equipment", "Stampa materiali e allestimento"),
    ("Informatica Partenopea srl", "equipment", "Due computer portatili"),
    ("Studio Esposito commercialisti", "services", "Consulenza fiscale e avvio attività"),
    ("Agenzia Golfo Comunicazione", "promotion", "Campagna social e sito web"),
    ("Falegnameria Sanità", "equipment", "Arredi per il laboratorio"),
    ("Cooperativa Servizi Quartieri", "services", "Formazione sicurezza sul lavoro"),
]
BUDGET_SHARES = {"equipment": Decimal("0.45"), "services": Decimal("0.35"), "promotion": Decimal("0.20")}
PDF = b"%PDF-1.4\n% demo invoice\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _undertaking(ctx: DemoContext, enrolment: Enrolment) -> str:
    """The venture's registration number when it is a valid code, else a generated one."""
    latest = enrolment.application.venture.legal_forms.exclude(registration_number="").order_by("-effective_on").first()
    if latest:
        try:
            validate_tax_code(latest.registration_number)
            return latest.registration_number
        except ValidationError:
            pass
    return make_vat_number(ctx.rng)


def _incorporated_by(enrolment: Enrolment, day: dt.date) -> bool:
    form = enrolment.application.venture.legal_forms.filter(effective_on__lte=day).order_by("-effective_on").first()
    return bool(form) and form.legal_form != LegalForm.INFORMAL_GROUP


def _amount(ctx: DemoContext) -> Decimal:
    call = ctx.call
    steps = int((call.grant_max - call.grant_min) / 500)
    return call.grant_min + 500 * ctx.rng.randint(0, steps)


def _invoice(ctx: DemoContext, grant: Grant, report, n: int, day: dt.date, amount: Decimal, beneficiary):
    supplier, category, description = SUPPLIERS[n % len(SUPPLIERS)]
    return services.expense_item_add(
        actor=beneficiary,
        report=report,
        category=category,
        supplier=supplier,
        supplier_tax_id=make_vat_number(ctx.rng),
        invoice_number=f"{ctx.rng.randint(1, 400)}/{day.year}",
        invoice_date=day,
        amount=amount,
        invoice_has_cup=True,
        document=SimpleUploadedFile(f"fattura-{grant.pk}-{n}.pdf", PDF, content_type="application/pdf"),
        description=description,
    )


def _beneficiary(ctx: DemoContext, enrolment: Enrolment):
    lead = (
        TeamMember.objects.filter(venture=enrolment.application.venture, person__user__isnull=False)
        .select_related("person__user")
        .first()
    )
    return lead.person.user if lead else ctx.users["coordinator"]


def _grant_at(ctx: DemoContext, enrolment: Enrolment, stage: str, dates: dict[str, dt.date]) -> Grant | None:
    coordinator = ctx.users["coordinator"]
    amount = _amount(ctx)
    budget = {c: (amount * share).quantize(Decimal("0.01")) for c, share in BUDGET_SHARES.items()}
    try:
        grant = services.grant_propose(
            actor=coordinator,
            application=enrolment.application,
            amount=amount,
            undertaking=_undertaking(ctx, enrolment),
            cup=f"B61H{dates['decided_on']:%y}{ctx.rng.randint(10**8, 10**9 - 1)}",
            cor=str(ctx.rng.randint(1000000, 9999999)),
            budget=budget,
            internal_note="Verificare il DURC prima di ogni pagamento.",
            on=dates["proposed_on"],
        )
    except NotEligible:
        return None
    if stage == "proposed":
        return grant
    services.grant_award(actor=coordinator, grant=grant, decided_on=dates["decided_on"])
    if stage == "awarded":
        return grant
    services.grant_sign_contract(
        actor=coordinator,
        grant=grant,
        signed_on=dates["signed_on"],
        starts_on=dates["signed_on"],
        ends_on=dates["signed_on"] + dt.timedelta(days=540),
    )
    beneficiary = _beneficiary(ctx, enrolment)
    advance = (grant.amount * Decimal("0.30")).quantize(Decimal("0.01"))
    tranche = services.tranche_request(
        actor=beneficiary,
        grant=grant,
        kind="advance",
        amount=advance,
        guarantee_reference=f"Polizza fideiussoria n. {ctx.rng.randint(100000, 999999)}",
    )
    if stage == "contract":
        return grant
    services.tranche_pay(actor=coordinator, tranche=tranche, paid_on=dates["signed_on"] + dt.timedelta(days=10))
    services.grant_start(actor=coordinator, grant=grant)
    report = services.expense_report_create(
        actor=beneficiary, grant=grant, period_start=dates["signed_on"], period_end=dates["report_end"]
    )
    # Enough spending for the interim payment (30 % of the grant) plus a rejected invoice.
    share = (grant.amount * Decimal("0.11")).quantize(Decimal("0.01"))
    span = max(1, (dates["report_end"] - dates["signed_on"]).days)
    items = [
        _invoice(
            ctx, grant, report, n, dates["signed_on"] + dt.timedelta(days=ctx.rng.randint(0, span)), share, beneficiary
        )
        for n in range(4)
    ]
    services.expense_report_submit(actor=beneficiary, report=report)
    if stage == "reporting":
        return grant
    *accepted, rejected = items
    for item in accepted:
        services.expense_item_review(actor=coordinator, item=item, accept=True)
    services.expense_item_review(
        actor=coordinator, item=rejected, accept=False, reason="Preventivo comparativo mancante: spesa non ammissibile."
    )
    services.tranche_request(
        actor=beneficiary,
        grant=grant,
        kind="interim",
        amount=(grant.amount * Decimal("0.30")).quantize(Decimal("0.01")),
    )
    # The next period's report, submitted and waiting for the coordinator's review.
    start = dates["report_end"] + dt.timedelta(days=1)
    second = services.expense_report_create(
        actor=beneficiary, grant=grant, period_start=start, period_end=ctx.today - dt.timedelta(days=1)
    )
    for n in range(4, 6):
        day = start + dt.timedelta(days=ctx.rng.randint(0, max(0, (ctx.today - start).days - 1)))
        _invoice(ctx, grant, second, n, day, (grant.amount * Decimal("0.04")).quantize(Decimal("0.01")), beneficiary)
    services.expense_report_submit(actor=beneficiary, report=second)
    return grant


def _campaigns(ctx: DemoContext) -> list:
    coordinator = ctx.users["coordinator"]
    services.matching_rule_set(
        actor=coordinator, programme=ctx.programme, threshold_pct="40", match_rate_pct="50", cap="15000"
    )
    referred = list(
        Application.objects.filter(call=ctx.call, crowdfunding_referral=True)
        .select_related("venture")
        .order_by("rank", "pk")
    )
    persona = ctx.users.get("participant2")
    referred.sort(key=lambda a: not a.venture.team.filter(person__user=persona).exists())
    plans = [
        # (platform, model, budget, goal, raised, backers): matched, then short of 40 % of the budget.
        ("Produzioni dal Basso", "reward", Decimal("20000.00"), Decimal("8000.00"), Decimal("9350.00"), 164),
        ("Eppela", "donation", Decimal("30000.00"), Decimal("6000.00"), Decimal("7210.00"), 98),
    ]
    made = []
    for application, (platform, model, budget, goal, raised, backers) in zip(referred, plans, strict=False):
        starts_on = ctx.today - dt.timedelta(days=95 - 20 * len(made))
        campaign = services.campaign_create(
            actor=coordinator,
            venture=application.venture,
            platform=platform,
            url=f"https://www.example.org/{platform.lower().replace(' ', '-')}/{application.venture.pk}",
            model=model,
            budget=budget,
            goal=goal,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=60),
            internal_note="Seguita dal tutor nel percorso di crowdfunding civico.",
        )
        services.campaign_launch(actor=coordinator, campaign=campaign)
        services.campaign_record_progress(actor=coordinator, campaign=campaign, raised=raised / 2, backers=backers // 2)
        services.campaign_close(
            actor=coordinator, campaign=campaign, raised=raised, backers=backers, on=starts_on + dt.timedelta(days=60)
        )
        made.append(campaign)
    return made


def seed_funding(ctx: DemoContext) -> None:
    today = ctx.today
    dates = {
        "proposed_on": today - dt.timedelta(days=75),
        "decided_on": today - dt.timedelta(days=60),
        "signed_on": today - dt.timedelta(days=45),
        "report_end": today - dt.timedelta(days=20),
    }
    persona = ctx.users.get("participant")
    enrolments = sorted(
        ctx.enrolments,
        key=lambda e: not e.application.venture.team.filter(person__user=persona).exists(),
    )
    grants: list[Grant] = []
    stages = list(STAGES)
    for enrolment in enrolments:
        # From the contract on, the venture must already be a legal entity; ventures that
        # are not yet one can still be proposed or awarded a grant.
        incorporated = _incorporated_by(enrolment, dates["signed_on"])
        stage = next((s for s in stages if incorporated or s not in CONTRACTED), None)
        if stage is None:
            continue
        grant = _grant_at(ctx, enrolment, stage, dates)
        if grant is not None:
            grants.append(grant)
            stages.remove(stage)
    if grants:
        first = grants[0]
        services.de_minimis_declare(
            actor=ctx.users["coordinator"],
            venture=first.venture,
            undertaking=first.undertaking,
            granting_body="Regione Campania – Bonus microimprese",
            granted_on=today - dt.timedelta(days=700),
            amount=Decimal("18500.00"),
            note="Dichiarazione sostitutiva allegata alla domanda.",
        )
    ctx.extra["grants"] = grants
    ctx.extra["campaigns"] = _campaigns(ctx)


DEMO_STEPS = [(50, seed_funding)]
