"""The funding back office: reach (own programme only, others 404), export with
neutralised cells, and actions that go through the services (refusals change nothing)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from incubator.funding import services
from incubator.funding.models import CrowdfundingCampaign, DeMinimisAid, ExpenseItem, Grant, GrantState, Tranche
from tests.funding import helpers as h

pytestmark = pytest.mark.django_db

MODELS = ("grant", "tranche", "expensereport", "expenseitem", "deminimisaid", "matchingrule", "crowdfundingcampaign")


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def coordinator_client(client, world):
    client.force_login(world.coordinator)
    return client


@pytest.fixture
def grants(world, other):
    h.admitted(world)
    h.admitted(other)
    mine, theirs = h.running(world), h.running(other)
    for grant, w in ((mine, world), (theirs, other)):
        report = h.report(w, grant)
        h.item(w, report, supplier='=HYPERLINK("http://evil")', supplier_tax_id=h.vat(grant.pk + 300))
        services.tranche_request(
            actor=w.coordinator, grant=grant, kind="advance", amount=Decimal("1000.00"), guarantee_reference="G"
        )
        services.de_minimis_declare(
            actor=w.coordinator,
            venture=grant.venture,
            undertaking=grant.undertaking,
            granting_body="Regione",
            granted_on=dt.date(2025, 1, 1),
            amount=Decimal("100"),
        )
        services.matching_rule_set(
            actor=w.coordinator, programme=w.programme, threshold_pct="40", match_rate_pct="50", cap="1000"
        )
        services.campaign_create(
            actor=w.coordinator,
            venture=grant.venture,
            platform="Eppela",
            url="https://example.org/x",
            model="donation",
            budget=Decimal("1000"),
            goal=Decimal("500"),
            starts_on=dt.date(2026, 5, 1),
            ends_on=dt.date(2026, 6, 1),
        )
    return mine, theirs


def url(model, action="changelist", *args):
    return reverse(f"admin:incubator_{model}_{action}", args=args)


def _obj(model, grant):
    return {
        "grant": lambda: grant,
        "tranche": lambda: grant.tranches.get(),
        "expensereport": lambda: grant.expense_reports.get(),
        "expenseitem": lambda: grant.expense_items.get(),
        "deminimisaid": lambda: grant.venture.de_minimis_aid.filter(source="declared").get(),
        "matchingrule": lambda: grant.venture.programme.matching_rule,
        "crowdfundingcampaign": lambda: grant.venture.campaigns.get(),
    }[model]()


def _own(model, grant) -> set[int]:
    if model == "deminimisaid":  # the grant's own aid (awarded) and the declared one
        return set(DeMinimisAid.objects.filter(programme=grant.venture.programme).values_list("pk", flat=True))
    return {_obj(model, grant).pk}


@pytest.mark.parametrize("model", MODELS)
def test_coordinator_sees_own_programme_only(model, coordinator_client, grants):
    mine, theirs = grants
    response = coordinator_client.get(url(model))
    assert response.status_code == 200
    listed = {obj.pk for obj in response.context["cl"].result_list}
    assert listed == _own(model, mine)
    assert coordinator_client.get(url(model, "change", _obj(model, mine).pk)).status_code == 200
    assert coordinator_client.get(url(model, "change", _obj(model, theirs).pk)).status_code == 404


@pytest.mark.parametrize("role", ["participant", "evaluator", "tutor"])
def test_other_roles_have_no_back_office(role, client, world, grants):
    client.force_login(getattr(world, role))
    assert client.get(url("grant")).status_code in (302, 403)


def _export(client, model, fmt="0"):
    export_url = url(model, "export")
    form = client.get(export_url).context["form"]
    fields = {name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)}
    response = client.post(export_url, {"format": fmt, "resource": "0", **fields})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("model", ["grant", "tranche", "expenseitem", "deminimisaid", "crowdfundingcampaign"])
def test_export_lists_own_programme_only(model, coordinator_client, grants):
    mine, theirs = grants
    rows = list(csv.reader(io.StringIO(_export(coordinator_client, model).content.decode())))
    ids = {int(row[0]) for row in rows[1:]}
    assert ids == _own(model, mine)


def test_export_neutralises_formula_cells(coordinator_client, grants):
    rows = list(csv.reader(io.StringIO(_export(coordinator_client, "expenseitem").content.decode())))
    header = rows[0]
    supplier = rows[1][header.index("supplier")]
    assert supplier == '\'=HYPERLINK("http://evil")'


def test_nothing_is_imported(coordinator_client, grants):
    assert coordinator_client.get(url("grant", "import")).status_code == 403
    assert coordinator_client.get(url("expenseitem", "import")).status_code == 403


def _act(client, model, action, objects, data=None):
    post = {"action": action, "_selected_action": [o.pk for o in objects], "_apply": "1", **(data or {})}
    return client.post(url(model), post)


def _errors(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_revoke_action_asks_the_reason_and_calls_the_service(coordinator_client, grants):
    mine, _ = grants
    page = coordinator_client.post(url("grant"), {"action": "revoke", "_selected_action": [mine.pk]})
    assert page.status_code == 200 and "reason" in page.context["form"].fields
    _act(coordinator_client, "grant", "revoke", [mine], {"reason": "Activity never started", "on": "2026-06-01"})
    mine.refresh_from_db()
    assert (mine.state, mine.revocation_reason) == (GrantState.REVOKED, "Activity never started")
    assert Tranche.objects.get(grant=mine).state == "cancelled"


def test_refused_action_changes_nothing(coordinator_client, grants):
    mine, _ = grants
    response = _act(coordinator_client, "grant", "award", [mine], {"decided_on": "2026-03-02"})
    assert any("cannot" in e or "Only" in e for e in _errors(response)), _errors(response)
    mine.refresh_from_db()
    assert mine.state == GrantState.IN_PROGRESS


def test_pay_and_review_actions(coordinator_client, world, grants):
    mine, _ = grants
    tranche = mine.tranches.get()
    _act(coordinator_client, "tranche", "pay", [tranche], {"on": "2026-04-20"})
    tranche.refresh_from_db()
    assert (tranche.state, tranche.paid_on) == ("paid", dt.date(2026, 4, 20))
    report = mine.expense_reports.get()
    _act(coordinator_client, "expensereport", "submit", [report])
    item = mine.expense_items.get()
    _act(coordinator_client, "expenseitem", "reject", [item], {"reason": "Invoice illegible"})
    item.refresh_from_db()
    assert (item.status, item.rejection_reason) == ("rejected", "Invoice illegible")


def test_document_link_goes_through_the_access_checked_view(coordinator_client, grants):
    mine, _ = grants
    item = mine.expense_items.get()
    page = coordinator_client.get(url("expenseitem", "change", item.pk)).content.decode()
    assert f"/api/v1/grants/{mine.pk}/expenses/{item.pk}/document/" in page
    assert "/media" not in page


def test_campaign_actions(coordinator_client, grants):
    mine, _ = grants
    campaign = mine.venture.campaigns.get()
    _act(coordinator_client, "crowdfundingcampaign", "launch", [campaign])
    _act(coordinator_client, "crowdfundingcampaign", "close", [campaign], {"raised": "600.00", "backers": "12"})
    campaign.refresh_from_db()
    assert (campaign.state, campaign.raised, campaign.matched) == ("succeeded", Decimal("600.00"), Decimal("500.00"))


def test_propose_grant_from_the_add_form(coordinator_client, world):
    from tests import factories as f

    application = f.ApplicationFactory(call=world.call, venture=f.VentureFactory(programme=world.programme))
    h.admitted(world, application)
    assert coordinator_client.get(url("grant", "add")).status_code == 200
    body = {"application": application.pk, "amount": "30000.00", "undertaking": h.vat(99), "cup": "", "cor": ""}
    response = coordinator_client.post(url("grant", "add"), body)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    grant = Grant.objects.get(application=application)
    assert grant.amount == Decimal("30000.00") and grant.state == GrantState.PROPOSED
    response = coordinator_client.post(url("grant", "add"), {**body, "amount": "10.00"})
    assert response.status_code == 200
    assert Grant.objects.filter(application=application).count() == 1


def test_declare_de_minimis_from_the_add_form_refusal_shows_on_the_form(coordinator_client, world):
    body = {
        "venture": world.venture.pk,
        "undertaking": h.vat(5),
        "granting_body": "Comune",
        "granted_on": "2999-01-01",
        "amount": "100.00",
        "note": "",
    }
    response = coordinator_client.post(url("deminimisaid", "add"), body)
    assert response.status_code == 200
    assert "future" in response.content.decode()
    assert not world.venture.de_minimis_aid.exists()
    assert CrowdfundingCampaign.objects.count() == 0 and ExpenseItem.objects.count() == 0


def test_the_grant_page_shows_every_register_entry_of_a_partnership(coordinator_client, world, other):
    h.admitted(world)
    _lead, coop, aps = h.partnership(world, shares=("50", "30", "20"))
    grant = h.awarded(world, "100000.00")
    h.admitted(other)
    theirs = h.awarded(other, "100000.00")
    page = coordinator_client.get(url("grant", "change", grant.pk)).content.decode()
    assert "De minimis register entries" in page
    for code in (grant.undertaking, coop.tax_code, aps.tax_code):
        assert code in page, code
    assert "30000.00" in page or "30,000.00" in page  # the coop's 30 %
    assert theirs.undertaking not in page
