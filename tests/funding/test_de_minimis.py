"""De minimis (Reg. EU 2023/2831): 300,000 EUR per single undertaking over a rolling
three years; at the ceiling, one cent over, and the day the window rolls."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from incubator.exceptions import DomainError, NotPermitted
from incubator.funding import services
from incubator.funding.eligibility import NotEligible
from incubator.funding.models import DeMinimisAid, GrantState
from incubator.funding.selectors import DE_MINIMIS_CEILING, de_minimis_position, de_minimis_window
from tests.funding import helpers as h

pytestmark = pytest.mark.django_db

EARLIER_AID_ON = dt.date(2023, 3, 10)


@pytest.fixture
def ready(world):
    h.admitted(world)
    return world


def declare(world, amount, on=EARLIER_AID_ON, actor=None, undertaking=None):
    return services.de_minimis_declare(
        actor=actor or world.participant,
        venture=world.venture,
        undertaking=undertaking or h.vat(world.venture.pk),
        granting_body="Regione Campania",
        granted_on=on,
        amount=Decimal(amount),
    )


def award(world, amount, decided_on):
    grant = h.proposed(world, amount)
    return services.grant_award(actor=world.coordinator, grant=grant, decided_on=decided_on)


def test_window_is_three_years_back_inclusive_of_the_day():
    assert de_minimis_window(dt.date(2026, 3, 10)) == (dt.date(2023, 3, 11), dt.date(2026, 3, 10))
    # A leap day: three years back is clamped to 28 February.
    assert de_minimis_window(dt.date(2028, 2, 29)) == (dt.date(2025, 3, 1), dt.date(2028, 2, 29))


def test_exactly_at_the_ceiling_is_allowed(ready):
    declare(ready, "160000.00")
    grant = award(ready, "140000.00", dt.date(2026, 3, 9))
    assert grant.state == GrantState.AWARDED
    position = de_minimis_position(grant.undertaking, dt.date(2026, 3, 9))
    assert (position.total, position.headroom) == (DE_MINIMIS_CEILING, Decimal("0.00"))


def test_one_cent_over_is_refused_with_the_figures(ready):
    grant = h.proposed(ready, "140000.00", on=dt.date(2026, 1, 1))
    declare(ready, "160000.01")  # declared after the proposal, before the award
    with pytest.raises(NotEligible) as exc:
        services.grant_award(actor=ready.coordinator, grant=grant, decided_on=dt.date(2026, 3, 9))
    (problem,) = exc.value.problems
    assert (problem.code, problem.field) == ("de_minimis_exceeded", "amount")
    # The figures: total so far, the window, the ceiling and the headroom.
    for figure in ("160.000,01", "10/03/2023", "09/03/2026", "300.000,00", "139.999,99", "140.000,00"):
        assert figure in problem.message, (figure, problem.message)
    grant.refresh_from_db()
    assert grant.state == GrantState.PROPOSED
    assert not DeMinimisAid.objects.filter(grant=grant).exists()


def test_proposal_is_refused_too(ready):
    declare(ready, "290000.00", on=dt.date(2026, 1, 10))
    with pytest.raises(NotEligible) as exc:
        h.proposed(ready, "25000.00", on=dt.date(2026, 2, 1))
    # Proposed before that aid: it is not yet in the window.
    assert h.proposed(ready, "25000.00", on=dt.date(2026, 1, 9)).state == GrantState.PROPOSED
    assert "de_minimis_exceeded" in [p.code for p in exc.value.problems]


@pytest.mark.parametrize(
    ("decided_on", "allowed"),
    [
        (dt.date(2026, 3, 9), False),  # the earlier aid is still inside the window
        (dt.date(2026, 3, 10), True),  # exactly three years later it has left
    ],
)
def test_the_day_the_window_rolls(ready, decided_on, allowed):
    grant = h.proposed(ready, "140000.00", on=dt.date(2026, 1, 1))
    declare(ready, "200000.00", on=EARLIER_AID_ON)
    if allowed:
        services.grant_award(actor=ready.coordinator, grant=grant, decided_on=decided_on)
        grant.refresh_from_db()
        assert grant.state == GrantState.AWARDED
        assert de_minimis_position(grant.undertaking, decided_on).total == Decimal("140000.00")
    else:
        with pytest.raises(NotEligible) as exc:
            services.grant_award(actor=ready.coordinator, grant=grant, decided_on=decided_on)
        assert "10/03/2023" in exc.value.problems[0].message  # the window's first day
        grant.refresh_from_db()
        assert grant.state == GrantState.PROPOSED


def test_other_undertakings_and_withdrawn_aid_do_not_count(ready):
    declare(ready, "299000.00", undertaking=h.vat(777))
    aid = declare(ready, "250000.00", on=dt.date(2025, 6, 1))
    services.de_minimis_withdraw(actor=ready.coordinator, aid=aid, on=dt.date(2025, 12, 1), reason="Entered twice")
    grant = award(ready, "140000.00", dt.date(2026, 3, 2))
    assert grant.state == GrantState.AWARDED
    # Before it was withdrawn it counted.
    assert de_minimis_position(grant.undertaking, dt.date(2025, 11, 30)).total == Decimal("250000.00")


def test_our_own_grants_count_for_the_next_grant(ready, world):
    first = award(ready, "140000.00", dt.date(2026, 3, 2))
    from tests import factories as f

    venture = f.VentureFactory(programme=world.programme)
    application = f.ApplicationFactory(call=world.call, venture=venture)
    h.admitted(world, application)
    # Same single undertaking (e.g. a company controlling both ventures).
    second = h.proposed(world, "140000.00", application=application, undertaking=first.undertaking)
    services.grant_award(actor=world.coordinator, grant=second, decided_on=dt.date(2026, 3, 3))
    third_application = f.ApplicationFactory(call=world.call, venture=f.VentureFactory(programme=world.programme))
    h.admitted(world, third_application)
    with pytest.raises(NotEligible) as exc:
        h.proposed(
            world, "25000.00", application=third_application, undertaking=first.undertaking, on=dt.date(2026, 4, 1)
        )
    assert "280.000,00" in exc.value.problems[0].message and "20.000,00" in exc.value.problems[0].message


def test_rechecking_a_grant_does_not_count_it_twice(ready):
    grant = award(ready, "140000.00", dt.date(2026, 3, 2))
    assert services.grant_eligibility(grant=grant, stage="award", on=dt.date(2026, 3, 2)) == []


def test_declaration_rules(ready, other):
    with pytest.raises(DomainError) as exc:
        declare(ready, "-10")
    assert exc.value.field == "amount"
    with pytest.raises(DomainError) as exc:
        declare(ready, "10.005")
    assert exc.value.field == "amount"
    with pytest.raises(DomainError) as exc:
        declare(ready, "0")
    assert exc.value.field == "amount"
    with pytest.raises(DomainError) as exc:
        declare(ready, "100", on=dt.date.today() + dt.timedelta(days=1))
    assert exc.value.field == "granted_on"
    for outsider in (other.coordinator, ready.evaluator, ready.tutor, other.participant):
        with pytest.raises(NotPermitted):
            declare(ready, "100", actor=outsider)
    assert not DeMinimisAid.objects.exists()


def test_only_declared_aid_can_be_withdrawn(ready):
    grant = award(ready, "50000.00", dt.date(2026, 3, 2))
    with pytest.raises(DomainError):
        services.de_minimis_withdraw(actor=ready.coordinator, aid=grant.de_minimis_aid.get(), reason="no")


def test_database_rules(ready):
    aid = declare(ready, "1000.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        DeMinimisAid.objects.filter(pk=aid.pk).update(amount=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        DeMinimisAid.objects.filter(pk=aid.pk).update(source="ours")


def test_position_is_one_query(ready, django_assert_num_queries):
    declare(ready, "1000.00")
    with django_assert_num_queries(1):
        position = de_minimis_position(h.vat(ready.venture.pk), dt.date(2026, 1, 1))
    assert position.total == Decimal("1000.00")
