"""/api/v1/grants/{id}/tranches/, /expense-reports/ and /expenses/: roles (allowed and
404), the refusals as 400 naming the field, the document served only through an
access-checked view, and query counts at 1 and 50 rows."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incubator import access
from incubator.funding.models import ExpenseItem, ExpenseReport, Tranche
from tests.api.helpers import client_as, client_for, ids
from tests.funding import helpers as h
from tests.funding.fixtures import without_attendance_check  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(world):
    h.admitted(world)
    return h.running(world)


@pytest.fixture
def other_grant(other):
    h.admitted(other)
    return h.running(other)


def base(grant, what: str) -> str:
    return f"/api/v1/grants/{grant.pk}/{what}/"


# --- tranches ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "participant", "evaluator", "tutor", "admin"])
def test_tranches_by_role(role, world, grant, other_grant, admin_user):
    tranche = h_tranche(world, grant)
    foreign = h_tranche(other_grant_world := _world_of(other_grant), other_grant)
    client = client_for(role, world, admin_user)
    response = client.get(base(grant, "tranches"))
    if role in ("evaluator", "tutor"):
        assert response.status_code == 404
        assert client.get(f"{base(grant, 'tranches')}{tranche.pk}/").status_code == 404
    else:
        assert ids(response) == {tranche.pk}
    if role != "admin":
        assert client.get(base(other_grant, "tranches")).status_code == 404
        assert client.get(f"{base(other_grant, 'tranches')}{foreign.pk}/").status_code == 404
        body = {"kind": "interim", "amount": "1.00"}
        assert client.post(base(other_grant, "tranches"), body, format="json").status_code == 404
        assert client.post(f"{base(other_grant, 'tranches')}{foreign.pk}/pay/", {}).status_code == 404
    # A tranche of another grant is not found beneath this one, whoever asks.
    assert client.get(f"{base(grant, 'tranches')}{foreign.pk}/").status_code == 404
    assert other_grant_world is not None


def _world_of(grant):
    return grant


def h_tranche(world, grant):
    return Tranche.objects.create(
        grant=grant, kind="advance", amount=Decimal("100.00"), grant_amount=grant.amount, guarantee_reference="G"
    )


def test_request_pay_cancel(world, grant):
    participant = client_as(world.participant)
    body = {"kind": "advance", "amount": "30000.00", "guarantee_reference": "Fideiussione 42"}
    response = participant.post(base(grant, "tranches"), body, format="json")
    assert response.status_code == 201, response.content
    tranche_url = f"{base(grant, 'tranches')}{response.json()['id']}/"
    assert participant.post(f"{tranche_url}pay/", {}, format="json").status_code == 403
    coordinator = client_as(world.coordinator)
    paid = coordinator.post(f"{tranche_url}pay/", {"paid_on": "2026-04-20"}, format="json").json()
    assert (paid["state"], paid["paid_on"]) == ("paid", "2026-04-20")
    assert coordinator.post(f"{tranche_url}cancel/", {"reason": "x"}, format="json").status_code == 400
    grant_data = coordinator.get(f"/api/v1/grants/{grant.pk}/").json()
    assert (grant_data["paid"], grant_data["committed"]) == ("30000.00", "30000.00")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "advance", "amount": "-1.00", "guarantee_reference": "G"}, "amount"),
        ({"kind": "advance", "amount": "10.001", "guarantee_reference": "G"}, "amount"),
        ({"kind": "advance", "amount": "30000.01", "guarantee_reference": "G"}, "amount"),
        ({"kind": "advance", "amount": "100.00"}, "guarantee_reference"),
        ({"kind": "interim", "amount": "100.00"}, "kind"),
        ({"kind": "balance", "amount": "100.00"}, "kind"),
        ({"kind": "gift", "amount": "100.00"}, "kind"),
        ({"kind": "interim", "amount": "100000.01"}, "amount"),
    ],
)
def test_refused_tranches_answer_400_and_write_nothing(world, grant, body, field):
    response = client_as(world.coordinator).post(base(grant, "tranches"), body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Tranche.objects.exists()


# --- expense reports and items -----------------------------------------------------------


def upload(**overrides):
    body = {
        "category": "equipment",
        "supplier": "Ferramenta Partenopea srl",
        "supplier_tax_id": h.vat(900),
        "invoice_number": "FT-1",
        "invoice_date": "2026-05-10",
        "amount": "1220.00",
        "invoice_has_cup": "true",
        "document": SimpleUploadedFile("invoice.pdf", h.PDF, content_type="application/pdf"),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def test_report_items_review_and_document_flow(world, grant):
    participant = client_as(world.participant)
    response = participant.post(
        base(grant, "expense-reports"), {"period_start": "2026-04-01", "period_end": "2026-09-30"}, format="json"
    )
    assert response.status_code == 201, response.content
    report_id = response.json()["id"]
    response = participant.post(base(grant, "expenses"), upload(report=report_id), format="multipart")
    assert response.status_code == 201, response.content
    item = response.json()
    assert item["status"] == "pending"
    assert item["document_url"] == f"/api/v1/grants/{grant.pk}/expenses/{item['id']}/document/"
    assert "document" not in item  # the storage path is never exposed
    document = participant.get(item["document_url"])
    assert document.status_code == 200
    assert b"".join(document.streaming_content).startswith(b"%PDF-")
    assert document["Content-Type"] == "application/pdf"
    assert "attachment" in document["Content-Disposition"]
    submitted = participant.post(f"{base(grant, 'expense-reports')}{report_id}/submit/", format="json")
    assert submitted.json()["state"] == "submitted"
    review_url = f"{base(grant, 'expenses')}{item['id']}/review/"
    assert participant.post(review_url, {"accept": True}, format="json").status_code == 403
    coordinator = client_as(world.coordinator)
    response = coordinator.post(review_url, {"accept": False}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = coordinator.post(review_url, {"accept": True}, format="json")
    assert response.json()["status"] == "accepted"
    assert ExpenseReport.objects.get(pk=report_id).state == "reviewed"


@pytest.mark.parametrize("role", ["evaluator", "tutor"])
def test_document_is_not_served_to_others(role, world, other, grant, other_grant):
    report = h.report(world, grant)
    item = h.item(world, report)
    document_url = f"{base(grant, 'expenses')}{item.pk}/document/"
    assert client_for(role, world, None).get(document_url).status_code == 404
    assert client_as(other.coordinator).get(document_url).status_code == 404
    assert client_as(other.participant).get(document_url).status_code == 404
    # Not beneath another grant either.
    assert client_as(world.coordinator).get(f"{base(other_grant, 'expenses')}{item.pk}/document/").status_code == 404
    assert client_as(world.coordinator).get(document_url).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"invoice_has_cup": "false"}, "invoice_has_cup"),
        ({"invoice_date": "2026-03-31"}, "invoice_date"),
        ({"invoice_date": "2028-01-01"}, "invoice_date"),
        ({"invoice_number": "DUP-1"}, "invoice_number"),
        ({"document": None}, "document"),
        ({"document": SimpleUploadedFile("x.pdf", b"GIF89a")}, "document"),
        ({"amount": "-3.00"}, "amount"),
        ({"amount": "3.001"}, "amount"),
        ({"category": "travel"}, "category"),
        ({"report": 999999}, "report"),
    ],
)
def test_refused_items_answer_400_naming_the_field(world, grant, overrides, field):
    report = h.report(world, grant)
    h.item(world, report, invoice_number="DUP-1", supplier_tax_id=h.vat(900))
    before = ExpenseItem.objects.count()
    body = upload(**{"report": report.pk, **overrides})
    response = client_as(world.participant).post(base(grant, "expenses"), body, format="multipart")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert ExpenseItem.objects.count() == before


@pytest.mark.parametrize("role", ["coordinator", "participant", "evaluator", "tutor"])
def test_expenses_and_reports_by_role(role, world, other, grant, other_grant):
    report = h.report(world, grant)
    item = h.item(world, report)
    foreign_report = h.report(other, other_grant)
    foreign_item = h.item(other, foreign_report, supplier_tax_id=h.vat(901))
    client = client_for(role, world, None)
    if role in ("coordinator", "participant"):
        assert ids(client.get(base(grant, "expenses"))) == {item.pk}
        assert ids(client.get(base(grant, "expense-reports"))) == {report.pk}
    else:
        assert client.get(base(grant, "expenses")).status_code == 404
        assert client.get(base(grant, "expense-reports")).status_code == 404
    assert client.get(base(other_grant, "expenses")).status_code == 404
    assert client.get(f"{base(other_grant, 'expenses')}{foreign_item.pk}/").status_code == 404
    assert client.get(f"{base(grant, 'expenses')}{foreign_item.pk}/").status_code == 404
    assert client.get(f"{base(other_grant, 'expense-reports')}{foreign_report.pk}/").status_code == 404
    assert client.post(f"{base(other_grant, 'expense-reports')}{foreign_report.pk}/submit/").status_code == 404


# --- query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("what", ["tranches", "expenses", "expense-reports"])
@pytest.mark.parametrize("role", ["coordinator", "participant"])
def test_nested_list_query_count(rows, what, role, world, django_assert_num_queries):
    (grant,) = h.many_grants(world, 1)
    h.fill_grant(grant, rows - 1)  # many_grants already gave one of each
    if role == "participant":
        from tests import factories as f

        f.TeamMemberFactory(venture=grant.venture, person=world.participant_person, role="member")
    user = getattr(world, role)
    access.forget(user)
    # roles, the grant (404 if out of reach), count, page
    with django_assert_num_queries(4):
        response = client_as(user).get(base(grant, what), {"page_size": 100})
    assert response.json()["count"] == rows
