"""/api/v1/grants/: each role allowed and 404, the state actions, bad input (400 naming
the field, nothing written), internal notes, budget and eligibility, query counts."""

from decimal import Decimal

import pytest

from incubator import access
from incubator.funding.models import Grant, GrantState
from incubator.models import AuditEvent
from tests.api.helpers import ANONYMOUS, ROLES, client_as, client_for, ids
from tests.funding import helpers as h
from tests.funding.fixtures import without_attendance_check  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/grants/"


def url(grant, action: str = "") -> str:
    return f"{URL}{grant.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def grant(world):
    h.admitted(world)
    return h.running(world, internal_note="Coordinator-only remark")


@pytest.fixture
def other_grant(other):
    h.admitted(other)
    return h.running(other)


@pytest.mark.parametrize("role", ROLES)
def test_list_by_role(role, world, grant, other_grant, admin_user):
    response = client_for(role, world, admin_user).get(URL)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    expected = {
        "coordinator": {grant.pk},
        "participant": {grant.pk},
        "evaluator": set(),
        "tutor": set(),
        "admin": {grant.pk, other_grant.pk},
    }[role]
    assert ids(response) == expected


@pytest.mark.parametrize("role", ["coordinator", "participant", "evaluator", "tutor"])
def test_detail_allowed_or_404(role, world, grant, other_grant):
    client = client_for(role, world, None)
    own = client.get(url(grant))
    assert own.status_code == (200 if role in ("coordinator", "participant") else 404)
    assert client.get(url(other_grant)).status_code == 404
    for action in ("award", "sign-contract", "start", "close", "revoke"):
        assert client.post(url(other_grant, action), {}, format="json").status_code == 404
    assert client.get(url(other_grant, "budget")).status_code == 404
    assert client.get(url(other_grant, "eligibility")).status_code == 404


def test_internal_note_only_for_coordinators(world, grant):
    assert client_as(world.coordinator).get(url(grant)).json()["internal_note"] == "Coordinator-only remark"
    data = client_as(world.participant).get(url(grant)).json()
    assert "internal_note" not in data
    assert "Coordinator-only" not in str(data)


