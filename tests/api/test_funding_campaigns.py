"""/api/v1/campaigns/ (with the crowdfunding track), /api/v1/matching-rules/ and
/api/v1/de-minimis/: roles allowed and 404, bad input, figures, query counts."""

import datetime as dt
from decimal import Decimal

import pytest

from incubator import access
from incubator.funding import services
from incubator.funding.models import CrowdfundingCampaign, DeMinimisAid, MatchingRule
from incubator.selection.models import ApplicationState
from tests import factories as f
from tests.api.helpers import ANONYMOUS, ROLES, client_as, client_for, ids
from tests.funding import helpers as h
from tests.funding.fixtures import without_attendance_check  # noqa: F401

pytestmark = pytest.mark.django_db

CAMPAIGNS = "/api/v1/campaigns/"
RULES = "/api/v1/matching-rules/"
DE_MINIMIS = "/api/v1/de-minimis/"


def campaign_for(world, venture=None, **kwargs):
    fields = {
        "platform": "Produzioni dal Basso",
        "url": "https://example.org/c",
        "model": "donation",
        "budget": Decimal("20000.00"),
        "goal": Decimal("8000.00"),
        "starts_on": dt.date(2026, 5, 1),
        "ends_on": dt.date(2026, 6, 30),
        "internal_note": "Only for staff",
    }
    fields.update(kwargs)
    return services.campaign_create(actor=world.coordinator, venture=venture or world.venture, **fields)


# --- campaigns ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_campaign_list_by_role(role, world, other, admin_user):
    mine, theirs = campaign_for(world), campaign_for(other)
    response = client_for(role, world, admin_user).get(CAMPAIGNS)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    expected = {
        "coordinator": {mine.pk},
        "participant": {mine.pk},
        "evaluator": set(),
        "tutor": set(),
        "admin": {mine.pk, theirs.pk},
    }[role]
    assert ids(response) == expected


@pytest.mark.parametrize("role", ["coordinator", "participant", "evaluator", "tutor"])
def test_campaign_detail_and_actions_of_another_programme_are_404(role, world, other):
    mine, theirs = campaign_for(world), campaign_for(other)
    client = client_for(role, world, None)
    assert client.get(f"{CAMPAIGNS}{mine.pk}/").status_code == (200 if role in ("coordinator", "participant") else 404)
    assert client.get(f"{CAMPAIGNS}{theirs.pk}/").status_code == 404
    for action in ("launch", "progress", "close"):
        assert client.post(f"{CAMPAIGNS}{theirs.pk}/{action}/", {}, format="json").status_code == 404
    assert client.patch(f"{CAMPAIGNS}{theirs.pk}/", {"goal": "1.00"}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.state, theirs.goal) == ("draft", Decimal("8000.00"))


def test_internal_note_hidden_from_the_participant(world):
    campaign = campaign_for(world)
    assert client_as(world.coordinator).get(f"{CAMPAIGNS}{campaign.pk}/").json()["internal_note"] == "Only for staff"
    data = client_as(world.participant).get(f"{CAMPAIGNS}{campaign.pk}/").json()
    assert "internal_note" not in data and "Only for staff" not in str(data)


