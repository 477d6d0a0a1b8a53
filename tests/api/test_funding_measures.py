"""API: ``measures`` (figures, create, change, the calls' split) and
``programme-budgets/{programme}/`` with ``monitoring/``: each role, 404 for another
programme's, 400 naming the field, query counts for 1 and 50 measures."""

import io
import zipfile

import pytest

from incubator import access
from incubator.funding import services
from incubator.models import Measure
from tests.api.helpers import ANONYMOUS, ROLES, client_as, client_for
from tests.funding import helpers as h
from tests.funding.fixtures import without_attendance_check  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/api/v1/measures/"


def make(world, code="3.2", budget="200000.00", fund="FESR"):
    return services.measure_create(
        actor=world.coordinator, programme=world.programme, code=code, title=code, fund=fund, budget=budget
    )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_on_the_measures(role, world, other, admin_user):
    mine, theirs = make(world), make(other)
    client = client_for(role, world, admin_user)
    listing = client.get(URL)
    detail = client.get(f"{URL}{mine.pk}/")
    budget = client.get(f"/api/v1/programme-budgets/{world.programme.pk}/")
    if role == "anonymous":
        assert listing.status_code in ANONYMOUS and detail.status_code in ANONYMOUS
        assert budget.status_code in ANONYMOUS
        return
    assert listing.status_code == 200
    seen = {row["id"] for row in listing.json()["results"]}
    if role == "coordinator":
        assert seen == {mine.pk} and detail.status_code == 200 and budget.status_code == 200
        assert client.get(f"{URL}{theirs.pk}/").status_code == 404
        assert client.get(f"/api/v1/programme-budgets/{other.programme.pk}/").status_code == 404
        assert client.get(f"/api/v1/programme-budgets/{other.programme.pk}/monitoring/").status_code == 404
    elif role == "admin":
        assert seen == {mine.pk, theirs.pk} and detail.status_code == 200 and budget.status_code == 200
    else:
        assert seen == set() and detail.status_code == 404 and budget.status_code == 404
        assert client.get(f"/api/v1/programme-budgets/{world.programme.pk}/monitoring/").status_code == 404


def test_figures_through_the_api_are_the_budget_pages(world):
    measure = make(world, budget="150000.00")
    h.admitted(world)
    h.awarded(world, "100000.00")
    client = client_as(world.coordinator)
    row = client.get(f"{URL}{measure.pk}/").json()
    assert (row["budget"], row["committed"], row["paid"], row["available"]) == (
        "150000.00",
        "100000.00",
        "0.00",
        "50000.00",
    )
    budget = client.get(f"/api/v1/programme-budgets/{world.programme.pk}/").json()
    assert budget["measures"][0]["available"] == "50000.00"
    assert [(t["label"], t["committed"]) for t in budget["by_fund"]] == [("FESR", "100000.00")]
    assert budget["total"]["budget"] == "150000.00"
    assert client.get(URL).json()["results"][0]["available"] == "50000.00"


def test_create_change_and_split_with_errors_naming_the_field(world, other):
    client = client_as(world.coordinator)
    created = client.post(
        URL,
        {"programme": world.programme.pk, "code": "9.3", "title": "FSE", "fund": "FSE", "budget": "80000.00"},
        format="json",
    )
    assert created.status_code == 201 and created.json()["available"] == "80000.00"
    measure_id = created.json()["id"]
    too_much = client.post(
        URL,
        {"programme": world.programme.pk, "code": "x", "title": "x", "fund": "FSE", "budget": "9999999.00"},
        format="json",
    )
    assert too_much.status_code == 400 and "budget" in too_much.json()
    bad_fund = client.post(
        URL, {"programme": world.programme.pk, "code": "y", "title": "y", "fund": "ESF", "budget": "1"}, format="json"
    )
    assert bad_fund.status_code == 400 and "fund" in bad_fund.json()
    foreign = client.post(
        URL, {"programme": other.programme.pk, "code": "z", "title": "z", "fund": "FSE", "budget": "1"}, format="json"
    )
    assert foreign.status_code == 400 and "programme" in foreign.json()
    assert client.patch(f"{URL}{measure_id}/", {"budget": "70000.00"}, format="json").json()["budget"] == "70000.00"
    split = client.post(
        f"{URL}split/",
        {"call": world.call.pk, "shares": [{"measure": measure_id, "amount": "70000.01"}]},
        format="json",
    )
    assert split.status_code == 400 and "measures" in split.json()
    shares = [{"measure": measure_id, "amount": "70000.00"}]
    split = client.post(f"{URL}split/", {"call": world.call.pk, "shares": shares}, format="json")
    assert split.status_code == 200 and split.json()[0]["fund"] == "FSE"
    assert Measure.objects.filter(programme=world.programme).count() == 1
    assert client_as(world.participant).post(URL, {}, format="json").status_code in (400, 403)


def test_the_monitoring_zip_through_the_api(world):
    make(world)
    response = client_as(world.coordinator).get(f"/api/v1/programme-budgets/{world.programme.pk}/monitoring/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert f"{world.programme.code}_piano_finanziario.csv" in archive.namelist()


@pytest.mark.parametrize("rows", [1, 50])
def test_list_query_count(rows, world, django_assert_num_queries):
    for i in range(rows):
        make(world, code=f"M{i}", budget="1000.00")
    access.forget(world.coordinator)
    client = client_as(world.coordinator)
    # roles, count, page (the figures are subqueries of the page query)
    with django_assert_num_queries(3):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == rows
