"""The API of organisations, applicants and negotiations: each role (allowed; someone
else's record answers 404), bad input answered 400 naming the field with nothing changed,
and the list endpoints' query counts for 1 and 50 rows."""

import pytest

from incubator import access
from incubator.models import AuditEvent
from incubator.negotiation.models import Meeting, Negotiation
from incubator.organisations.models import Organisation, OrganisationMember
from incubator.selection import services as selection_services
from tests import factories as f
from tests.api.helpers import client_as
from tests.negotiation.conftest import an_hour_ago
from tests.organisations.helpers import organisation, vat

pytestmark = pytest.mark.django_db

ORGS = "/api/v1/organisations/"
NEGS = "/api/v1/negotiations/"


def test_organisations_by_role(world, other):
    mine = organisation(world.programme)
    organisation(other.programme)
    for user in (world.coordinator, world.evaluator):
        assert [o["id"] for o in client_as(user).get(ORGS).json()["results"]] == [mine.pk]
    assert client_as(world.participant).get(ORGS).json()["results"] == []
    assert client_as(world.participant).get(f"{ORGS}{mine.pk}/").status_code == 404
    assert client_as(other.coordinator).get(f"{ORGS}{mine.pk}/").status_code == 404
    OrganisationMember.objects.create(organisation=mine, user=world.participant)
    assert client_as(world.participant).get(f"{ORGS}{mine.pk}/").json()["name"] == mine.name


