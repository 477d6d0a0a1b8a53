"""Writes that create money records happen once per client key (issue 20, item 5): an
``Idempotency-Key`` header in the API, a form token on the back office's grant form.
The same key gives the same result once; twenty identical requests at once (PostgreSQL,
real connections) create one tranche."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from incubator.funding.models import ExpenseReport, Grant, Tranche
from incubator.models import IdempotencyKey
from tests.funding import helpers as h
from tests.funding.fixtures import without_attendance_check  # noqa: F401

ADVANCE = {"kind": "advance", "amount": "1000.00", "guarantee_reference": "Fideiussione 7"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def tranches_url(grant) -> str:
    return f"/api/v1/grants/{grant.pk}/tranches/"


@pytest.fixture
def grant(world):
    h.admitted(world)
    return h.running(world)


@pytest.mark.django_db
def test_the_same_key_twice_creates_one_tranche_and_answers_the_same(world, grant):
    client = api(world.participant)
    first = client.post(tranches_url(grant), ADVANCE, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(tranches_url(grant), ADVANCE, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Tranche.objects.filter(grant=grant).count() == 1
    assert IdempotencyKey.objects.filter(user=world.participant, key="k-1").count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_naming_the_header(world, grant):
    client = api(world.participant)
    assert client.post(tranches_url(grant), ADVANCE, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201
    changed = client.post(
        tranches_url(grant), {**ADVANCE, "amount": "2000.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert changed.status_code == 400 and "Idempotency-Key" in changed.json()
    assert Tranche.objects.filter(grant=grant).count() == 1


@pytest.mark.django_db
def test_a_key_is_the_user_s_own_and_a_refused_write_keeps_no_key(world, grant):
    refused = api(world.coordinator).post(
        tranches_url(grant), {**ADVANCE, "amount": "-1"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    # The participant's same key is another key: it creates.
    ok = api(world.participant).post(tranches_url(grant), ADVANCE, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert ok.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "con spazio"])
def test_a_malformed_key_is_refused(world, grant, key):
    response = api(world.participant).post(tranches_url(grant), ADVANCE, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Tranche.objects.exists()


@pytest.mark.django_db
def test_grants_take_the_key_too(world):
    h.admitted(world)
    coordinator = api(world.coordinator)
    body = {"application": world.application.pk, "amount": "30000.00", "undertaking": h.vat(world.venture.pk)}
    first = coordinator.post("/api/v1/grants/", body, format="json", HTTP_IDEMPOTENCY_KEY="g-1")
    again = coordinator.post("/api/v1/grants/", body, format="json", HTTP_IDEMPOTENCY_KEY="g-1")
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert Grant.objects.count() == 1


@pytest.mark.django_db
def test_expense_reports_take_the_key_too(world, grant):
    url = f"/api/v1/grants/{grant.pk}/expense-reports/"
    report = {"period_start": "2026-04-01", "period_end": "2026-09-30"}
    participant = api(world.participant)
    one = participant.post(url, report, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    two = participant.post(url, report, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert one.status_code == two.status_code == 201 and one.json()["id"] == two.json()["id"]
    assert ExpenseReport.objects.filter(grant=grant).count() == 1


@pytest.mark.django_db
def test_the_grant_form_proposes_once_per_form_token(client, world):
    h.admitted(world)
    client.force_login(world.coordinator)
    url = reverse("admin:incubator_grant_add")
    page = client.get(url)
    token = page.context["adminform"].form["form_token"].value()
    assert token and token != client.get(url).context["adminform"].form["form_token"].value()  # one per form
    body = {
        "application": world.application.pk,
        "amount": "30000.00",
        "undertaking": h.vat(world.venture.pk),
        "cup": "",
        "cor": "",
        "form_token": token,
    }
    first = client.post(url, body)
    assert first.status_code == 302, first.context["adminform"].form.errors
    again = client.post(url, body)  # the double click
    assert again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Grant.objects.count() == 1


# --- twenty at once ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_identical_interim_requests_at_once_create_one_tranche(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent connections and row locks")
    h.admitted(world)
    grant = h.running(world)
    times = 20
    key = str(uuid.uuid4())
    clients = [api(world.participant) for _ in range(times)]
    barrier = threading.Barrier(times)
    answers: list = [None] * times
    errors: list[BaseException] = []

    def post(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[index] = clients[index].post(tranches_url(grant), ADVANCE, format="json", HTTP_IDEMPOTENCY_KEY=key)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert [a.status_code for a in answers] == [201] * times
    assert len({a.json()["id"] for a in answers}) == 1
    assert Tranche.objects.filter(grant=grant).count() == 1
    assert Tranche.objects.get(grant=grant).amount == Decimal("1000.00")
