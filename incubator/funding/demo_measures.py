"""Demo data, step 900 ("measures"), after every other step: the three seed programmes
side by side with their measures and funds. INNESCO's single measure (action 3.3.1, FESR,
2,668,337 EUR; its grants, awarded in step 50, already commit against it) and its call's
shares of it; the Puglia social innovation hubs (FESR Action 3.2, 12,000,000 EUR, and FSE
Action 9.3, 5,400,000 EUR: the first multi-fund procedure) and Piemonte's WECARE (20 M EUR,
15 M FSE and 5 M FESR, over five measures). Programmes and measures are found by code
before being created (``get``-or-create), since the demo of the applicants beyond idea
holders creates the same programmes with their calls. The coordinator persona coordinates
all three. Everything through the services."""

import datetime as dt
from decimal import Decimal

from incubator import services as core_services
from incubator.demo_context import DemoContext
from incubator.funding import services
from incubator.funding.models import CallBudget
from incubator.models import Fund, Measure, Programme, Role

INNESCO = "CT3.3.1.a"
# The split of WECARE's 20 M EUR among its measures is not in the seed except company
# welfare (4 M EUR); the others are the demo's, adding up to 15 M FSE and 5 M FESR.
PROGRAMMES = {
    "PUGLIA-HUBS": {
        "name": "Hub di Innovazione Sociale – Regione Puglia",
        "action": "3.2 / 9.3",
        "fund": Fund.FESR,
        "budget": Decimal("17400000.00"),
        "managing_body": "Regione Puglia",
        "measures": [
            ("3.2", "Hub di innovazione sociale: spazi e infrastrutture", Fund.FESR, "3.2", "12000000.00", False),
            ("9.3", "Hub di innovazione sociale: servizi di inclusione", Fund.FSE, "9.3", "5400000.00", False),
        ],
    },
    "WECARE": {
        "name": "WECARE – Welfare cantiere regionale, Regione Piemonte",
        "action": "",
        "fund": Fund.FSE,
        "budget": Decimal("20000000.00"),
        "managing_body": "Regione Piemonte",
        "measures": [
            ("M1", "Distretti di coesione sociale", Fund.FSE, "", "4000000.00", False),
            ("M2", "Servizi innovativi", Fund.FSE, "", "5000000.00", False),
            ("M3", "Crescita di imprese sociali e start-up", Fund.FESR, "", "5000000.00", True),
            ("M4", "Welfare aziendale aperto al territorio", Fund.FSE, "", "4000000.00", False),
            ("M5", "Misura di sistema", Fund.FSE, "", "2000000.00", False),
        ],
    },
}


def _programme(ctx: DemoContext, code: str, spec: dict) -> Programme:
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        starts_on = ctx.today.replace(month=1, day=1)
        programme = core_services.programme_create(
            actor=ctx.users["admin"],
            name=spec["name"],
            code=code,
            action=spec["action"],
            fund=spec["fund"],
            budget=spec["budget"],
            starts_on=starts_on,
            ends_on=starts_on.replace(year=starts_on.year + 4) - dt.timedelta(days=1),
            managing_body=spec["managing_body"],
        )
    core_services.role_grant(
        actor=ctx.users["admin"], user=ctx.users["coordinator"], programme=programme, role=Role.COORDINATOR
    )
    return programme


def _measure(ctx: DemoContext, programme: Programme, code, title, fund, action, budget, incubation) -> Measure:
    existing = Measure.objects.filter(programme=programme, code=code).first()
    if existing is not None:
        return existing
    return services.measure_create(
        actor=ctx.users["coordinator"],
        programme=programme,
        code=code,
        title=title,
        fund=fund,
        action=action,
        budget=Decimal(budget),
        incubation=incubation,
    )


def seed_measures(ctx: DemoContext) -> None:
    coordinator = ctx.users["coordinator"]
    innesco = Programme.objects.get(code=INNESCO)
    measure = _measure(ctx, innesco, "3.3.1", innesco.name[:200], Fund.FESR, "3.3.1", "2668337.00", True)
    # Each call draws what it can award (places x maximum grant) while the measure lasts,
    # in opening order (the rule migration 0022 applied to existing calls).
    left = measure.budget - sum(CallBudget.objects.filter(measure=measure).values_list("amount", flat=True))
    for call in innesco.calls.order_by("opens_at", "pk"):
        if not CallBudget.objects.filter(call=call).exists():
            share = max(Decimal(0), min(left, call.places * call.grant_max))
            services.call_budget_set(actor=coordinator, call=call, shares={measure: share})
            left -= share
    for code, spec in PROGRAMMES.items():
        programme = _programme(ctx, code, spec)
        for row in spec["measures"]:
            _measure(ctx, programme, *row)
    ctx.extra["measure_programmes"] = [INNESCO, *PROGRAMMES]


# Before the seed programmes' calls (800, incubator.negotiation.demo_seeds), so that their
# calls draw on these measures and their grants commit against them.
DEMO_STEPS = [(790, seed_measures)]
