"""A grant to a partnership in the de minimis register (issue 19): each partner is its own
single undertaking, so the award writes one entry per undertaking with its share (to the
cent, half up, the rest to the lead: the entries add up exactly to the grant), the lead's
own check counts only the lead's share, a later grant to a partner sees the partner's
share, and a revocation or reduction varies every entry. Without partners: one entry."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from incubator.exceptions import DomainError
from incubator.funding import services
from incubator.funding.aid_shares import aid_shares, grant_aid_shares
from incubator.funding.eligibility import NotEligible
from incubator.funding.models import AidVariation, DeMinimisAid, DeMinimisCheck, Grant, GrantState
from incubator.funding.selectors import de_minimis_position
from tests import factories as f
from tests.funding import helpers as h

pytestmark = pytest.mark.django_db


def declare(world, undertaking, amount, on=dt.date(2025, 6, 1)):
    return services.de_minimis_declare(
        actor=world.coordinator,
        venture=world.venture,
        undertaking=undertaking,
        granting_body="Regione Campania",
        granted_on=on,
        amount=Decimal(amount),
    )


def entries(grant) -> dict[str, Decimal]:
    return dict(DeMinimisAid.objects.filter(grant=grant).values_list("undertaking", "amount"))


def test_the_award_writes_one_entry_per_undertaking_adding_up_to_the_grant(world):
    h.admitted(world)
    lead, coop, aps = h.partnership(world)
    grant = h.awarded(world, "100000.01")
    # 33.33 % and 33.34 % of 100,000.01 round to 33,330.00 and 33,340.00; the lead (33.33 %,
    # 33,330.00 rounded) receives the cent left over.
    assert entries(grant) == {
        grant.undertaking: Decimal("33330.01"),
        coop.tax_code: Decimal("33330.00"),
        aps.tax_code: Decimal("33340.00"),
    }
    assert sum(entries(grant).values()) == grant.amount
    for aid in DeMinimisAid.objects.filter(grant=grant).select_related("check_record"):
        assert (aid.source, aid.cor, aid.venture_id, aid.granted_on) == (
            "ours",
            "1234567",
            world.venture.pk,
            h.DECIDED_ON,
        )
        check = aid.check_record
        assert (check.undertaking, check.amount, check.total, check.passed) == (
            aid.undertaking,
            aid.amount,
            Decimal("0.00"),
            True,
        )
    assert DeMinimisCheck.objects.filter(grant=grant).count() == 3
    assert "Coop Alfa 33.33 %" in DeMinimisAid.objects.get(grant=grant, undertaking=coop.tax_code).note
    assert de_minimis_position(coop.tax_code, h.DECIDED_ON).total == Decimal("33330.00")


def test_shares_round_half_up_and_the_rest_goes_to_the_lead(world):
    lead, coop, aps = h.partnership(world, shares=("98", "1", "1"))
    # 1 % of 25,000.50 is 250.005: half up gives 250.01 (half even would give 250.00).
    shares = aid_shares(application=world.application, undertaking=lead.tax_code, amount=Decimal("25000.50"))
    assert [(s.undertaking, s.amount, s.lead) for s in shares] == [
        (lead.tax_code, Decimal("24500.48"), True),
        (coop.tax_code, Decimal("250.01"), False),
        (aps.tax_code, Decimal("250.01"), False),
    ]
    assert sum(s.amount for s in shares) == Decimal("25000.50")


def test_a_partner_with_no_share_receives_no_entry(world):
    lead, coop, aps = h.partnership(world, shares=("60", "40", "0"))
    shares = aid_shares(application=world.application, undertaking=lead.tax_code, amount=Decimal("50000.00"))
    assert {s.undertaking: s.amount for s in shares} == {
        lead.tax_code: Decimal("30000.00"),
        coop.tax_code: Decimal("20000.00"),
    }


def test_without_partners_one_entry_of_the_whole_amount(world):
    h.admitted(world)
    grant = h.awarded(world, "100000.00")
    assert [(s.undertaking, s.amount) for s in grant_aid_shares(grant)] == [(grant.undertaking, grant.amount)]
    assert entries(grant) == {grant.undertaking: Decimal("100000.00")}
    assert DeMinimisCheck.objects.get(grant=grant).amount == Decimal("100000.00")


def test_the_lead_check_counts_only_the_lead_share(world):
    h.admitted(world)
    lead, _coop, _aps = h.partnership(world, shares=("40", "30", "30"))
    declare(world, lead.tax_code, "250000.00")
    # The whole 100,000 would not fit the lead's 50,000 of headroom; its 40 % does.
    grant = h.awarded(world, "100000.00")
    assert grant.state == GrantState.AWARDED
    assert entries(grant)[lead.tax_code] == Decimal("40000.00")
    assert de_minimis_position(lead.tax_code, h.DECIDED_ON).headroom == Decimal("10000.00")


def test_a_later_grant_to_a_partner_is_refused_with_the_partner_figures(world):
    h.admitted(world)
    _lead, coop, _aps = h.partnership(world, shares=("40", "30", "30"))
    declare(world, coop.tax_code, "270000.00")
    h.awarded(world, "100000.00")  # the coop's 30 % (30,000) leaves it no headroom
    later = f.ApplicationFactory(call=world.call, venture=f.VentureFactory(programme=world.programme))
    h.admitted(world, later)
    with pytest.raises(NotEligible) as refused:
        h.proposed(world, "25000.00", application=later, undertaking=coop.tax_code, on=h.DECIDED_ON)
    (problem,) = [p for p in refused.value.problems if p.code == "de_minimis_exceeded"]
    for figure in (coop.tax_code, "300.000,00", "0,00", "25.000,00"):
        assert figure in problem.message, (figure, problem.message)
    assert not Grant.objects.filter(application=later).exists()


def test_the_award_is_refused_when_a_partner_share_does_not_fit(world):
    h.admitted(world)
    _lead, coop, _aps = h.partnership(world, shares=("40", "30", "30"))
    grant = h.proposed(world, "100000.00")
    declare(world, coop.tax_code, "270000.01")
    with pytest.raises((NotEligible, DomainError)):
        services.grant_award(actor=world.coordinator, grant=grant, decided_on=h.DECIDED_ON)
    grant.refresh_from_db()
    assert grant.state == GrantState.PROPOSED
    assert not DeMinimisAid.objects.filter(grant=grant).exists() and not DeMinimisCheck.objects.exists()


def test_a_revocation_varies_every_entry(world):
    h.admitted(world)
    _lead, coop, _aps = h.partnership(world)
    grant = h.awarded(world, "100000.01")
    before = entries(grant)
    services.grant_revoke(actor=world.coordinator, grant=grant, reason="Rinuncia", on=dt.date(2026, 6, 1), covar="V9")
    variations = AidVariation.objects.filter(aid__grant=grant).select_related("aid")
    assert {v.aid.undertaking: (v.covar, v.amount_before, v.amount_after) for v in variations} == {
        code: ("V9", amount, Decimal("0.00")) for code, amount in before.items()
    }
    assert set(DeMinimisAid.objects.filter(grant=grant).values_list("withdrawn_on", flat=True)) == {dt.date(2026, 6, 1)}
    assert de_minimis_position(coop.tax_code, dt.date(2026, 6, 1)).total == Decimal("0.00")


def test_a_reduction_varies_every_entry_in_proportion(world):
    h.admitted(world)
    lead, coop, aps = h.partnership(world)
    grant = h.awarded(world, "100000.01")
    coop_aid = DeMinimisAid.objects.get(grant=grant, undertaking=coop.tax_code)
    variation = services.de_minimis_vary(
        actor=world.coordinator, aid=coop_aid, covar="V1", amount_after="50000.00", reason="Spent less"
    )
    assert variation.aid_id == coop_aid.pk and variation.amount_after == Decimal("16665.00")
    # 50,000 x 33,330.00 / 100,000.01 = 16,664.998... -> 16,665.00; x 33,340.00 -> 16,670.00;
    # the lead the rest: 16,665.00.
    assert entries(grant) == {
        lead.tax_code: Decimal("16665.00"),
        coop.tax_code: Decimal("16665.00"),
        aps.tax_code: Decimal("16670.00"),
    }
    assert AidVariation.objects.filter(covar="V1").count() == 3
    with pytest.raises(DomainError) as again:
        services.de_minimis_vary(actor=world.coordinator, aid=coop_aid, covar="V1", amount_after="40000", reason="x")
    assert again.value.field == "covar"
    with pytest.raises(DomainError) as up:
        services.de_minimis_vary(actor=world.coordinator, aid=coop_aid, covar="V2", amount_after="50000", reason="x")
    assert up.value.field == "amount_after" and "50.000,00" in up.value.messages[0]


def test_the_database_refuses_a_second_entry_for_a_grant_and_undertaking(world):
    h.admitted(world)
    grant = h.awarded(world, "100000.00")
    aid = DeMinimisAid.objects.get(grant=grant)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeMinimisAid.objects.create(
            undertaking=aid.undertaking,
            programme=world.programme,
            grant=grant,
            source="ours",
            granting_body="x",
            granted_on=aid.granted_on,
            amount=Decimal("1.00"),
            cor="1",
        )
    with pytest.raises(ValidationError):  # and the model validation names it before saving
        DeMinimisAid(
            undertaking=aid.undertaking,
            programme=world.programme,
            grant=grant,
            source="ours",
            granting_body="x",
            granted_on=aid.granted_on,
            amount=Decimal("1.00"),
            cor="1",
        ).full_clean()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_awards_at_once_cannot_both_take_a_partner_headroom(world):
    """A grant to a partnership (the coop's share 30,000) and a grant to the coop itself
    (25,000): each alone fits the coop's 50,000 of headroom, together they do not. The
    award locks every undertaking of its split, so the second waits and sees the first."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    h.admitted(world)
    _lead, coop, _aps = h.partnership(world, shares=("40", "30", "30"))
    declare(world, coop.tax_code, "250000.00")
    other = f.ApplicationFactory(call=world.call, venture=f.VentureFactory(programme=world.programme))
    h.admitted(world, other)
    grants = [
        h.proposed(world, "100000.00"),
        h.proposed(world, "25000.00", application=other, undertaking=coop.tax_code),
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(grant):
        try:
            barrier.wait(timeout=10)
            services.grant_award(actor=world.coordinator, grant=grant, decided_on=h.DECIDED_ON)
            outcomes.append("ok")
        except (DomainError, ValidationError):
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 - a deadlock or a lost race shows in the assertion
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(g,)) for g in grants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused"]
    assert de_minimis_position(coop.tax_code, h.DECIDED_ON).total <= Decimal("300000.00")
