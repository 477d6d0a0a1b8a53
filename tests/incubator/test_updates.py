"""Changing programmes, calls, ventures and roles after creation, through the services."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from incubator import access, services
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import AuditEvent, RoleAssignment
from incubator.path import services as path_services
from incubator.selection import services as selection_services

pytestmark = pytest.mark.django_db


def test_programme_update_changes_editable_fields_and_audits(world, other):
    services.programme_update(actor=world.coordinator, programme=world.programme, budget=Decimal("100.00"))
    world.programme.refresh_from_db()
    assert world.programme.budget == Decimal("100.00")
    event = AuditEvent.objects.get(verb="programme.update")
    assert (event.before, event.after) == ({"budget": "2668337.00"}, {"budget": "100.00"})
    with pytest.raises(DomainError) as err:
        services.programme_update(actor=world.coordinator, programme=world.programme, code="X")
    assert err.value.field == "code"
    with pytest.raises(NotPermitted):
        services.programme_update(actor=other.coordinator, programme=world.programme, budget=Decimal(1))


def test_programme_update_validates_dates(world):
    with pytest.raises(ValidationError) as err:
        services.programme_update(actor=world.coordinator, programme=world.programme, ends_on=dt.date(2000, 1, 1))
    assert "programme_dates_ordered" in str(err.value)
    world.programme.refresh_from_db()
    assert world.programme.ends_on != dt.date(2000, 1, 1)


def test_open_call_deadline_can_be_extended_not_shortened(world):
    call = world.call
    later = call.closes_at + dt.timedelta(days=5)
    selection_services.call_update(actor=world.coordinator, call=call, closes_at=later)
    call.refresh_from_db()
    assert call.closes_at == later
    with pytest.raises(DomainError) as err:
        selection_services.call_update(actor=world.coordinator, call=call, closes_at=later - dt.timedelta(days=1))
    assert err.value.field == "closes_at"
    with pytest.raises(DomainError) as err:
        selection_services.call_update(actor=world.coordinator, call=call, opens_at=timezone.now())
    assert err.value.field == "opens_at"


def test_call_before_opening_is_fully_editable_and_after_ranking_only_labels(world):
    call = world.call
    with time_machine.travel(call.opens_at - dt.timedelta(days=1)):
        selection_services.call_update(actor=world.coordinator, call=call, themes=["heritage"], places=5)
    call.refresh_from_db()
    assert (call.themes, call.places) == (["heritage"], 5)
    call.ranking_published_at = timezone.now()
    call.save()
    with pytest.raises(DomainError) as err:
        selection_services.call_update(actor=world.coordinator, call=call, places=9)
    assert err.value.field == "places"
    selection_services.call_update(actor=world.coordinator, call=call, title="Renamed")
    call.refresh_from_db()
    assert call.title == "Renamed"


def test_venture_update_by_coordinator_only(world, other):
    services.venture_update(actor=world.coordinator, venture=world.venture, title="Nuovo titolo")
    world.venture.refresh_from_db()
    assert world.venture.title == "Nuovo titolo"
    for actor in (world.participant, world.tutor, other.coordinator):
        with pytest.raises(NotPermitted):
            services.venture_update(actor=actor, venture=world.venture, title="x")


def test_role_revoke(world, admin_user):
    assignment = RoleAssignment.objects.get(user=world.evaluator, role="evaluator")
    assert world.programme.pk in access.programmes(world.evaluator, "evaluator")
    services.role_revoke(actor=world.coordinator, assignment=assignment)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    # Roles are cached per user object (one query per request): read a fresh one.
    fresh = type(world.evaluator).objects.get(pk=world.evaluator.pk)
    assert world.programme.pk not in access.programmes(fresh, "evaluator")
    coordinator_role = RoleAssignment.objects.get(user=world.coordinator, role="coordinator")
    with pytest.raises(NotPermitted):
        services.role_revoke(actor=world.coordinator, assignment=coordinator_role)
    services.role_revoke(actor=admin_user, assignment=coordinator_role)
    assert AuditEvent.objects.filter(verb="role.revoke").count() == 2


def test_status_change_to_suspended_pauses_the_clock_through_the_path_service(world):
    from tests import factories as f

    enrolment = f.EnrolmentFactory(application=world.application, starts_on=dt.date(2026, 1, 1))
    world.application.state = "admitted"
    world.application.submitted_at = timezone.now()
    world.application.save()
    with pytest.raises(DomainError) as err:
        path_services.enrolment_change_status(actor=world.coordinator, enrolment=enrolment, status="suspended")
    assert err.value.field == "reason"
    path_services.enrolment_change_status(
        actor=world.coordinator, enrolment=enrolment, status="suspended", reason="Maternity", on=dt.date(2026, 3, 1)
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "suspended" and enrolment.suspensions.filter(ends_on__isnull=True).exists()
    path_services.enrolment_change_status(
        actor=world.coordinator, enrolment=enrolment, status="active", on=dt.date(2026, 3, 11)
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "active" and not enrolment.suspensions.filter(ends_on__isnull=True).exists()
