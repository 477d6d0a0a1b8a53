"""No id-existence oracle in the API's filters (issue 20, item 11): a filter by a related
record's id answered 400 for an id that does not exist and 200 with an empty list for
another programme's record, for every role. Every filter by a related id of every list is
walked here: a foreign id and a missing one must get the same answer."""

import django_filters
import pytest
from django.db.models import ForeignObjectRel
from rest_framework.test import APIClient

from api.filters import BoundedFilterBackend
from tests.trust.routes import all_routes, url_of

pytestmark = pytest.mark.django_db
MISSING_ID = 2_000_000_000
ROLES = ("coordinator", "evaluator", "tutor", "participant")


def _related_model(model, path: str):
    """The model a filter's field path ends on, when it ends on a relation."""
    found = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:
            return None
        if not (field.is_relation or isinstance(field, ForeignObjectRel)):
            return None
        found = model = field.related_model
    return found


def id_filters():
    """(list route, parameter, related model) for every filter by a related record's id."""
    found = []
    for route in all_routes():
        actions = getattr(route.callback, "actions", None) or {}
        if not route.is_api or actions.get("get") != "list":
            continue
        view_class = route.callback.cls
        if not any(issubclass(b, BoundedFilterBackend) for b in getattr(view_class, "filter_backends", ())):
            continue
        view = view_class(action="list", kwargs={}, format_kwarg=None, request=None)
        model = view_class.queryset.model if view_class.queryset is not None else None
        filterset = BoundedFilterBackend().get_filterset_class(view, view_class.queryset)
        if filterset is None:
            continue
        model = model or filterset._meta.model
        for name, flt in filterset.base_filters.items():
            if not isinstance(flt, django_filters.NumberFilter | django_filters.ModelChoiceFilter):
                continue
            related = _related_model(model, flt.field_name)
            if related is not None:
                found.append((route, name, related))
    return found


def test_the_walk_finds_the_filters_the_issue_named():
    names = {(route.pattern.split("/")[2].strip("^$"), name) for route, name, _ in id_filters()}
    for expected in [
        ("consents", "person"),
        ("grants", "venture"),
        ("campaigns", "venture"),
        ("de-minimis", "programme"),
        ("report-exports", "cohort"),
        ("tutor-conflicts", "tutor"),
        ("unit-cost-bands", "programme"),
        ("venture-needs", "venture"),
    ]:
        assert expected in names
    assert len(names) >= 40


def test_a_foreign_id_and_a_missing_one_get_the_same_answer(full_a, full_b):
    clients = {}
    for role in ROLES:
        clients[role] = APIClient()
        clients[role].force_authenticate(getattr(full_a.world, role))
    differing = []
    for route, name, related in id_filters():
        # Programme B is built after A: the newest row of the related model is B's.
        foreign = related.objects.order_by("-pk").values_list("pk", flat=True).first()
        if foreign is None:
            continue
        url = url_of(route, {"grant_pk": full_a.grant.pk})
        for role, client in clients.items():
            theirs = client.get(url, {name: foreign})
            missing = client.get(url, {name: MISSING_ID})
            if missing.status_code != theirs.status_code or (
                theirs.status_code == 200 and theirs.json() != missing.json()
            ):
                differing.append(f"{url}?{name}= as {role}: {theirs.status_code} vs {missing.status_code}")
            elif missing.status_code == 200:
                assert missing.json()["results"] == [] if isinstance(missing.json(), dict) else missing.json() == []
    assert differing == []
