"""The negotiation procedure: meetings logged, a revision requested and answered with a
new version (every version kept), agreement (the application admitted without ranking),
then the grant; each step's refusals name the field and change nothing; each role."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from incubator import access
from incubator.exceptions import DomainError, NotPermitted, TransitionNotAllowed
from incubator.funding.models import DeMinimisAid, Grant
from incubator.models import AuditEvent
from incubator.negotiation import selectors, services
from incubator.negotiation.models import Meeting, Negotiation, ProposalVersion
from incubator.notifications.models import Notification
from incubator.selection import partnerships
from incubator.selection.models import ApplicationState
from tests.factories import ApplicationFactory
from tests.negotiation.conftest import an_hour_ago
from tests.organisations.helpers import organisation

pytestmark = pytest.mark.django_db(transaction=False)


def _revise(w, text="Un hub di comunità con laboratori", budget=None):
    services.revision_request(actor=w.coordinator, negotiation=w.negotiation, notes="Aggiungere i laboratori")
    return services.proposal_revise(
        actor=w.participant,
        negotiation=w.negotiation,
        answers={f"q{w.question.pk}": text},
        budget=budget
        if budget is not None
        else [
            {"category": "personnel", "description": "Animatori", "amount": "70000"},
            {"category": "equipment", "description": "Laboratorio", "amount": "25000.50"},
        ],
        note="Laboratori aggiunti",
    )


def test_version_one_is_the_submitted_proposal(negotiation_world):
    w = negotiation_world
    (version,) = w.negotiation.versions.all()
    assert version.number == 1
    assert version.content["answers"] == {str(w.question.pk): "Un hub di comunità"}
    assert version.content["budget"] == [{"category": "personnel", "description": "Animatori", "amount": "80000.00"}]


def test_the_whole_flow_to_the_grant(negotiation_world, django_capture_on_commit_callbacks):
    w = negotiation_world
    services.meeting_log(
        actor=w.coordinator,
        negotiation=w.negotiation,
        held_at=an_hour_ago(),
        participants="Ufficio, Comune di Lecce",
        notes="Primo incontro di co-progettazione",
    )
    with django_capture_on_commit_callbacks(execute=True):
        version = _revise(w)
    assert version.number == 2
    assert ProposalVersion.objects.filter(negotiation=w.negotiation).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.negotiation_agree(
            actor=w.coordinator, negotiation=w.negotiation, amount="95000", note="Versione 2 approvata"
        )
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.ADMITTED and w.application.rank is None
    grant = services.negotiation_grant(actor=w.coordinator, negotiation=w.negotiation)
    assert grant.amount == Decimal("95000") and grant.undertaking == w.municipality.tax_code
    w.negotiation.refresh_from_db()
    assert w.negotiation.state == "granted"
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"negotiation.open", "negotiation.meeting", "negotiation.revise", "negotiation.agree"} <= verbs
    assert Notification.objects.filter(kind="revision_requested", recipient=w.participant).exists()
    assert Notification.objects.filter(kind="proposal_revised", recipient=w.coordinator).exists()
    assert Notification.objects.filter(kind="negotiation_agreed", recipient=w.participant).exists()


def test_comparison_side_by_side(negotiation_world):
    w = negotiation_world
    version = _revise(w)
    comparison = selectors.compare(w.negotiation.versions.get(number=1), version)
    (row,) = comparison.answers
    assert row.question == "Aims" and row.changed
    assert (row.before, row.after) == ("Un hub di comunità", "Un hub di comunità con laboratori")
    budget = {r.category: (r.before, r.after, r.difference) for r in comparison.budget}
    assert budget == {
        "Personnel": (Decimal("80000.00"), Decimal("70000"), Decimal("-10000.00")),
        "Equipment": (Decimal("0"), Decimal("25000.50"), Decimal("25000.50")),
    }
    assert (comparison.total_before, comparison.total_after) == (Decimal("80000.00"), Decimal("95000.50"))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"participants": "", "notes": "x"}, "participants"),
        ({"participants": "x", "notes": "  "}, "notes"),
        ({"participants": "x", "notes": "x", "held_at": None}, "held_at"),
    ],
)
def test_a_meeting_needs_its_fields(negotiation_world, kwargs, field):
    w = negotiation_world
    kwargs = {"held_at": an_hour_ago(), **kwargs}
    with pytest.raises(DomainError) as refused:
        services.meeting_log(actor=w.coordinator, negotiation=w.negotiation, **kwargs)
    assert field in refused.value.message_dict
    assert not Meeting.objects.exists()


def test_revision_errors_name_the_field_and_keep_the_versions(negotiation_world):
    w = negotiation_world
    with pytest.raises(TransitionNotAllowed):  # no request open
        services.proposal_revise(actor=w.participant, negotiation=w.negotiation, answers={f"q{w.question.pk}": "x"})
    services.revision_request(actor=w.coordinator, negotiation=w.negotiation, notes="Rivedere")
    for answers, budget, field in [
        ({"q999999": "x"}, None, "answers"),
        ({}, [{"category": "personnel", "amount": "-1"}], "budget"),
        ({}, [{"category": "yachts", "amount": "1"}], "budget"),
        ({}, None, "answers"),  # unchanged
    ]:
        with pytest.raises(DomainError) as refused:
            services.proposal_revise(actor=w.participant, negotiation=w.negotiation, answers=answers, budget=budget)
        assert field in refused.value.message_dict
    assert w.negotiation.versions.count() == 1
    with pytest.raises(DomainError) as no_notes:
        services.revision_request(actor=w.coordinator, negotiation=w.negotiation, notes=" ")
    assert "notes" in no_notes.value.message_dict


def test_agreement_amount_within_the_call_range_and_no_open_request(negotiation_world):
    w = negotiation_world
    with pytest.raises(DomainError) as refused:
        services.negotiation_agree(actor=w.coordinator, negotiation=w.negotiation, amount="200000", note="ok")
    assert "amount" in refused.value.message_dict
    with pytest.raises(DomainError) as no_note:
        services.negotiation_agree(actor=w.coordinator, negotiation=w.negotiation, amount="50000", note="")
    assert "agreement_note" in no_note.value.message_dict
    services.revision_request(actor=w.coordinator, negotiation=w.negotiation, notes="Rivedere")
    with pytest.raises(TransitionNotAllowed):
        services.negotiation_agree(actor=w.coordinator, negotiation=w.negotiation, amount="50000", note="ok")
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.ELIGIBLE


def test_only_a_negotiation_call_opens_a_negotiation(world):
    from incubator.selection import services as selection_services

    selection_services.application_submit(actor=world.coordinator, application=world.application)
    selection_services.application_check(
        actor=world.coordinator, application=world.application, answers=[], eligible=True
    )
    with pytest.raises(DomainError) as refused:
        services.negotiation_open(actor=world.coordinator, application=world.application)
    assert refused.value.code == "not_negotiation"
    # and a scoring call's eligible application is not admitted without evaluation
    with pytest.raises(TransitionNotAllowed):
        selection_services.application_decide(actor=world.coordinator, application=world.application, decision="admit")


def test_roles(negotiation_world, other):
    w = negotiation_world
    for step in (
        lambda actor: services.revision_request(actor=actor, negotiation=w.negotiation, notes="x"),
        lambda actor: services.negotiation_agree(actor=actor, negotiation=w.negotiation, amount="50000", note="x"),
        lambda actor: services.meeting_log(
            actor=actor, negotiation=w.negotiation, held_at=an_hour_ago(), participants="x", notes="x"
        ),
    ):
        for actor in (w.participant, w.evaluator, other.coordinator):
            with pytest.raises(NotPermitted):
                step(actor)
    services.revision_request(actor=w.coordinator, negotiation=w.negotiation, notes="x")
    for actor in (w.coordinator, w.evaluator, other.participant):
        with pytest.raises(NotPermitted):
            services.proposal_revise(actor=actor, negotiation=w.negotiation, answers={f"q{w.question.pk}": "y"})
    for user in (w.coordinator, w.participant):
        assert access.get_visible(user, Negotiation, pk=w.negotiation.pk) == w.negotiation
    for user in (w.evaluator, w.tutor, other.coordinator, other.participant):
        with pytest.raises(Http404):
            access.get_visible(user, Negotiation, pk=w.negotiation.pk)


# --- partners' de minimis ------------------------------------------------------------------


def _partnership_grant(w, partner_aid: Decimal):
    coop = organisation(w.programme, kind="social_cooperative", name="Coop Alfa")
    # the application is submitted: the partnership is set before, on a fresh draft
    application = ApplicationFactory(call=w.call)
    from tests.factories import TeamMemberFactory

    TeamMemberFactory(venture=application.venture, person=w.participant_person)
    partnerships.application_set_organisation(actor=w.coordinator, application=application, organisation=w.municipality)
    partnerships.partnership_set(
        actor=w.coordinator,
        application=application,
        partners=[{"organisation": w.municipality, "budget_share": 60}, {"organisation": coop, "budget_share": 40}],
    )
    from incubator.selection import services as selection_services

    application.answers.create(question=w.question, value="Partenariato")
    application.budget_items.create(category="personnel", description="Operatori", amount=Decimal("100000"))
    selection_services.application_submit(actor=w.coordinator, application=application)
    selection_services.application_check(actor=w.coordinator, application=application, answers=[], eligible=True)
    negotiation = services.negotiation_open(actor=w.coordinator, application=application)
    services.negotiation_agree(actor=w.coordinator, negotiation=negotiation, amount="100000", note="ok")
    DeMinimisAid.objects.create(
        undertaking=coop.tax_code,
        programme=w.programme,
        source="declared",
        granting_body="Regione",
        granted_on=an_hour_ago().date(),
        amount=partner_aid,
    )
    return negotiation, coop


def test_each_partner_share_fits_its_own_de_minimis_headroom(negotiation_world):
    # 40 % of 100,000 = 40,000: with 260,000 received the coop's headroom is exactly 40,000.
    negotiation, _coop = _partnership_grant(negotiation_world, Decimal("260000"))
    grant = services.negotiation_grant(actor=negotiation_world.coordinator, negotiation=negotiation)
    assert grant.pk


def test_a_partner_over_its_headroom_refuses_the_grant_with_its_figures(negotiation_world):
    negotiation, coop = _partnership_grant(negotiation_world, Decimal("260000.01"))
    with pytest.raises(ValidationError) as refused:
        services.negotiation_grant(actor=negotiation_world.coordinator, negotiation=negotiation)
    message = " ".join(refused.value.message_dict["amount"])
    assert "Coop Alfa" in message and "40,000.00" in message and "39,999.99" in message
    assert not Grant.objects.filter(application=negotiation.application).exists()
