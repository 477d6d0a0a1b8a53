"""The seed programmes run their own flows end to end, as ``seed_demo`` builds them:
the Puglia hubs by negotiation (two municipalities over 20,000 residents, one
partnership, one negotiation to the grant, awarded with the hubs' measures: one de minimis
entry per partner) and WECARE by scoring (a company-welfare call
answered by a company, ranked and admitted). INNESCO's flow is tested in tests/selection."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from incubator.demo_context import DemoContext
from incubator.funding.models import Grant
from incubator.models import RoleAssignment
from incubator.negotiation import demo_seeds
from incubator.negotiation.models import Negotiation
from incubator.selection.demo import create_personas
from incubator.selection.models import Application, ApplicationPartner

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx():
    context = DemoContext(rng=random.Random(19), today=timezone.localdate())
    create_personas(context)
    return context


def test_puglia_hubs_negotiate_with_two_municipalities_to_a_grant(ctx):
    demo_seeds.seed_puglia(ctx)
    applications = Application.objects.filter(call__programme__code="PUGLIA-HUBS").select_related("organisation")
    assert {a.organisation.kind for a in applications} == {"municipality"}
    assert all(a.organisation.population > 20000 for a in applications)
    assert applications.count() == 2 and {a.call.procedure for a in applications} == {"negotiation"}
    shares = ApplicationPartner.objects.filter(application__in=applications)
    assert sorted(str(p.budget_share) for p in shares) == ["15.00", "25.00", "60.00"]
    lecce = Negotiation.objects.get(application__organisation__name="Comune di Lecce")
    assert lecce.state == "granted" and lecce.versions.count() == 2 and lecce.meetings.count() == 2
    grant = Grant.objects.get(application=lecce.application)
    assert grant.amount == 280000 and grant.undertaking == lecce.application.organisation.tax_code
    assert grant.state == "proposed"  # without the hubs' measures (the measures step) it is not awarded
    assert lecce.application.state == "admitted" and lecce.application.rank is None
    brindisi = Negotiation.objects.get(application__organisation__name="Comune di Brindisi")
    assert brindisi.state == "revision_requested"
    assert RoleAssignment.objects.filter(user=ctx.users["coordinator"], programme__code="PUGLIA-HUBS").exists()


def test_wecare_company_welfare_call_answered_by_a_company(ctx):
    demo_seeds.seed_wecare(ctx)
    (application,) = Application.objects.filter(call__programme__code="WECARE").select_related("organisation", "call")
    assert application.organisation.kind == "company" and application.organisation.company_size == "medium"
    assert application.call.eligible_organisation_kinds == ["company"]
    assert application.state == "admitted" and application.rank == 1 and application.score == 16
    assert RoleAssignment.objects.filter(user=ctx.users["coordinator"], programme__code="WECARE").exists()


def test_the_steps_run_after_the_others_and_reuse_a_programme_by_code(ctx):
    assert [order for order, _step in demo_seeds.DEMO_STEPS] == [800, 801]
    from incubator import services as core_services
    from incubator.models import Fund

    core_services.programme_create(
        actor=ctx.users["admin"],
        code="WECARE",
        name="WECARE (from the measures step)",
        fund=Fund.FSE,
        budget=20000000,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2029, 12, 31),
    )
    demo_seeds.seed_wecare(ctx)
    assert Application.objects.filter(call__programme__name="WECARE (from the measures step)").count() == 1


def test_wecare_company_welfare_grant_is_awarded_without_incubation(ctx):
    """With the measures step's WECARE measures (incubator.funding.demo_measures), the call
    draws on company welfare (a measure without incubation) and the company's grant is
    awarded against it: no cohort, tutoring or attendance needed."""
    from decimal import Decimal

    from incubator.funding.demo_measures import PROGRAMMES, _measure, _programme
    from incubator.funding.models import CallBudget

    spec = PROGRAMMES["WECARE"]
    programme = _programme(ctx, "WECARE", spec)
    for row in spec["measures"]:
        _measure(ctx, programme, *row)
    demo_seeds.seed_wecare(ctx)
    (application,) = Application.objects.filter(call__programme__code="WECARE")
    (split,) = CallBudget.objects.filter(call=application.call).select_related("measure")
    assert split.measure.code == "M4" and split.measure.incubation is False
    assert split.amount == application.call.places * application.call.grant_max
    grant = Grant.objects.get(application=application)
    assert (grant.state, grant.amount, grant.measure_id) == ("awarded", Decimal("120000.00"), split.measure_id)
    assert grant.undertaking == application.organisation.tax_code and grant.cup and grant.cor
    from cohorts.models import CohortEnrolment

    assert not CohortEnrolment.objects.filter(enrolment__application=application).exists()  # in no cohort


def test_puglia_partnership_grant_is_awarded_with_one_register_entry_per_partner(ctx):
    """With the measures step's Puglia measures (incubator.funding.demo_measures) the hubs'
    call draws on measure 3.2 (grants only) and Lecce's grant is awarded: the de minimis
    register records Lecce's 60 %, the cooperative's 25 % and the APS's 15 % of 280,000 EUR,
    each as its own undertaking with its own check."""
    from decimal import Decimal

    from incubator.funding.demo_measures import PROGRAMMES, _measure, _programme
    from incubator.funding.models import DeMinimisAid

    spec = PROGRAMMES["PUGLIA-HUBS"]
    programme = _programme(ctx, "PUGLIA-HUBS", spec)
    for row in spec["measures"]:
        _measure(ctx, programme, *row)
    demo_seeds.seed_puglia(ctx)
    grant = Grant.objects.get(application__organisation__name="Comune di Lecce")
    assert grant.state == "awarded" and grant.measure.code == "3.2" and grant.cup and grant.cor
    partners = {
        p.organisation.tax_code: p.organisation.name
        for p in ApplicationPartner.objects.filter(application=grant.application).select_related("organisation")
    }
    entries = {
        partners[aid.undertaking]: (aid.amount, aid.check_record.amount, aid.cor)
        for aid in DeMinimisAid.objects.filter(grant=grant).select_related("check_record")
    }
    assert entries == {
        "Comune di Lecce": (Decimal("168000.00"), Decimal("168000.00"), grant.cor),
        "Cooperativa sociale Terra di Mezzo": (Decimal("70000.00"), Decimal("70000.00"), grant.cor),
        "APS Quartieri Connessi": (Decimal("42000.00"), Decimal("42000.00"), grant.cor),
    }
