"""The filter backend's own cost: a view's filterset class is built once per process (not a
new ``AutoFilterSet`` class per request, which also grew ``ids_not_rows``'s cache without
bound), and a request's filterset once; the filters still filter and still refuse."""

from unittest import mock

import pytest

from api.filters import BoundedFilterBackend, ids_not_rows
from tests.api.helpers import client_as, ids
from tests.organisations.helpers import organisation

pytestmark = pytest.mark.django_db


def test_no_class_and_no_cache_entry_per_request_and_one_filterset_per_request(world):
    municipality = organisation(world.programme, name="Comune A", population=30000)
    client = client_as(world.coordinator)
    assert ids(client.get("/api/v1/organisations/", {"kind": "municipality"})) == {municipality.pk}
    cached = ids_not_rows.cache_info().currsize
    with mock.patch.object(
        BoundedFilterBackend, "get_filterset", autospec=True, side_effect=BoundedFilterBackend.get_filterset
    ) as built:
        for kind in ("municipality", "company", "municipality"):
            client.get("/api/v1/organisations/", {"kind": kind})
    assert built.call_count == 3  # one filterset per request
    assert ids_not_rows.cache_info().currsize == cached  # no new class per request
    assert ids(client.get("/api/v1/organisations/", {"kind": "company"})) == set()


def test_the_same_class_for_every_request_of_a_view():
    from api.incubator.negotiation.views import OrganisationViewSet
    from incubator.organisations.models import Organisation

    backend = BoundedFilterBackend()
    view = OrganisationViewSet()
    first = backend.get_filterset_class(view, Organisation.objects.all())
    assert first is not None and backend.get_filterset_class(view, Organisation.objects.all()) is first
    assert set(first.base_filters) >= {"programme", "kind", "company_size"}


def test_bad_and_out_of_range_values_are_still_refused(world):
    client = client_as(world.coordinator)
    response = client.get("/api/v1/organisations/", {"programme": str(2**64)})
    assert response.status_code == 400 and "programme" in response.json()
    response = client.get("/api/v1/organisations/", {"kind": "castle"})
    assert response.status_code == 400 and "kind" in response.json()


def test_a_request_naming_no_filter_builds_no_filterset_and_is_not_filtered(world):
    municipality = organisation(world.programme, name="Comune A", population=30000)
    company = organisation(world.programme, name="Impresa B", kind="company")
    client = client_as(world.coordinator)
    with mock.patch.object(
        BoundedFilterBackend, "get_filterset", autospec=True, side_effect=BoundedFilterBackend.get_filterset
    ) as built:
        everything = ids(client.get("/api/v1/organisations/", {"page_size": 50}))
        assert built.call_count == 0
        assert ids(client.get("/api/v1/organisations/", {"kind": "company"})) == {company.pk}
        assert built.call_count == 1
    assert {municipality.pk, company.pk} <= everything


def test_every_api_filterset_given_no_parameters_adds_nothing_to_the_query(rf):
    """What the shortcut above relies on: with no data, each filterset of every list
    endpoint returns its queryset's SQL unchanged (no filter acts on an empty value)."""
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.request import Request

    from bench.lists import list_endpoints

    backend = BoundedFilterBackend()
    checked = 0
    for endpoint in list_endpoints():
        view = endpoint.view_class()
        queryset = getattr(endpoint.view_class, "queryset", None)
        filterset_class = backend.get_filterset_class(view, queryset) if queryset is not None else None
        if filterset_class is None:
            continue
        request = Request(rf.get("/"))
        request.user = AnonymousUser()
        filterset = filterset_class(data=request.query_params, queryset=queryset.all(), request=request)
        assert filterset.is_valid(), (endpoint.route, filterset.errors)
        assert str(filterset.qs.query) == str(queryset.all().query), endpoint.route
        checked += 1
    assert checked >= 30, checked
