"""Measures and funds: the calls' split, the grants' measure, the budget figures (one
definition) and the award refused above what is available, at the boundary and under
concurrency; measures without incubation; the register codes (COR, COVAR) and the de
minimis check recorded before the concession."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection

from incubator.exceptions import DomainError, NotPermitted
from incubator.funding import eligibility, services
from incubator.funding.budget import figures_of, programme_budget
from incubator.funding.models import AidVariation, CallBudget, DeMinimisAid, DeMinimisCheck, Grant, GrantState
from incubator.models import Fund, Measure
from tests import factories as f
from tests.funding import helpers as h

pytestmark = pytest.mark.django_db


def second_application(world):
    application = f.ApplicationFactory(call=world.call, venture=f.VentureFactory(programme=world.programme))
    h.admitted(world, application)
    return application


def measure(world, budget="150000.00", code="3.3.1", fund=Fund.FESR, **kwargs):
    return services.measure_create(
        actor=world.coordinator,
        programme=world.programme,
        code=code,
        title=f"Measure {code}",
        fund=fund,
        budget=Decimal(budget),
        **kwargs,
    )


def award(world, amount, application=None, **kwargs):
    grant = h.proposed(world, amount, application=application, **kwargs)
    return services.grant_award(actor=world.coordinator, grant=grant, decided_on=h.DECIDED_ON)


def test_a_programme_without_measures_commits_against_its_own_fund(world):
    h.admitted(world)
    grant = h.proposed(world, "60000.00")
    only = Measure.objects.get(programme=world.programme)
    assert (grant.measure, grant.fund) == (only, Fund.FESR)
    assert (only.budget, only.action) == (world.programme.budget, world.programme.action)


def test_exactly_the_available_amount_is_awarded_and_one_cent_more_is_refused(world):
    m = measure(world, "150000.00")
    h.admitted(world)
    award(world, "100000.00")
    other = second_application(world)
    over = h.proposed(world, "50000.01", application=other)
    with pytest.raises(DomainError) as refused:
        services.grant_award(actor=world.coordinator, grant=over, decided_on=h.DECIDED_ON)
    assert refused.value.field == "amount" and refused.value.code == "over_measure_budget"
    # the figures, as the reader's language writes them (Italian in these tests)
    message = str(refused.value.messages[0])
    assert "150.000,00" in message and "100.000,00" in message and "50.000,00" in message
    over.refresh_from_db()
    assert over.state == GrantState.PROPOSED and not DeMinimisAid.objects.filter(grant=over).exists()
    services.grant_update(actor=world.coordinator, grant=over, amount=Decimal("50000.00"))
    services.grant_award(actor=world.coordinator, grant=over, decided_on=h.DECIDED_ON)
    assert figures_of(m).available == Decimal("0.00")


def test_the_budget_figures_by_measure_fund_and_programme(world):
    """Hand-computed: FESR 3.2 (200,000) with a call share of 150,000, a grant of 100,000
    awarded and running with an advance of 30,000 paid, a grant of 40,000 awarded then
    revoked with nothing paid, a proposed grant of 70,000; FSE 9.3 (80,000), nothing."""
    fesr = measure(world, "200000.00", code="3.2")
    fse = measure(world, "80000.00", code="9.3", fund=Fund.FSE)
    services.call_budget_set(actor=world.coordinator, call=world.call, shares={fesr: "150000.00", fse.pk: "50000.00"})
    h.admitted(world)
    running = h.running(world, "100000.00", measure=fesr)
    tranche = services.tranche_request(
        actor=world.coordinator, grant=running, kind="advance", amount="30000.00", guarantee_reference="FID-1"
    )
    services.tranche_pay(actor=world.coordinator, tranche=tranche, paid_on=dt.date(2026, 4, 10))
    revoked = award(world, "40000.00", application=second_application(world), measure=fesr)
    services.grant_revoke(actor=world.coordinator, grant=revoked, reason="Renounced", on=dt.date(2026, 3, 20))
    h.proposed(world, "70000.00", application=second_application(world), measure=fesr)

    budget = programme_budget(world.programme)
    rows = {r.code: r for r in budget.measures}
    assert (rows["3.2"].budget, rows["3.2"].allocated, rows["3.2"].committed, rows["3.2"].paid) == (
        Decimal("200000.00"),
        Decimal("150000.00"),
        Decimal("100000.00"),
        Decimal("30000.00"),
    )
    assert rows["3.2"].available == Decimal("100000.00")
    assert (rows["9.3"].allocated, rows["9.3"].committed, rows["9.3"].available) == (
        Decimal("50000.00"),
        Decimal("0.00"),
        Decimal("80000.00"),
    )
    by_fund = {t.label: t for t in budget.by_fund}
    assert by_fund["FESR"].paid == Decimal("30000.00") and by_fund["FSE"].budget == Decimal("80000.00")
    assert budget.total.budget == Decimal("280000.00") and budget.total.available == Decimal("180000.00")
    assert {(c.measure.code, c.fund) for c in CallBudget.objects.filter(call=world.call)} == {
        ("3.2", "FESR"),
        ("9.3", "FSE"),
    }


def test_money_paid_on_a_revoked_grant_stays_committed(world):
    m = measure(world, "200000.00")
    h.admitted(world)
    grant = h.running(world, "100000.00", measure=m)
    tranche = services.tranche_request(
        actor=world.coordinator, grant=grant, kind="advance", amount="25000.00", guarantee_reference="FID-2"
    )
    services.tranche_pay(actor=world.coordinator, tranche=tranche, paid_on=dt.date(2026, 4, 10))
    services.grant_revoke(actor=world.coordinator, grant=grant, reason="Fraud", on=dt.date(2026, 5, 1))
    figures = figures_of(m)
    assert (figures.committed, figures.paid, figures.available) == (
        Decimal("25000.00"),
        Decimal("25000.00"),
        Decimal("175000.00"),
    )


def test_the_calls_may_not_draw_more_than_a_measure_holds(world):
    m = measure(world, "100000.00")
    other_call = f.CallFactory(programme=world.programme)
    services.call_budget_set(actor=world.coordinator, call=world.call, shares={m: "60000.00"})
    with pytest.raises(DomainError) as refused:
        services.call_budget_set(actor=world.coordinator, call=other_call, shares={m: "40000.01"})
    assert refused.value.field == "measures" and "40.000,00" in str(refused.value.messages[0])
    assert not CallBudget.objects.filter(call=other_call).exists()
    services.call_budget_set(actor=world.coordinator, call=other_call, shares={m: "40000.00"})


def test_measures_stay_within_the_programme_and_only_its_coordinators_create_them(world, other):
    with pytest.raises(DomainError) as refused:
        measure(world, "2668337.01")
    assert refused.value.field == "budget"
    with pytest.raises(DomainError) as bad_fund:
        measure(world, "10.00", fund="ESF")
    assert bad_fund.value.field == "fund"
    with pytest.raises(NotPermitted):
        services.measure_create(
            actor=other.coordinator, programme=world.programme, code="x", title="x", fund="FESR", budget="1.00"
        )
    for role in ("evaluator", "tutor", "participant"):
        with pytest.raises(NotPermitted):
            services.measure_create(
                actor=getattr(world, role), programme=world.programme, code="x", title="x", fund="FESR", budget="1"
            )
    assert not Measure.objects.exists()


def test_a_call_on_two_measures_asks_which_one_the_grant_commits_against(world, other):
    fesr = measure(world, "100000.00", code="3.2")
    fse = measure(world, "100000.00", code="9.3", fund=Fund.FSE)
    services.call_budget_set(actor=world.coordinator, call=world.call, shares={fesr: "50000", fse: "50000"})
    h.admitted(world)
    with pytest.raises(DomainError) as refused:
        h.proposed(world, "60000.00")
    assert refused.value.field == "measure"
    foreign = Measure.objects.create(programme=other.programme, code="z", title="z", fund="FSE", budget=1)
    with pytest.raises(DomainError) as wrong:
        h.proposed(world, "60000.00", measure=foreign)
    assert wrong.value.field == "measure"
    grant = h.proposed(world, "60000.00", measure=fse)
    assert (grant.measure, grant.fund) == (fse, "FSE")


def test_a_measure_without_incubation_needs_no_cohort(world, without_attendance_check):
    """The attendance check (registered by cohorts) refuses a grant whose venture is in no
    cohort - unless the grant's measure has no incubation."""
    eligibility._checks.update(without_attendance_check)
    with_path = measure(world, "100000.00", code="A")
    grants_only = measure(world, "100000.00", code="B", incubation=False)
    h.admitted(world)
    with pytest.raises(eligibility.NotEligible) as refused:
        h.proposed(world, "60000.00", measure=with_path)
    assert "attendance" in refused.value.message_dict
    grant = award(world, "60000.00", measure=grants_only)
    assert grant.state == GrantState.AWARDED


