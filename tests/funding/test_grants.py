"""Grants: amount within the call's range, eligibility, the state machine, legal entity
before the contract, revocation, budget, and the database rules behind them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.funding import eligibility, services
from incubator.funding.eligibility import NotEligible, Problem, Stage
from incubator.funding.models import DeMinimisAid, Grant, GrantBudgetLine, GrantState
from incubator.models import AuditEvent
from incubator.selection.models import ApplicationState
from tests.funding import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(world):
    h.admitted(world)
    return world


@pytest.mark.parametrize("amount", ["25000.00", "140000.00", "25000", "87654.32"])
def test_amount_within_the_call_range_is_accepted(ready, amount):
    grant = h.proposed(ready, amount)
    assert grant.amount == Decimal(amount)
    assert (grant.amount_min, grant.amount_max) == (Decimal("25000.00"), Decimal("140000.00"))
    assert grant.state == GrantState.PROPOSED


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("24999.99", "out_of_range"),
        ("140000.01", "out_of_range"),
        ("-1.00", "negative"),
        ("30000.001", "too_many_decimals"),
        ("abc", "invalid"),
        ("NaN", "invalid"),
    ],
)
def test_bad_amount_is_refused_naming_the_field_and_writes_nothing(ready, amount, code):
    with pytest.raises(DomainError) as exc:
        h.proposed(ready, amount) if amount not in ("abc", "NaN") else services.grant_propose(
            actor=ready.coordinator, application=ready.application, amount=amount, undertaking=h.vat(1)
        )
    assert exc.value.code == code
    assert exc.value.field == "amount"
    assert not Grant.objects.exists()


def test_float_amounts_are_refused(ready):
    with pytest.raises(DomainError) as exc:
        services.grant_propose(
            actor=ready.coordinator, application=ready.application, amount=30000.5, undertaking=h.vat(1)
        )
    assert exc.value.field == "amount"


def test_the_range_is_the_call_s(ready):
    ready.call.grant_min, ready.call.grant_max = Decimal("10000"), Decimal("20000")
    ready.call.save()
    assert h.proposed(ready, "10000.00").amount == Decimal("10000.00")
    with pytest.raises(DomainError, match="10"):
        h.proposed(ready, "20000.01", application=_second_admitted(ready))


def _second_admitted(world):
    from tests import factories as f

    venture = f.VentureFactory(programme=world.programme)
    application = f.ApplicationFactory(call=world.call, venture=venture)
    h.admitted(world, application)
    return application


def test_only_admitted_applications_get_a_grant(world):
    world.application.state = ApplicationState.REJECTED
    world.application.submitted_at = world.application.created_at
    world.application.save()
    with pytest.raises(NotEligible) as exc:
        h.proposed(world)
    assert [p.code for p in exc.value.problems] == ["not_admitted"]
    assert "application" in exc.value.message_dict
    assert not Grant.objects.exists()


def test_undertaking_defaults_to_the_registration_number(ready):
    h.incorporate(ready, on=dt.date(2026, 2, 1), number=h.vat(4242))
    grant = services.grant_propose(actor=ready.coordinator, application=ready.application, amount=Decimal("50000"))
    assert grant.undertaking == h.vat(4242)


def test_undertaking_required_for_an_informal_group(ready):
    with pytest.raises(DomainError) as exc:
        services.grant_propose(actor=ready.coordinator, application=ready.application, amount=Decimal("50000"))
    assert exc.value.field == "undertaking"


def test_one_live_grant_per_application(ready):
    grant = h.proposed(ready)
    with pytest.raises(DomainError) as exc:
        h.proposed(ready)
    assert exc.value.field == "application"
    services.grant_revoke(actor=ready.coordinator, grant=grant, reason="Renounced by the beneficiary")
    assert h.proposed(ready, "60000.00").amount == Decimal("60000.00")


def test_only_coordinators_of_the_programme_propose(ready, other):
    for actor in (ready.participant, ready.evaluator, ready.tutor, other.coordinator):
        with pytest.raises(NotPermitted):
            services.grant_propose(actor=actor, application=ready.application, amount=Decimal("50000"))
    assert not Grant.objects.exists()


def test_full_life_cycle_with_audit(ready):
    grant = h.running(ready)
    assert grant.state == GrantState.IN_PROGRESS
    assert (grant.decided_on, grant.contract_signed_on) == (h.DECIDED_ON, h.SIGNED_ON)
    assert (grant.starts_on, grant.ends_on) == h.PERIOD
    verbs = list(
        AuditEvent.objects.filter(target_id=grant.pk, verb__startswith="grant.").values_list("verb", flat=True)
    )
    for verb in ("grant.propose", "grant.awarded", "grant.contract_signed", "grant.in_progress", "grant.budget"):
        assert verb in verbs
    aid = DeMinimisAid.objects.get(grant=grant)
    assert (aid.source, aid.amount, aid.granted_on) == ("ours", grant.amount, h.DECIDED_ON)


def test_award_needs_cup_and_cor(ready):
    grant = h.proposed(ready, cup="", cor="")
    with pytest.raises(DomainError) as exc:
        services.grant_award(actor=ready.coordinator, grant=grant, decided_on=h.DECIDED_ON)
    assert exc.value.field == "cup"
    with pytest.raises(DomainError) as exc:
        services.grant_award(actor=ready.coordinator, grant=grant, decided_on=h.DECIDED_ON, cup="B61H26000010006")
    assert exc.value.field == "cor"
    grant.refresh_from_db()
    assert grant.state == GrantState.PROPOSED and grant.cup == ""
    services.grant_award(
        actor=ready.coordinator, grant=grant, decided_on=h.DECIDED_ON, cup="b61h26000010006", cor="998877"
    )
    grant.refresh_from_db()
    assert (grant.state, grant.cup, grant.cor) == (GrantState.AWARDED, "B61H26000010006", "998877")


def test_malformed_cup_is_a_field_error(ready):
    with pytest.raises(Exception) as exc:
        h.proposed(ready, cup="TOO-SHORT")
    assert "cup" in exc.value.message_dict


@pytest.mark.parametrize(
    ("incorporated_on", "allowed"),
    [(h.SIGNED_ON - dt.timedelta(days=1), True), (h.SIGNED_ON, True), (h.SIGNED_ON + dt.timedelta(days=1), False)],
)
def test_legal_entity_must_exist_on_the_contract_date(ready, incorporated_on, allowed):
    grant = h.awarded(ready)
    h.incorporate(ready, on=incorporated_on)
    sign = {"actor": ready.coordinator, "grant": grant, "signed_on": h.SIGNED_ON, "starts_on": h.PERIOD[0]}
    if allowed:
        services.grant_sign_contract(ends_on=h.PERIOD[1], **sign)
        grant.refresh_from_db()
        assert grant.state == GrantState.CONTRACT_SIGNED
    else:
        with pytest.raises(NotEligible) as exc:
            services.grant_sign_contract(ends_on=h.PERIOD[1], **sign)
        assert [p.code for p in exc.value.problems] == ["no_legal_entity"]
        assert "contract_signed_on" in exc.value.message_dict
        grant.refresh_from_db()
        assert grant.state == GrantState.AWARDED


def test_informal_group_cannot_sign(ready):
    grant = h.awarded(ready)
    with pytest.raises(NotEligible):
        services.grant_sign_contract(
            actor=ready.coordinator, grant=grant, signed_on=h.SIGNED_ON, starts_on=h.PERIOD[0], ends_on=h.PERIOD[1]
        )


def test_contract_cannot_precede_the_decision_and_period_is_ordered(ready):
    grant = h.awarded(ready)
    h.incorporate(ready, on=dt.date(2026, 1, 1))
    with pytest.raises(DomainError) as exc:
        services.grant_sign_contract(
            actor=ready.coordinator,
            grant=grant,
            signed_on=h.DECIDED_ON - dt.timedelta(days=1),
            starts_on=h.PERIOD[0],
            ends_on=h.PERIOD[1],
        )
    assert exc.value.field == "contract_signed_on"
    with pytest.raises(DomainError) as exc:
        services.grant_sign_contract(
            actor=ready.coordinator, grant=grant, signed_on=h.SIGNED_ON, starts_on=h.PERIOD[1], ends_on=h.PERIOD[0]
        )
    assert exc.value.field == "ends_on"


@pytest.mark.parametrize(
    ("step", "from_state"),
    [("grant_start", GrantState.AWARDED), ("grant_close", GrantState.AWARDED), ("grant_award", GrantState.AWARDED)],
)
def test_transitions_out_of_order_are_refused(ready, step, from_state):
    grant = h.awarded(ready)
    kwargs = {"decided_on": h.DECIDED_ON} if step == "grant_award" else {}
    with pytest.raises(TransitionNotAllowed):
        getattr(services, step)(actor=ready.coordinator, grant=grant, **kwargs)
    grant.refresh_from_db()
    assert grant.state == from_state


def test_revocation_needs_a_reason_and_frees_the_de_minimis_headroom(ready):
    grant = h.awarded(ready, "140000.00")
    with pytest.raises(DomainError) as exc:
        services.grant_revoke(actor=ready.coordinator, grant=grant, reason="  ")
    assert exc.value.field == "reason"
    services.grant_revoke(actor=ready.coordinator, grant=grant, reason="False declaration", on=dt.date(2026, 5, 1))
    grant.refresh_from_db()
    assert (grant.state, grant.revoked_on, grant.revocation_reason) == (
        GrantState.REVOKED,
        dt.date(2026, 5, 1),
        "False declaration",
    )
    from incubator.funding.selectors import de_minimis_position

    assert de_minimis_position(grant.undertaking, dt.date(2026, 4, 30)).total == Decimal("140000.00")
    assert de_minimis_position(grant.undertaking, dt.date(2026, 5, 1)).total == Decimal("0.00")
    with pytest.raises(TransitionNotAllowed):
        services.grant_revoke(actor=ready.coordinator, grant=grant, reason="again")


def test_closed_grant_cannot_be_revoked(ready):
    grant = h.running(ready)
    h.accepted_spending(ready, grant, ["40000.00"], final=True)
    services.grant_close(actor=ready.coordinator, grant=grant, closed_on=dt.date(2027, 12, 31))
    with pytest.raises(TransitionNotAllowed):
        services.grant_revoke(actor=ready.coordinator, grant=grant, reason="late")


def test_close_needs_the_final_report_reviewed(ready):
    grant = h.running(ready)
    with pytest.raises(DomainError) as exc:
        services.grant_close(actor=ready.coordinator, grant=grant)
    assert exc.value.code == "no_final_report"


def test_amount_changes_only_while_proposed(ready):
    grant = h.proposed(ready)
    services.grant_update(actor=ready.coordinator, grant=grant, amount="120000.00", internal_note="Check ISEE")
    grant.refresh_from_db()
    assert (grant.amount, grant.internal_note) == (Decimal("120000.00"), "Check ISEE")
    with pytest.raises(DomainError) as exc:
        services.grant_update(actor=ready.coordinator, grant=grant, amount="150000.00")
    assert exc.value.code == "out_of_range"
    services.grant_award(actor=ready.coordinator, grant=grant, decided_on=h.DECIDED_ON)
    with pytest.raises(DomainError) as exc:
        services.grant_update(actor=ready.coordinator, grant=grant, amount="110000.00")
    assert exc.value.code == "amount_locked"


def test_budget_cannot_exceed_the_grant_and_keeps_categories_in_use(ready):
    grant = h.running(ready)
    with pytest.raises(DomainError) as exc:
        services.grant_set_budget(
            actor=ready.coordinator, grant=grant, lines={"equipment": "60000.00", "services": "40000.01"}
        )
    assert (exc.value.field, exc.value.code) == ("budget", "over_grant")
    with pytest.raises(DomainError) as exc:
        services.grant_set_budget(actor=ready.coordinator, grant=grant, lines={"equipment": "-1"})
    assert exc.value.code == "negative"
    rep = h.report(ready, grant)
    h.item(ready, rep, category="promotion")
    with pytest.raises(DomainError) as exc:
        services.grant_set_budget(actor=ready.coordinator, grant=grant, lines={"equipment": "100000.00"})
    assert exc.value.code == "category_in_use"
    assert GrantBudgetLine.objects.filter(grant=grant).count() == 3


# --- the eligibility registry -------------------------------------------------------------


def test_registry_runs_checks_other_apps_register(ready):
    seen = []

    def fake_check(candidate):
        seen.append((candidate.stage, candidate.amount))
        if candidate.stage == Stage.AWARD:
            return [Problem("fake", "Fake problem", "attendance")]
        return []

    eligibility.grant_check(fake_check)
    try:
        grant = h.proposed(ready, "50000.00")
        with pytest.raises(NotEligible) as exc:
            services.grant_award(actor=ready.coordinator, grant=grant, decided_on=h.DECIDED_ON)
        assert exc.value.message_dict == {"attendance": ["Fake problem"]}
        problems = services.grant_eligibility(grant=grant)
        assert [p.code for p in problems] == ["fake"]
    finally:
        eligibility.unregister(fake_check)
    assert seen[0] == (Stage.PROPOSE, Decimal("50000.00"))
    grant.refresh_from_db()
    assert grant.state == GrantState.PROPOSED
    assert not DeMinimisAid.objects.exists()


def test_registering_twice_keeps_one(ready):
    def check(candidate):
        return []

    eligibility.grant_check(check)
    eligibility.grant_check(check)
    try:
        assert eligibility.registered_checks().count(check) == 1
    finally:
        eligibility.unregister(check)


# --- database rules -----------------------------------------------------------------------


def test_database_keeps_the_amount_in_range_and_revocation_reasoned(ready):
    grant = h.proposed(ready)
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.filter(pk=grant.pk).update(amount=Decimal("140000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.filter(pk=grant.pk).update(amount=Decimal("-5"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.filter(pk=grant.pk).update(state=GrantState.REVOKED, revoked_on=dt.date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.filter(pk=grant.pk).update(state=GrantState.CONTRACT_SIGNED, decided_on=h.DECIDED_ON)