def test_propose_award_contract_start_revoke_through_the_api(world):
    h.admitted(world)
    client = client_as(world.coordinator)
    body = {
        "application": world.application.pk,
        "amount": "75000.00",
        "undertaking": h.vat(31),
        "cup": "B61H26000010006",
        "cor": "55555",
        "budget": {"equipment": "50000.00", "services": "25000.00"},
    }
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    grant = Grant.objects.get(pk=response.json()["id"])
    assert response.json()["state"] == "proposed" and grant.budget_lines.count() == 2
    assert client.get(url(grant, "eligibility")).json() == {"stage": "award", "eligible": True, "problems": []}
    assert client.post(url(grant, "award"), {"decided_on": "2026-03-02"}, format="json").json()["state"] == "awarded"
    # Still an informal group: the contract is refused, the reason names the field.
    eligibility = client.get(url(grant, "eligibility")).json()
    assert eligibility["stage"] == "contract" and not eligibility["eligible"]
    contract = {"signed_on": "2026-04-01", "starts_on": "2026-04-01", "ends_on": "2027-12-31"}
    response = client.post(url(grant, "sign-contract"), contract, format="json")
    assert response.status_code == 400 and "contract_signed_on" in response.json()
    h.incorporate(world, on=h.INCORPORATED_ON)
    assert client.post(url(grant, "sign-contract"), contract, format="json").json()["state"] == "contract_signed"
    assert client.post(url(grant, "start"), format="json").json()["state"] == "in_progress"
    response = client.post(url(grant, "revoke"), {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = client.post(url(grant, "revoke"), {"reason": "Activity stopped"}, format="json")
    assert response.json()["state"] == "revoked"
    assert AuditEvent.objects.filter(verb="grant.revoked", target_id=grant.pk).exists()


@pytest.mark.parametrize(
    ("amount", "message_part"),
    [("-1000.00", "0"), ("30000.001", "2"), ("24999.99", "25"), ("140000.01", "140"), ("lots", "")],
)
def test_bad_amount_answers_400_naming_the_field_and_writes_nothing(world, amount, message_part):
    h.admitted(world)
    body = {"application": world.application.pk, "amount": amount, "undertaking": h.vat(31)}
    response = client_as(world.coordinator).post(URL, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["amount"]
    assert message_part in response.json()["amount"][0]
    assert not Grant.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="grant.").exists()


def test_patch_amount_out_of_range_writes_nothing(world):
    h.admitted(world)
    grant = h.proposed(world, "50000.00")
    client = client_as(world.coordinator)
    response = client.patch(url(grant), {"amount": "150000.00"}, format="json")
    assert response.status_code == 400 and "amount" in response.json()
    response = client.patch(url(grant), {"amount": "-5"}, format="json")
    assert response.status_code == 400 and "amount" in response.json()
    grant.refresh_from_db()
    assert grant.amount == Decimal("50000.00")
    assert client.patch(url(grant), {"amount": "60000.00"}, format="json").json()["amount"] == "60000.00"


def test_participant_may_read_but_not_act(world, grant):
    client = client_as(world.participant)
    assert client.post(url(grant, "revoke"), {"reason": "x"}, format="json").status_code == 403
    assert client.patch(url(grant), {"cup": "X"}, format="json").status_code == 403
    assert client.get(url(grant, "eligibility")).status_code == 403
    body = {"application": world.application.pk, "amount": "50000.00", "undertaking": h.vat(1)}
    assert client.post(URL, body, format="json").status_code == 403
    grant.refresh_from_db()
    assert grant.state == GrantState.IN_PROGRESS


def test_proposing_for_an_application_out_of_reach_is_400(world, other):
    h.admitted(other)
    body = {"application": other.application.pk, "amount": "50000.00", "undertaking": h.vat(1)}
    response = client_as(world.coordinator).post(URL, body, format="json")
    assert response.status_code == 400 and "application" in response.json()
    assert not Grant.objects.exists()


def test_budget_read_and_replace(world, grant):
    client = client_as(world.coordinator)
    rows = client.get(url(grant, "budget")).json()
    assert {r["category"]: r["budget"] for r in rows} == {
        "equipment": "40000.00",
        "services": "40000.00",
        "promotion": "20000.00",
    }
    response = client.post(url(grant, "budget"), {"lines": {"equipment": "-1"}}, format="json")
    assert response.status_code == 400 and "lines" in response.json()
    response = client.post(url(grant, "budget"), {"lines": {"equipment": "100000.01"}}, format="json")
    assert response.status_code == 400 and "budget" in response.json()
    rows = client.post(url(grant, "budget"), {"lines": {"equipment": "100000.00"}}, format="json").json()
    assert [(r["category"], r["budget"]) for r in rows] == [("equipment", "100000.00")]
    assert client_as(world.participant).get(url(grant, "budget")).status_code == 200
    assert client_as(world.participant).post(url(grant, "budget"), {"lines": {}}, format="json").status_code == 403


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("role", ["coordinator", "participant"])
def test_list_query_count(rows, role, world, django_assert_num_queries):
    grants = h.many_grants(world, rows)
    h.partnership_entries(grants)
    if role == "participant":
        from tests import factories as f

        for g in grants:
            f.TeamMemberFactory(venture=g.venture, person=world.participant_person, role="member")
    user = getattr(world, role)
    access.forget(user)
    client = client_as(user)
    # roles, count, page (totals are subqueries of the page query), the register entries
    with django_assert_num_queries(4):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == rows
    assert {len(r["de_minimis_aid"]) for r in response.json()["results"]} == {2}
    assert {r["paid"] for r in response.json()["results"]} == {"0.00"}
    assert {r["committed"] for r in response.json()["results"]} == {"100.00"}


def test_a_partnership_grant_shows_every_register_entry(world, other):
    """Awarded through the API: the grant lists its entries (one per undertaking, adding up
    to the amount) to whoever sees the grant; the register filters by grant; the other
    programme's coordinator gets 404 and an empty list."""
    h.admitted(world)
    _lead, coop, aps = h.partnership(world, shares=("50", "30", "20"))
    grant = h.proposed(world, "100000.00")
    client = client_as(world.coordinator)
    response = client.post(url(grant, "award"), {"decided_on": "2026-03-02"}, format="json")
    assert response.status_code == 200, response.content
    aid = {row["undertaking"]: row["amount"] for row in response.json()["de_minimis_aid"]}
    assert aid == {grant.undertaking: "50000.00", coop.tax_code: "30000.00", aps.tax_code: "20000.00"}
    assert len(client_as(world.participant).get(url(grant)).json()["de_minimis_aid"]) == 3
    register = client.get("/api/v1/de-minimis/", {"grant": grant.pk}).json()
    assert sorted(row["amount"] for row in register["results"]) == ["20000.00", "30000.00", "50000.00"]
    assert {row["grant"] for row in register["results"]} == {grant.pk}
    assert client_as(other.coordinator).get(url(grant)).status_code == 404
    assert client_as(other.coordinator).get("/api/v1/de-minimis/", {"grant": grant.pk}).json()["count"] == 0