def test_the_concession_records_the_de_minimis_check_and_the_cor(world):
    h.admitted(world)
    grant = award(world, "100000.00")
    aid = DeMinimisAid.objects.get(grant=grant)
    check = DeMinimisCheck.objects.get(grant=grant)
    assert aid.cor == "1234567" and aid.check_record == check
    assert (check.total, check.headroom, check.amount, check.passed) == (
        Decimal("0.00"),
        Decimal("300000.00"),
        Decimal("100000.00"),
        True,
    )
    assert check.checked_at <= aid.created_at


def test_a_concession_over_the_de_minimis_headroom_is_refused_without_a_record(world):
    h.admitted(world)
    grant = h.proposed(world, "100000.00")
    services.de_minimis_declare(
        actor=world.coordinator,
        venture=world.venture,
        undertaking=grant.undertaking,
        granting_body="Regione Campania",
        granted_on=dt.date(2025, 6, 1),
        amount="200000.01",
    )
    with pytest.raises(eligibility.NotEligible) as refused:
        services.grant_award(actor=world.coordinator, grant=grant, decided_on=h.DECIDED_ON)
    assert "amount" in refused.value.message_dict
    assert not DeMinimisCheck.objects.exists() and not DeMinimisAid.objects.filter(grant=grant).exists()