def test_create_organisation_and_bad_input(world, other):
    body = {"programme": world.programme.pk, "kind": "municipality", "name": "Comune di Bari", "tax_code": vat()}
    response = client_as(world.coordinator).post(ORGS, {**body, "istat_code": "072006"}, format="json")
    assert response.status_code == 400 and "population" in response.json()
    response = client_as(world.coordinator).post(ORGS, {**body, "istat_code": "72006", "population": 3}, format="json")
    assert response.status_code == 400 and "istat_code" in response.json()
    response = client_as(world.coordinator).post(ORGS, {**body, "population": -5}, format="json")
    assert response.status_code == 400 and "population" in response.json()
    assert not Organisation.objects.exists()
    response = client_as(other.coordinator).post(ORGS, {**body, "population": 5}, format="json")
    assert response.status_code == 400 and "programme" in response.json()
    response = client_as(world.coordinator).post(
        ORGS, {**body, "istat_code": "072006", "population": 316000}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["population"] == 316000


def test_applicants_endpoint(world, other):
    lead = organisation(world.programme)
    coop = organisation(world.programme, kind="social_cooperative")
    OrganisationMember.objects.create(organisation=lead, user=world.participant)
    OrganisationMember.objects.create(organisation=coop, user=world.participant)
    body = {
        "application": world.application.pk,
        "organisation": lead.pk,
        "partners": [
            {"organisation": lead.pk, "budget_share": "70"},
            {"organisation": coop.pk, "budget_share": "20", "activity": "Laboratori"},
        ],
    }
    response = client_as(world.participant).post("/api/v1/applicants/", body, format="json")
    assert response.status_code == 400 and "budget_share" in response.json()
    assert not world.application.partners.exists()
    body["partners"][1]["budget_share"] = "30"
    response = client_as(world.participant).post("/api/v1/applicants/", body, format="json")
    assert response.status_code == 200, response.content
    assert [p["role"] for p in response.json()["partners"]] == ["lead", "partner"]
    response = client_as(other.participant).post("/api/v1/applicants/", body, format="json")
    assert response.status_code == 400 and "application" in response.json()  # not visible: "does not exist"


def test_negotiation_flow_by_api(negotiation_world, other):
    w = negotiation_world
    url = f"{NEGS}{w.negotiation.pk}/"
    coordinator, applicant = client_as(w.coordinator), client_as(w.participant)
    for user in (w.evaluator, w.tutor, other.coordinator, other.participant):
        assert client_as(user).get(url).status_code == 404
        assert client_as(user).post(f"{url}agree/", {"amount": "50000", "note": "x"}, format="json").status_code == 404
    response = coordinator.post(
        f"{url}meetings/", {"held_at": an_hour_ago().isoformat(), "participants": "", "notes": "x"}, format="json"
    )
    assert response.status_code == 400 and "participants" in response.json()
    assert not Meeting.objects.exists()
    response = coordinator.post(
        f"{url}meetings/",
        {"held_at": an_hour_ago().isoformat(), "participants": "Ufficio", "notes": "Avvio"},
        format="json",
    )
    assert response.status_code == 201
    assert applicant.post(f"{url}request-revision/", {"notes": "x"}, format="json").status_code == 403
    assert coordinator.post(f"{url}request-revision/", {"notes": "Budget"}, format="json").status_code == 200
    revised = {"answers": {f"q{w.question.pk}": "Rivista"}, "budget": [{"category": "personnel", "amount": "90000"}]}
    assert coordinator.post(f"{url}revise/", revised, format="json").status_code == 403
    response = applicant.post(f"{url}revise/", {"budget": [{"category": "boats", "amount": "1"}]}, format="json")
    assert response.status_code == 400 and "budget" in response.json()
    response = applicant.post(f"{url}revise/", revised, format="json")
    assert response.status_code == 201 and response.json()["number"] == 2
    comparison = applicant.get(f"{url}compare/").json()
    assert (comparison["before"], comparison["after"]) == (1, 2)
    assert comparison["answers"][0]["after"] == "Rivista" and comparison["budget"][0]["difference"] == "10000.00"
    assert applicant.get(f"{url}compare/", {"before": 9}).status_code == 404
    response = coordinator.post(f"{url}agree/", {"amount": "1", "note": "ok"}, format="json")
    assert response.status_code == 400 and "amount" in response.json()
    response = coordinator.post(f"{url}agree/", {"amount": "90000", "note": "Accordo"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "agreed"
    response = coordinator.post(f"{url}grant/", {}, format="json")
    assert response.status_code == 201 and response.json()["amount"] == "90000.00"
    detail = applicant.get(url).json()
    assert detail["state"] == "granted" and [v["number"] for v in detail["versions"]] == [1, 2]
    assert len(detail["meetings"]) == 1 and detail["revision_requests"][0]["answered_at"]


def test_open_by_api(world):
    world.call.procedure = "negotiation"
    world.call.save()
    selection_services.application_submit(actor=world.coordinator, application=world.application)
    response = client_as(world.coordinator).post(NEGS, {"application": world.application.pk}, format="json")
    assert response.status_code == 400 and "state" in response.json()  # not screened yet
    selection_services.application_check(
        actor=world.coordinator, application=world.application, answers=[], eligible=True
    )
    assert (
        client_as(world.participant).post(NEGS, {"application": world.application.pk}, format="json").status_code == 403
    )
    response = client_as(world.coordinator).post(NEGS, {"application": world.application.pk}, format="json")
    assert response.status_code == 201 and response.json()["versions"][0]["number"] == 1
    assert AuditEvent.objects.filter(verb="negotiation.open").count() == 1


def _negotiations(world, rows):
    world.call.procedure = "negotiation"
    world.call.save()
    for _ in range(rows):
        application = f.ApplicationFactory(call=world.call)
        f.TeamMemberFactory(venture=application.venture, person=world.participant_person)
        application.budget_items.create(category="personnel", description="x", amount=50000)
        selection_services.application_submit(actor=world.coordinator, application=application)
        selection_services.application_check(
            actor=world.coordinator, application=application, answers=[], eligible=True
        )
        Negotiation.objects.create(application=application, opened_at=an_hour_ago())


@pytest.mark.parametrize("rows", [1, 50])
def test_list_query_counts(rows, world, django_assert_num_queries):
    _negotiations(world, rows)
    for _ in range(rows):
        organisation(world.programme)
    for user in (world.coordinator, world.participant):
        access.forget(user)
        with django_assert_num_queries(3):  # roles, count, page (version and meeting counts annotated)
            response = client_as(user).get(NEGS, {"page_size": 100})
        assert response.json()["count"] == rows
    access.forget(world.coordinator)
    with django_assert_num_queries(3):  # roles, count, page
        response = client_as(world.coordinator).get(ORGS, {"page_size": 100})
    assert response.json()["count"] == rows
