"""Organisations as applicants: database rules per kind, the service's field errors, who
sees them, the call's rules on who may apply (checked at submission), partnerships whose
shares add up to 100 %, and bulk evaluator assignment skipping affiliated evaluators."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from incubator import access
from incubator import models as m
from incubator.exceptions import DomainError, NotPermitted
from incubator.organisations import services
from incubator.organisations.models import Organisation, OrganisationMember
from incubator.selection import partnerships, reviews
from incubator.selection import services as selection_services
from incubator.selection.models import ApplicationPartner, ApplicationState, Evaluation
from tests import factories as f
from tests.organisations.helpers import organisation, vat

pytestmark = pytest.mark.django_db


def _refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(**fields)


def test_database_rules_per_kind(world):
    base = {"programme": world.programme, "name": "X", "tax_code": vat()}
    _refused(kind="municipality", istat_code="72006", population=1000, **base)  # five digits
    _refused(kind="municipality", istat_code="07200A", population=1000, **base)
    _refused(kind="municipality", istat_code="072006", population=None, **base)
    _refused(kind="third_sector", runts_number="", **base)
    _refused(kind="company", company_size="", **base)
    assert Organisation.objects.create(kind="municipality", istat_code="072006", population=0, **base).pk


def test_population_cannot_be_negative(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(
            programme=world.programme, kind="public_body", name="X", tax_code=vat(), population=-1
        )


@pytest.mark.parametrize(
    ("kind", "fields", "field"),
    [
        ("municipality", {"population": 30000}, "istat_code"),
        ("municipality", {"istat_code": "072006"}, "population"),
        ("municipality", {"istat_code": "72006", "population": 30000}, "istat_code"),
        ("third_sector", {}, "runts_number"),
        ("company", {}, "company_size"),
        ("company", {"company_size": "huge"}, "company_size"),
    ],
)
def test_the_service_names_the_missing_field_and_writes_nothing(world, kind, fields, field):
    with pytest.raises(ValidationError) as refused:
        services.organisation_create(
            actor=world.coordinator, programme=world.programme, kind=kind, name="Ente", tax_code=vat(), **fields
        )
    assert field in refused.value.message_dict
    assert not Organisation.objects.exists()


def test_an_applicant_registering_an_organisation_becomes_its_member(world):
    created = services.organisation_create(
        actor=world.participant,
        programme=world.programme,
        kind="third_sector",
        name="APS Rete",
        tax_code=vat(),
        runts_number="RUNTS-1",
    )
    assert OrganisationMember.objects.filter(organisation=created, user=world.participant).exists()
    assert services.acts_for(world.participant, created.pk)
    assert not services.acts_for(world.coordinator, created.pk)


def test_only_coordinators_and_members_add_members(world):
    body = organisation(world.programme)
    with pytest.raises(NotPermitted):
        services.organisation_add_member(actor=world.participant, organisation=body, user=world.participant)
    services.organisation_add_member(actor=world.coordinator, organisation=body, user=world.evaluator)
    with pytest.raises(DomainError) as twice:
        services.organisation_add_member(actor=world.coordinator, organisation=body, user=world.evaluator)
    assert "user" in twice.value.message_dict


def test_who_sees_an_organisation(world, other):
    body = organisation(world.programme)
    for user in (world.coordinator, world.evaluator):
        assert access.get_visible(user, Organisation, pk=body.pk) == body
    for user in (world.participant, world.tutor, other.coordinator, other.evaluator):
        with pytest.raises(Http404):
            access.get_visible(user, Organisation, pk=body.pk)
    OrganisationMember.objects.create(organisation=body, user=world.participant)
    assert access.get_visible(world.participant, Organisation, pk=body.pk) == body


# --- the call's rules on who may apply -----------------------------------------------------


def _restricted(world, **rules):
    for name, value in rules.items():
        setattr(world.call, name, value)
    world.call.save()
    return world.call


def _submit(world, applicant):
    partnerships.application_set_organisation(
        actor=world.coordinator, application=world.application, organisation=applicant
    )
    return selection_services.application_submit(actor=world.coordinator, application=world.application)


def test_municipality_over_the_threshold_may_apply(world):
    _restricted(world, eligible_organisation_kinds=["municipality"], min_population=20000)
    submitted = _submit(world, organisation(world.programme, population=20001))
    assert submitted.state == ApplicationState.SUBMITTED


@pytest.mark.parametrize("population", [20000, 19999])
def test_municipality_not_over_the_threshold_is_refused_with_the_figures(world, population):
    _restricted(world, eligible_organisation_kinds=["municipality"], min_population=20000)
    with pytest.raises(DomainError) as refused:
        _submit(world, organisation(world.programme, name="Comune di Piccolo", population=population))
    assert refused.value.code == "population"
    message = refused.value.message_dict["organisation"][0]
    assert "20000" in message and str(population) in message and "Comune di Piccolo" in message
    world.application.refresh_from_db()
    assert world.application.state == ApplicationState.DRAFT and world.application.protocol_number is None


def test_kind_not_allowed_is_refused(world):
    _restricted(world, eligible_organisation_kinds=["municipality"])
    with pytest.raises(DomainError) as refused:
        _submit(world, organisation(world.programme, kind="third_sector"))
    assert refused.value.code == "organisation_kind"


def test_company_size_class_is_checked(world):
    _restricted(world, eligible_organisation_kinds=["company"], eligible_company_sizes=["medium", "large"])
    with pytest.raises(DomainError) as refused:
        _submit(world, organisation(world.programme, kind="company", company_size="micro"))
    assert refused.value.code == "company_size"
    assert _submit(world, organisation(world.programme, kind="company", company_size="large")).state == "submitted"


def test_people_may_not_apply_to_a_call_for_organisations(world):
    _restricted(world, eligible_organisation_kinds=["municipality"])
    with pytest.raises(DomainError) as refused:
        selection_services.application_submit(actor=world.coordinator, application=world.application)
    assert refused.value.code == "organisation_required"


def test_an_unrestricted_call_takes_people_as_before(world):
    submitted = selection_services.application_submit(actor=world.coordinator, application=world.application)
    assert submitted.state == ApplicationState.SUBMITTED


def test_an_applicant_names_only_an_organisation_they_act_for(world, other):
    mine, theirs = organisation(world.programme), organisation(world.programme)
    OrganisationMember.objects.create(organisation=mine, user=world.participant)
    with pytest.raises(DomainError) as refused:
        partnerships.application_set_organisation(
            actor=world.participant, application=world.application, organisation=theirs
        )
    assert refused.value.code == "not_member"
    with pytest.raises(DomainError) as elsewhere:
        partnerships.application_set_organisation(
            actor=world.coordinator, application=world.application, organisation=organisation(other.programme)
        )
    assert elsewhere.value.code == "other_programme"
    partnerships.application_set_organisation(actor=world.participant, application=world.application, organisation=mine)
    world.application.refresh_from_db()
    assert world.application.organisation == mine
    with pytest.raises(NotPermitted):
        partnerships.application_set_organisation(
            actor=other.participant, application=world.application, organisation=None
        )


# --- partnerships ------------------------------------------------------------------------


def _partnership(world):
    lead = organisation(world.programme, name="Comune di Lecce")
    coop = organisation(world.programme, kind="social_cooperative", name="Coop Sociale")
    company = organisation(world.programme, kind="company", name="Impresa")
    partnerships.application_set_organisation(actor=world.coordinator, application=world.application, organisation=lead)
    return lead, coop, company


def test_partnership_shares_adding_up_to_100(world):
    lead, coop, company = _partnership(world)
    rows = partnerships.partnership_set(
        actor=world.coordinator,
        application=world.application,
        partners=[
            {"organisation": lead, "budget_share": "50"},
            {"organisation": coop, "budget_share": "30.5", "activity": "Laboratori"},
            {"organisation": company, "budget_share": "19.5"},
        ],
    )
    assert [(r.organisation, r.role) for r in rows] == [(lead, "lead"), (coop, "partner"), (company, "partner")]
    assert sum(r.budget_share for r in rows) == Decimal("100")


@pytest.mark.parametrize(
    ("shares", "field", "code"),
    [
        (("50", "30", "19.99"), "budget_share", "shares_not_100"),
        (("60", "30", "20"), "budget_share", "shares_not_100"),
        (("50", "-10", "60"), "budget_share", "out_of_range"),
        (("50", "abc", "50"), "budget_share", "invalid"),
    ],
)
def test_partnership_shares_refused(world, shares, field, code):
    lead, coop, company = _partnership(world)
    with pytest.raises(DomainError) as refused:
        partnerships.partnership_set(
            actor=world.coordinator,
            application=world.application,
            partners=[
                {"organisation": o, "budget_share": s} for o, s in zip((lead, coop, company), shares, strict=True)
            ],
        )
    assert refused.value.code == code and field in refused.value.message_dict
    assert not ApplicationPartner.objects.exists()


def test_partnership_needs_the_lead_and_a_partner(world):
    lead, coop, _company = _partnership(world)
    with pytest.raises(DomainError) as no_lead:
        partnerships.partnership_set(
            actor=world.coordinator,
            application=world.application,
            partners=[{"organisation": coop, "budget_share": 100}],
        )
    assert no_lead.value.code == "no_lead"
    with pytest.raises(DomainError) as alone:
        partnerships.partnership_set(
            actor=world.coordinator,
            application=world.application,
            partners=[{"organisation": lead, "budget_share": 100}],
        )
    assert alone.value.code == "few"


def test_share_within_0_100_is_a_database_rule(world):
    lead, *_rest = _partnership(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationPartner.objects.create(application=world.application, organisation=lead, budget_share=Decimal("101"))


def test_a_submitted_partnership_is_not_edited(world):
    lead, coop, _company = _partnership(world)
    selection_services.application_submit(actor=world.coordinator, application=world.application)
    with pytest.raises(DomainError):
        partnerships.partnership_set(
            actor=world.coordinator,
            application=world.application,
            partners=[{"organisation": lead, "budget_share": 50}, {"organisation": coop, "budget_share": 50}],
        )


# --- bulk evaluator assignment (issue #15) --------------------------------------------------


def test_bulk_assignment_skips_evaluators_of_the_applicant_organisation_and_partners(world):
    lead, coop, _company = _partnership(world)
    partnerships.partnership_set(
        actor=world.coordinator,
        application=world.application,
        partners=[{"organisation": lead, "budget_share": 70}, {"organisation": coop, "budget_share": 30}],
    )
    selection_services.application_submit(actor=world.coordinator, application=world.application)
    selection_services.application_check(
        actor=world.coordinator, application=world.application, answers=[], eligible=True
    )
    third = f.UserFactory(username="A-evaluator3")
    m.RoleAssignment.objects.create(user=third, programme=world.programme, role=m.Role.EVALUATOR)
    OrganisationMember.objects.create(organisation=lead, user=world.evaluator)
    OrganisationMember.objects.create(organisation=coop, user=world.evaluator2)
    result = reviews.call_assign_evaluators(actor=world.coordinator, call=world.call, per_application=2)
    assert set(Evaluation.objects.filter(application=world.application).values_list("evaluator", flat=True)) == {
        third.pk
    }
    assert result["short"] == [world.application.pk]
