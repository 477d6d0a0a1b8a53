"""Tranches: advance <= 30 % with a guarantee, interim once accepted spending reaches
30 %, balance after the final report, and never more than the grant in total."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.funding import services
from incubator.funding.models import GrantState, Tranche, TrancheState
from tests.funding import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(world):
    h.admitted(world)
    return h.running(world, "100000.00")


def request(world, grant, kind, amount, actor=None, **kwargs):
    return services.tranche_request(
        actor=actor or world.participant, grant=grant, kind=kind, amount=Decimal(amount), **kwargs
    )


def test_advance_of_exactly_30_percent_with_a_guarantee(world, grant):
    tranche = request(world, grant, "advance", "30000.00", guarantee_reference="Polizza 123/2026")
    assert (tranche.state, tranche.grant_amount) == (TrancheState.REQUESTED, Decimal("100000.00"))
    services.tranche_pay(actor=world.coordinator, tranche=tranche, paid_on=dt.date(2026, 4, 15))
    tranche.refresh_from_db()
    assert (tranche.state, tranche.paid_on) == (TrancheState.PAID, dt.date(2026, 4, 15))


def test_advance_one_cent_over_30_percent_is_refused(world, grant):
    with pytest.raises(DomainError) as exc:
        request(world, grant, "advance", "30000.01", guarantee_reference="Polizza 123/2026")
    assert (exc.value.code, exc.value.field) == ("advance_over_30", "amount")
    assert not Tranche.objects.exists()


def test_advance_30_percent_of_an_odd_amount_rounds_down(world):
    h.admitted(world)
    grant = h.running(world, "33333.40")
    request(world, grant, "advance", "10000.02", guarantee_reference="G-1")  # 30 % is 10000.02 exactly
    grant_b = grant
    services.tranche_cancel(actor=world.coordinator, tranche=grant_b.tranches.get(), reason="redo")
    with pytest.raises(DomainError):
        request(world, grant, "advance", "10000.03", guarantee_reference="G-1")


def test_advance_needs_a_guarantee(world, grant):
    with pytest.raises(DomainError) as exc:
        request(world, grant, "advance", "10000.00", guarantee_reference="  ")
    assert exc.value.field == "guarantee_reference"
    assert not Tranche.objects.exists()


def test_advance_only_as_first_tranche(world, grant):
    request(world, grant, "advance", "20000.00", guarantee_reference="G-1")
    with pytest.raises(DomainError) as exc:
        request(world, grant, "advance", "5000.00", guarantee_reference="G-2")
    assert exc.value.field == "kind"


@pytest.mark.parametrize(("spent", "allowed"), [("29999.99", False), ("30000.00", True)])
def test_interim_once_accepted_spending_reaches_30_percent(world, grant, spent, allowed):
    h.accepted_spending(world, grant, [spent])
    if allowed:
        assert request(world, grant, "interim", "25000.00").kind == "interim"
    else:
        with pytest.raises(DomainError) as exc:
            request(world, grant, "interim", "25000.00")
        assert exc.value.code == "spending_below_30"
        assert "29.999,99" in exc.value.messages[0]


def test_pending_or_rejected_spending_does_not_count_for_the_interim(world, grant):
    rep = h.report(world, grant)
    a = h.item(world, rep, "20000.00")
    h.item(world, rep, "20000.00")
    services.expense_report_submit(actor=world.participant, report=rep)
    services.expense_item_review(actor=world.coordinator, item=a, accept=False, reason="Not pertinent")
    with pytest.raises(DomainError) as exc:
        request(world, grant, "interim", "10000.00")
    assert exc.value.code == "spending_below_30"


def test_balance_after_the_final_report_only(world, grant):
    h.accepted_spending(world, grant, ["30000.00"])
    with pytest.raises(DomainError) as exc:
        request(world, grant, "balance", "10000.00")
    assert exc.value.code == "no_final_report"
    h.accepted_spending(world, grant, ["50000.00"], final=True)
    tranche = request(world, grant, "balance", "80000.00")
    assert tranche.kind == "balance"


def test_balance_cannot_pass_accepted_spending(world, grant):
    h.accepted_spending(world, grant, ["60000.00"], final=True)
    with pytest.raises(DomainError) as exc:
        request(world, grant, "balance", "60000.01")
    assert exc.value.code == "over_spending"


def test_sum_of_tranches_never_above_the_grant(world, grant):
    request(world, grant, "advance", "30000.00", guarantee_reference="G")
    h.accepted_spending(world, grant, ["40000.00", "40000.00"])
    request(world, grant, "interim", "40000.00")
    with pytest.raises(DomainError) as exc:
        request(world, grant, "interim", "30000.01")
    assert (exc.value.code, exc.value.field) == ("over_grant", "amount")
    assert "30.000,00" in exc.value.messages[0]  # what is left
    request(world, grant, "interim", "30000.00")
    assert sum(t.amount for t in grant.tranches.all()) == grant.amount


def test_a_cancelled_tranche_frees_its_amount(world, grant):
    h.accepted_spending(world, grant, ["100000.00"])
    first = request(world, grant, "interim", "100000.00")
    with pytest.raises(DomainError):
        request(world, grant, "interim", "1.00")
    with pytest.raises(DomainError) as exc:
        services.tranche_cancel(actor=world.coordinator, tranche=first, reason="")
    assert exc.value.field == "reason"
    services.tranche_cancel(actor=world.coordinator, tranche=first, reason="Wrong IBAN")
    assert request(world, grant, "interim", "1.00").amount == Decimal("1.00")
    with pytest.raises(TransitionNotAllowed):
        services.tranche_pay(actor=world.coordinator, tranche=first)


@pytest.mark.parametrize("amount", ["0", "-100.00", "10.001"])
def test_bad_amounts(world, grant, amount):
    with pytest.raises(DomainError) as exc:
        request(world, grant, "advance", amount, guarantee_reference="G")
    assert exc.value.field == "amount"
    assert not Tranche.objects.exists()


def test_no_tranche_before_the_contract(world):
    h.admitted(world)
    grant = h.awarded(world)
    with pytest.raises(DomainError) as exc:
        request(world, grant, "advance", "1000.00", guarantee_reference="G", actor=world.coordinator)
    assert exc.value.code == "not_running"


def test_who_may_request_and_pay(world, other, grant):
    for outsider in (world.evaluator, world.tutor, other.participant, other.coordinator):
        with pytest.raises(NotPermitted):
            request(world, grant, "advance", "1000.00", guarantee_reference="G", actor=outsider)
    tranche = request(world, grant, "advance", "1000.00", guarantee_reference="G")
    with pytest.raises(NotPermitted):
        services.tranche_pay(actor=world.participant, tranche=tranche)


def test_revocation_cancels_unpaid_tranches(world, grant):
    tranche = request(world, grant, "advance", "1000.00", guarantee_reference="G")
    services.grant_revoke(actor=world.coordinator, grant=grant, reason="Activity never started")
    tranche.refresh_from_db()
    assert tranche.state == TrancheState.CANCELLED
    grant.refresh_from_db()
    assert grant.state == GrantState.REVOKED


def test_database_rules(world, grant):
    tranche = request(world, grant, "advance", "30000.00", guarantee_reference="G")
    for change in (
        {"amount": Decimal("30000.01")},  # advance above 30 %
        {"guarantee_reference": ""},
        {"amount": Decimal("0")},
        {"state": TrancheState.PAID},  # paid without a date
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Tranche.objects.filter(pk=tranche.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tranche.objects.create(grant=grant, kind="interim", amount=Decimal("100000.01"), grant_amount=grant.amount)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tranche.objects.create(
            grant=grant, kind="advance", amount=Decimal("1"), grant_amount=grant.amount, guarantee_reference="x"
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_that_together_exceed_the_grant(world):
    """Each request alone fits (60,000 of 100,000); together they would not. The grant
    row lock makes the second wait for the first and then see its tranche."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    h.admitted(world)
    grant = h.running(world, "100000.00")
    h.accepted_spending(world, grant, ["40000.00", "40000.00"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            services.tranche_request(actor=world.participant, grant=grant, kind="interim", amount=Decimal("60000.00"))
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "over_grant"]
    assert Tranche.objects.filter(grant=grant).count() == 1
    assert sum(t.amount for t in Tranche.objects.filter(grant=grant)) == Decimal("60000.00")