def test_variations_carry_the_covar(world):
    h.admitted(world)
    grant = h.running(world, "100000.00")
    aid = DeMinimisAid.objects.get(grant=grant)
    with pytest.raises(DomainError) as missing:
        services.de_minimis_vary(actor=world.coordinator, aid=aid, covar=" ", amount_after="90000", reason="Saved")
    assert missing.value.field == "covar"
    with pytest.raises(DomainError) as up:
        services.de_minimis_vary(actor=world.coordinator, aid=aid, covar="V1", amount_after="100000", reason="x")
    assert up.value.field == "amount_after"
    services.de_minimis_vary(
        actor=world.coordinator,
        aid=aid,
        covar="V1",
        amount_after="90000.00",
        reason="Spent less",
        varied_on=dt.date(2026, 5, 1),
    )
    aid.refresh_from_db()
    assert aid.amount == Decimal("90000.00")
    services.grant_revoke(actor=world.coordinator, grant=grant, reason="Renounced", on=dt.date(2026, 6, 1), covar="V2")
    variations = list(AidVariation.objects.filter(aid=aid).values_list("covar", "amount_before", "amount_after"))
    assert variations == [("V1", Decimal("100000.00"), Decimal("90000.00")), ("V2", Decimal("90000.00"), Decimal("0"))]


def test_the_migration_gives_each_programme_one_measure_and_points_calls_and_grants_at_it(world):
    import importlib

    migration = importlib.import_module("incubator.migrations.0022_measures_and_funds")
    h.admitted(world)
    grant = Grant.objects.create(
        venture=world.venture,
        application=world.application,
        undertaking=h.vat(world.venture.pk),
        amount=Decimal("50000.00"),
        amount_min=Decimal("25000.00"),
        amount_max=Decimal("140000.00"),
    )
    migration.one_measure_per_programme(apps, None)
    only = Measure.objects.get(programme=world.programme)
    grant.refresh_from_db()
    assert (grant.measure, grant.fund) == (only, world.programme.fund)
    # places (2) x maximum grant (140,000)
    assert CallBudget.objects.get(call=world.call).amount == Decimal("280000.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_awards_at_once_cannot_both_take_the_last_money(world):
    """Each award alone fits (60,000 of 100,000 available); together they would not. The
    measure's row lock makes the second wait for the first, then see its commitment."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    m = measure(world, "100000.00")
    h.admitted(world)
    grants = [
        h.proposed(world, "60000.00", measure=m),
        h.proposed(world, "60000.00", application=second_application(world), measure=m),
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(grant):
        try:
            barrier.wait(timeout=10)
            services.grant_award(actor=world.coordinator, grant=grant, decided_on=h.DECIDED_ON)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(g,)) for g in grants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "over_measure_budget"]
    assert Grant.objects.filter(measure=m, state=GrantState.AWARDED).count() == 1
    assert figures_of(m).committed == Decimal("60000.00")
