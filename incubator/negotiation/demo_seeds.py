"""The seed programmes beside INNESCO, each running its own procedure (issue #19):

- ``PUGLIA-HUBS`` (Puglia, social innovation hubs): a negotiation call open to
  municipalities over 20,000 residents; two municipalities apply, one of them leading a
  partnership with a social cooperative and a third-sector body; Lecce's proposal is
  negotiated to the grant (a meeting, a revision requested and made, the agreement) and,
  with the hubs' measures, the grant awarded (the de minimis register records each
  partner's share), Brindisi's is in co-design with a revision requested.
- ``WECARE`` (Piemonte WECARE): a company-welfare call answered by a company, scored and
  ranked, the company admitted.

The programmes are fetched by code (the "measures" step builds the same codes with their
measures and funds); the coordinator and evaluator personas get roles in both, so that
``seed_demo --reset`` removes them. Built through the real services. It lives in the
negotiation package because the Puglia flow ends in a grant (selection may not import
funding or negotiation)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from incubator import services as core_services
from incubator.demo_context import DemoContext
from incubator.funding import services as funding_services
from incubator.models import ApplicantKind, Fund, Measure, Programme, Role, RoleAssignment, User
from incubator.negotiation import services
from incubator.organisations import services as organisation_services
from incubator.organisations.models import Organisation
from incubator.selection import applying, office, partnerships, reviews
from incubator.selection import services as selection_services
from incubator.selection.models import Application, Call, FormSection, Question
from incubator.taxcode import make_tax_code, make_vat_number

PUGLIA_CODE = "PUGLIA-HUBS"
WECARE_CODE = "WECARE"
DEMO_PREFIX = "demo-"


def _programme(ctx: DemoContext, code: str, **fields) -> Programme:
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        programme = core_services.programme_create(actor=ctx.users["admin"], code=code, **fields)
    for username, role in (("coordinator", Role.COORDINATOR), ("evaluator", Role.EVALUATOR)):
        user = ctx.users[username]
        if not RoleAssignment.objects.filter(user=user, programme=programme, role=role).exists():
            core_services.role_grant(actor=ctx.users["admin"], user=user, programme=programme, role=role)
    return programme


def _user(username: str, first: str, last: str) -> User:
    user, _created = User.objects.get_or_create(
        username=f"{DEMO_PREFIX}{username}",
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def _rome(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _form(ctx: DemoContext, call: Call, questions: list[tuple[str, str]]) -> list[Question]:
    coordinator = ctx.users["coordinator"]
    section = office.section_save(
        actor=coordinator, section=FormSection(call=call, title_it="Proposta", title_en="Proposal", order=1)
    )
    return [
        office.question_save(
            actor=coordinator,
            question=Question(section=section, kind="long_text", label_it=it, label_en=en, order=n, required=True),
        )
        for n, (it, en) in enumerate(questions)
    ]


def _apply(
    ctx: DemoContext,
    call: Call,
    *,
    user: User,
    tax_code: str,
    title: str,
    organisation: Organisation,
    answers: dict[Question, str],
    budget: list[tuple[str, str, str]],
    at: dt.datetime,
) -> Application:
    application = applying.draft_start(
        actor=user,
        call=call,
        title=title,
        applicant_kind=ApplicantKind.THIRD_SECTOR if organisation.kind != "company" else ApplicantKind.COMPANY,
        first_name=user.first_name,
        last_name=user.last_name,
        tax_code=tax_code,
        at=at,
    )
    applying.answers_save(actor=user, application=application, values={f"q{q.pk}": v for q, v in answers.items()})
    for category, description, amount in budget:
        applying.budget_item_add(
            actor=user, application=application, category=category, description=description, amount=Decimal(amount)
        )
    partnerships.application_set_organisation(actor=user, application=application, organisation=organisation)
    return application


def _organisation(ctx: DemoContext, programme: Programme, *, member: User | None = None, **fields) -> Organisation:
    existing = Organisation.objects.filter(programme=programme, name=fields["name"]).first()
    if existing:
        return existing
    organisation = organisation_services.organisation_create(
        actor=ctx.users["coordinator"], programme=programme, **fields
    )
    if member is not None:
        organisation_services.organisation_add_member(
            actor=ctx.users["coordinator"], organisation=organisation, user=member, position="Referente"
        )
    return organisation


def _draws_on(ctx: DemoContext, call: Call, code: str) -> None:
    """The call draws on the programme's measure ``code`` (built by the measures step,
    incubator.funding.demo_measures) for what it can award: places x maximum grant."""
    measure = Measure.objects.filter(programme=call.programme, code=code).first()
    if measure is not None:
        funding_services.call_budget_set(
            actor=ctx.users["coordinator"], call=call, shares={measure: call.places * call.grant_max}
        )


def seed_puglia(ctx: DemoContext) -> None:
    today = ctx.today
    coordinator = ctx.users["coordinator"]
    programme = _programme(
        ctx,
        PUGLIA_CODE,
        name="Puglia – Hub di innovazione sociale",
        action="3.2 / 9.3",
        fund=Fund.FESR,
        budget=Decimal("17400000.00"),
        starts_on=today.replace(month=1, day=1) - dt.timedelta(days=365),
        ends_on=today.replace(month=12, day=31) + dt.timedelta(days=3 * 365),
        target_areas=["Comuni capoluogo", "Comuni oltre 20.000 abitanti"],
        managing_body="Regione Puglia",
    )
    opens = today - dt.timedelta(days=150)
    call = selection_services.call_create(
        actor=coordinator,
        programme=programme,
        title="Hub di innovazione sociale – procedura negoziale con i Comuni",
        reference=f"PUGLIA-HUBS/{opens.year}/01",
        opens_at=_rome(opens, 9),
        closes_at=_rome(opens + dt.timedelta(days=45), 12),
        procedure="negotiation",
        eligible_organisation_kinds=["municipality"],
        min_population=20000,
        places=10,
        pass_threshold=Decimal("0"),
        grant_min=Decimal("100000.00"),
        grant_max=Decimal("300000.00"),
        max_months=36,
        criteria=[],
    )
    _draws_on(ctx, call, "3.2")  # the hubs' FESR action (spaces and infrastructure)
    aims, partners_q = _form(
        ctx,
        call,
        [
            ("Obiettivi dell'hub e bisogni del territorio", "Aims of the hub and local needs"),
            ("Partenariato pubblico-privato e ruoli", "Public-private partnership and roles"),
        ],
    )
    lecce_user = _user("comune-lecce", "Anna", "Greco")
    brindisi_user = _user("comune-brindisi", "Marco", "Leone")
    lecce = _organisation(
        ctx,
        programme,
        member=lecce_user,
        kind="municipality",
        name="Comune di Lecce",
        tax_code=make_vat_number(ctx.rng),
        istat_code="075035",
        population=94000,
    )
    brindisi = _organisation(
        ctx,
        programme,
        member=brindisi_user,
        kind="municipality",
        name="Comune di Brindisi",
        tax_code=make_vat_number(ctx.rng),
        istat_code="074001",
        population=83000,
    )
    coop = _organisation(
        ctx,
        programme,
        kind="social_cooperative",
        name="Cooperativa sociale Terra di Mezzo",
        tax_code=make_vat_number(ctx.rng),
    )
    aps = _organisation(
        ctx,
        programme,
        kind="third_sector",
        name="APS Quartieri Connessi",
        tax_code=make_vat_number(ctx.rng),
        runts_number="RUNTS-PUG-0001234",
    )
    at = _rome(opens + dt.timedelta(days=20), 11)
    lecce_app = _apply(
        ctx,
        call,
        user=lecce_user,
        tax_code=make_tax_code("Greco", "Anna", dt.date(1975, 1, 1), "F", "E506"),
        title="Hub di comunità Lecce – Manifatture Knos",
        organisation=lecce,
        answers={
            aims: "Un hub per l'inclusione lavorativa dei giovani NEET.",
            partners_q: "Comune capofila con cooperativa e APS.",
        },
        budget=[("personnel", "Animatori di comunità", "180000"), ("equipment", "Laboratori", "100000")],
        at=at,
    )
    partnerships.partnership_set(
        actor=lecce_user,
        application=lecce_app,
        partners=[
            {"organisation": lecce, "budget_share": "60", "activity": "Coordinamento e spazi"},
            {"organisation": coop, "budget_share": "25", "activity": "Inserimento lavorativo"},
            {"organisation": aps, "budget_share": "15", "activity": "Animazione di quartiere"},
        ],
    )
    brindisi_app = _apply(
        ctx,
        call,
        user=brindisi_user,
        tax_code=make_tax_code("Leone", "Marco", dt.date(1970, 1, 1), "M", "B180"),
        title="Hub del mare Brindisi",
        organisation=brindisi,
        answers={
            aims: "Servizi di prossimità nel quartiere Paradiso.",
            partners_q: "Comune con enti del terzo settore.",
        },
        budget=[("personnel", "Operatori sociali", "200000"), ("services", "Consulenze", "60000")],
        at=at + dt.timedelta(days=2),
    )
    for application, when in ((lecce_app, at), (brindisi_app, at + dt.timedelta(days=2))):
        selection_services.application_submit(actor=application_user(application), application=application, at=when)
        selection_services.application_check(actor=coordinator, application=application, answers=[], eligible=True)

    lecce_neg = services.negotiation_open(actor=coordinator, application=lecce_app)
    services.meeting_log(
        actor=coordinator,
        negotiation=lecce_neg,
        held_at=_rome(today - dt.timedelta(days=60), 10),
        participants="Regione Puglia (ufficio), Comune di Lecce, Cooperativa Terra di Mezzo, APS Quartieri Connessi",
        notes="Primo tavolo di co-progettazione: rafforzare i laboratori e ridurre i costi di personale.",
    )
    services.revision_request(
        actor=coordinator,
        negotiation=lecce_neg,
        notes="Aggiungere un laboratorio di fabbricazione digitale e ridurre il personale a 160.000 EUR.",
    )
    services.proposal_revise(
        actor=lecce_user,
        negotiation=lecce_neg,
        answers={f"q{aims.pk}": "Un hub per l'inclusione lavorativa dei giovani NEET, con un FabLab aperto."},
        budget=[
            {"category": "personnel", "description": "Animatori di comunità", "amount": "160000"},
            {"category": "equipment", "description": "Laboratori e FabLab", "amount": "130000"},
        ],
        note="FabLab aggiunto, personale ridotto.",
    )
    services.meeting_log(
        actor=coordinator,
        negotiation=lecce_neg,
        held_at=_rome(today - dt.timedelta(days=30), 10),
        participants="Regione Puglia (ufficio), Comune di Lecce",
        notes="Versione 2 condivisa: si procede all'accordo.",
    )
    services.negotiation_agree(
        actor=coordinator, negotiation=lecce_neg, amount="280000", note="Accordo sulla versione 2 della proposta."
    )
    grant = services.negotiation_grant(actor=coordinator, negotiation=lecce_neg)
    # With the hubs' measures (the measures step, incubator.funding.demo_measures) the grant
    # is awarded: the de minimis register gets one entry per partner with its share (Lecce
    # 60 %, the cooperative 25 %, the APS 15 % of 280,000 EUR).
    if call.budget_split.exists():
        funding_services.grant_award(
            actor=coordinator,
            grant=grant,
            decided_on=today,
            cup=f"B81H{today:%y}{ctx.rng.randint(10**8, 10**9 - 1)}",
            cor=str(ctx.rng.randint(1000000, 9999999)),
        )

    brindisi_neg = services.negotiation_open(actor=coordinator, application=brindisi_app)
    services.meeting_log(
        actor=coordinator,
        negotiation=brindisi_neg,
        held_at=_rome(today - dt.timedelta(days=10), 15),
        participants="Regione Puglia (ufficio), Comune di Brindisi",
        notes="Da precisare il partenariato e il cronoprogramma.",
    )
    services.revision_request(
        actor=coordinator, negotiation=brindisi_neg, notes="Indicare i partner del terzo settore e il cronoprogramma."
    )
    ctx.extra["puglia_negotiations"] = [lecce_neg.pk, brindisi_neg.pk]


def application_user(application: Application) -> User:
    return application.venture.team.select_related("person__user").get(role="lead").person.user


def seed_wecare(ctx: DemoContext) -> None:
    today = ctx.today
    coordinator, evaluator = ctx.users["coordinator"], ctx.users["evaluator"]
    programme = _programme(
        ctx,
        WECARE_CODE,
        name="WECARE – Welfare Cantiere Regionale (Piemonte)",
        action="Asse II",
        fund=Fund.FSE,
        budget=Decimal("20000000.00"),
        starts_on=today.replace(month=1, day=1) - dt.timedelta(days=365),
        ends_on=today.replace(month=12, day=31) + dt.timedelta(days=2 * 365),
        target_areas=["Piemonte"],
        managing_body="Regione Piemonte",
    )
    opens = today - dt.timedelta(days=120)
    call = selection_services.call_create(
        actor=coordinator,
        programme=programme,
        title="Welfare aziendale aperto al territorio",
        reference=f"WECARE/{opens.year}/4",
        opens_at=_rome(opens, 9),
        closes_at=_rome(opens + dt.timedelta(days=40), 12),
        eligible_organisation_kinds=["company"],
        eligible_company_sizes=["small", "medium", "large"],
        places=5,
        pass_threshold=Decimal("12"),
        grant_min=Decimal("20000.00"),
        grant_max=Decimal("200000.00"),
        max_months=24,
        criteria=[
            {"name": "Apertura al territorio", "weight": Decimal("1"), "max_score": Decimal("10")},
            {"name": "Sostenibilità", "weight": Decimal("1"), "max_score": Decimal("10")},
        ],
    )
    _draws_on(ctx, call, "M4")  # company welfare open to the territory
    (plan,) = _form(ctx, call, [("Piano di welfare aziendale", "Company welfare plan")])
    hr_user = _user("tessiture-biellesi", "Elena", "Ferraris")
    company = _organisation(
        ctx,
        programme,
        member=hr_user,
        kind="company",
        name="Tessiture Biellesi S.p.A.",
        tax_code=make_vat_number(ctx.rng),
        company_size="medium",
    )
    at = _rome(opens + dt.timedelta(days=10), 10)
    application = _apply(
        ctx,
        call,
        user=hr_user,
        tax_code=make_tax_code("Ferraris", "Elena", dt.date(1980, 1, 1), "F", "A859"),
        title="Nido aziendale aperto al quartiere",
        organisation=company,
        answers={plan: "Asilo nido aziendale con posti per le famiglie del quartiere e servizi di conciliazione."},
        budget=[("services", "Gestione del nido", "90000"), ("equipment", "Arredi", "30000")],
        at=at,
    )
    selection_services.application_submit(actor=hr_user, application=application, at=at)
    selection_services.application_check(actor=coordinator, application=application, answers=[], eligible=True)
    reviews.call_assign_evaluators(actor=coordinator, call=call, per_application=1)
    evaluation = application.evaluations.get(evaluator=evaluator)
    scores = {c.pk: Decimal("8") for c in call.criteria.all()}
    selection_services.evaluation_submit_scores(
        actor=evaluator, evaluation=evaluation, scores=scores, comment="Solido."
    )
    selection_services.call_compute_ranking(actor=coordinator, call=call)
    selection_services.call_decide_ranking(actor=coordinator, call=call, starts_on=today)
    # Company welfare is a measure without incubation: the grant is proposed and awarded
    # with no cohort, tutoring or attendance behind it.
    if call.budget_split.exists():
        application.refresh_from_db()
        grant = funding_services.grant_propose(
            actor=coordinator,
            application=application,
            amount=Decimal("120000.00"),
            undertaking=company.tax_code,
            cup=f"J11H{today:%y}{ctx.rng.randint(10**8, 10**9 - 1)}",
            cor=str(ctx.rng.randint(1000000, 9999999)),
        )
        funding_services.grant_award(actor=coordinator, grant=grant, decided_on=today)


DEMO_STEPS = [(800, seed_puglia), (801, seed_wecare)]