def test_campaign_flow_matched_through_the_api(world):
    coordinator = client_as(world.coordinator)
    response = coordinator.post(
        RULES,
        {"programme": world.programme.pk, "threshold_pct": "40.00", "match_rate_pct": "50.00", "cap": "15000.00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = {
        "venture": world.venture.pk,
        "platform": "Eppela",
        "url": "https://www.eppela.com/orto",
        "model": "reward",
        "budget": "20000.00",
        "goal": "8000.00",
        "starts_on": "2026-05-01",
        "ends_on": "2026-06-30",
    }
    response = coordinator.post(CAMPAIGNS, body, format="json")
    assert response.status_code == 201, response.content
    url = f"{CAMPAIGNS}{response.json()['id']}/"
    assert coordinator.post(f"{url}launch/", format="json").json()["state"] == "live"
    progress = coordinator.post(f"{url}progress/", {"raised": "3000.00", "backers": 25}, format="json").json()
    assert (progress["raised"], progress["backers"]) == ("3000.00", 25)
    closed = coordinator.post(f"{url}close/", {"raised": "8000.00", "backers": 60}, format="json").json()
    assert (closed["state"], closed["matched"]) == ("succeeded", "10000.00")
    participant = client_as(world.participant)
    assert participant.post(f"{url}launch/", format="json").status_code == 403
    assert participant.post(CAMPAIGNS, body, format="json").status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"budget": "-1.00"}, "budget"),
        ({"goal": "100.001"}, "goal"),
        ({"goal": "0"}, "goal"),
        ({"model": "loan"}, "model"),
        ({"ends_on": "2026-04-01"}, "ends_on"),
        ({"url": "not a url"}, "url"),
    ],
)
def test_bad_campaign_input_is_400_and_writes_nothing(world, overrides, field):
    body = {
        "venture": world.venture.pk,
        "platform": "Eppela",
        "model": "reward",
        "budget": "20000.00",
        "goal": "8000.00",
        "starts_on": "2026-05-01",
        "ends_on": "2026-06-30",
        **overrides,
    }
    response = client_as(world.coordinator).post(CAMPAIGNS, body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not CrowdfundingCampaign.objects.exists()


def test_bad_progress_is_400(world):
    campaign = campaign_for(world)
    services.campaign_launch(actor=world.coordinator, campaign=campaign)
    client = client_as(world.coordinator)
    for body, field in (({"raised": "-5"}, "raised"), ({"raised": "1.234"}, "raised"), ({"backers": -1}, "backers")):
        response = client.post(f"{CAMPAIGNS}{campaign.pk}/progress/", body, format="json")
        assert response.status_code == 400 and field in response.json()
    campaign.refresh_from_db()
    assert (campaign.raised, campaign.backers) == (Decimal("0.00"), 0)


def test_bad_matching_rule_is_400(world, other):
    client = client_as(world.coordinator)
    base = {"programme": world.programme.pk, "threshold_pct": "40", "match_rate_pct": "50", "cap": "1000"}
    for overrides, field in (
        ({"threshold_pct": "100.01"}, "threshold_pct"),
        ({"match_rate_pct": "-1"}, "match_rate_pct"),
        ({"cap": "10.001"}, "cap"),
        ({"programme": other.programme.pk}, "programme"),
    ):
        response = client.post(RULES, {**base, **overrides}, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    assert not MatchingRule.objects.exists()
    assert client_as(world.participant).post(RULES, base, format="json").status_code == 403


def _referred(world, state=ApplicationState.REJECTED):
    application = f.ApplicationFactory(
        call=world.call,
        venture=f.VentureFactory(programme=world.programme),
        state=state,
        submitted_at=world.application.created_at,
        crowdfunding_referral=True,
    )
    return application


@pytest.mark.parametrize("role", ["coordinator", "participant", "evaluator", "tutor", "admin"])
def test_track_by_role(role, world, other, admin_user):
    referred = _referred(world)
    f.TeamMemberFactory(venture=referred.venture, person=world.participant_person, role="member")
    _referred(world, ApplicationState.ADMITTED)  # admitted: not on the track
    theirs = _referred(other)
    response = client_for(role, world, admin_user).get(f"{CAMPAIGNS}track/")
    expected = {
        "coordinator": {referred.pk},
        "participant": {referred.pk},
        "evaluator": set(),
        "tutor": set(),
        "admin": {referred.pk, theirs.pk},
    }[role]
    assert ids(response) == expected


@pytest.mark.parametrize("rows", [1, 50])
def test_campaign_and_track_query_counts(rows, world, django_assert_num_queries):
    for _ in range(rows):
        application = _referred(world)
        campaign_for(world, venture=application.venture)
    access.forget(world.coordinator)
    client = client_as(world.coordinator)
    with django_assert_num_queries(3):  # roles, count, page
        response = client.get(CAMPAIGNS, {"page_size": 100})
    assert response.json()["count"] == rows
    access.forget(world.coordinator)
    with django_assert_num_queries(3):  # roles, count, page (latest campaign as subqueries)
        response = client.get(f"{CAMPAIGNS}track/", {"page_size": 100})
    assert response.json()["count"] == rows
    assert {r["campaign_state"] for r in response.json()["results"]} == {"draft"}


@pytest.mark.parametrize("rows", [1, 50])
def test_participant_campaign_list_query_count(rows, world, django_assert_num_queries):
    for _ in range(rows):
        campaign_for(world)
    access.forget(world.participant)
    with django_assert_num_queries(3):
        response = client_as(world.participant).get(CAMPAIGNS, {"page_size": 100})
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_matching_rule_list_query_count(rows, world, django_assert_num_queries):
    programmes = [world.programme]
    for i in range(rows - 1):
        programme = f.ProgrammeFactory()
        world.coordinator.roles.create(programme=programme, role="coordinator")
        programmes.append(programme)
    for programme in programmes:
        MatchingRule.objects.create(programme=programme, threshold_pct=40, match_rate_pct=50, cap=1000)
    access.forget(world.coordinator)
    with django_assert_num_queries(3):
        response = client_as(world.coordinator).get(RULES, {"page_size": 100})
    assert response.json()["count"] == rows


@pytest.mark.parametrize("role", ["coordinator", "participant", "evaluator", "tutor"])
def test_matching_rules_by_role(role, world, other):
    mine = MatchingRule.objects.create(programme=world.programme, threshold_pct=40, match_rate_pct=50, cap=1000)
    theirs = MatchingRule.objects.create(programme=other.programme, threshold_pct=40, match_rate_pct=50, cap=1000)
    client = client_for(role, world, None)
    assert ids(client.get(RULES)) == ({mine.pk} if role in ("coordinator", "participant") else set())
    assert client.get(f"{RULES}{theirs.pk}/").status_code == 404


# --- de minimis --------------------------------------------------------------------------


def declared(world, amount="1000.00", on=dt.date(2025, 1, 10), undertaking=None):
    return services.de_minimis_declare(
        actor=world.coordinator,
        venture=world.venture,
        undertaking=undertaking or h.vat(world.venture.pk),
        granting_body="Camera di Commercio",
        granted_on=on,
        amount=Decimal(amount),
    )


@pytest.mark.parametrize("role", ROLES)
def test_de_minimis_register_by_role(role, world, other, admin_user):
    mine, theirs = declared(world), declared(other)
    response = client_for(role, world, admin_user).get(DE_MINIMIS)
    if role == "anonymous":
        assert response.status_code in ANONYMOUS
        return
    expected = {
        "coordinator": {mine.pk},
        "participant": {mine.pk},
        "evaluator": set(),
        "tutor": set(),
        "admin": {mine.pk, theirs.pk},
    }[role]
    assert ids(response) == expected


@pytest.mark.parametrize("role", ["coordinator", "participant"])
def test_headroom_figures(role, world):
    undertaking = h.vat(world.venture.pk)
    declared(world, "200000.00", on=dt.date(2024, 6, 1), undertaking=undertaking)
    declared(world, "50000.00", on=dt.date(2023, 6, 1), undertaking=undertaking)  # rolled out on 2026-06-01
    data = client_for(role, world, None).get(f"{DE_MINIMIS}{undertaking}/", {"on": "2026-06-01"}).json()
    assert {k: data[k] for k in ("total", "ceiling", "headroom", "window_start", "window_end")} == {
        "total": "200000.00",
        "ceiling": "300000.00",
        "headroom": "100000.00",
        "window_start": "2023-06-02",
        "window_end": "2026-06-01",
    }
    assert [row["amount"] for row in data["aid"]] == ["200000.00"]
    assert data["recorded_elsewhere"] == "0.00"
    data = client_for(role, world, None).get(f"{DE_MINIMIS}{undertaking}/", {"on": "2026-05-31"}).json()
    assert (data["total"], data["headroom"]) == ("250000.00", "50000.00")


@pytest.mark.parametrize("role", ["coordinator", "participant", "evaluator", "tutor"])
def test_headroom_of_an_undertaking_out_of_reach_is_404(role, world, other):
    declared(other, undertaking=h.vat(4444))
    client = client_for(role, world, None)
    assert client.get(f"{DE_MINIMIS}{h.vat(4444)}/").status_code == 404
    assert client.get(f"{DE_MINIMIS}{h.vat(5555)}/").status_code == 404


def test_headroom_counts_aid_recorded_elsewhere(world, other):
    shared = h.vat(777)
    declared(world, "1000.00", undertaking=shared)
    declared(other, "2000.00", undertaking=shared)
    data = client_as(world.coordinator).get(f"{DE_MINIMIS}{shared}/", {"on": "2026-01-01"}).json()
    assert (data["total"], data["recorded_elsewhere"]) == ("3000.00", "2000.00")
    assert len(data["aid"]) == 1


def test_bad_on_date_is_400(world):
    declared(world)
    response = client_as(world.coordinator).get(f"{DE_MINIMIS}{h.vat(world.venture.pk)}/", {"on": "yesterday"})
    assert response.status_code == 400 and "on" in response.json()


def test_declare_through_the_api(world, other):
    body = {
        "venture": world.venture.pk,
        "undertaking": h.vat(12),
        "granting_body": "Regione Campania",
        "granted_on": "2025-02-01",
        "amount": "12000.50",
    }
    response = client_as(world.participant).post(DE_MINIMIS, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "declared"
    for overrides, field in (
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"granted_on": "2999-01-01"}, "granted_on"),
        ({"venture": other.venture.pk}, "venture"),
    ):
        response = client_as(world.participant).post(DE_MINIMIS, {**body, **overrides}, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    # A tutor does not see the venture: it "does not exist" for them.
    response = client_as(world.tutor).post(DE_MINIMIS, body, format="json")
    assert response.status_code == 400 and "venture" in response.json()
    assert DeMinimisAid.objects.count() == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_de_minimis_list_query_count(rows, world, django_assert_num_queries):
    for i in range(rows):
        declared(world, undertaking=h.vat(100 + i))
    access.forget(world.coordinator)
    with django_assert_num_queries(3):
        response = client_as(world.coordinator).get(DE_MINIMIS, {"page_size": 100})
    assert response.json()["count"] == rows
