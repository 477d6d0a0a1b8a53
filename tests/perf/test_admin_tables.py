"""The back office on large tables: every changelist opens in as many queries for a page of
one row as for a page of fifty (on the demo data plus a small build of the scale data,
so every list has rows), counts stop at the cap, foreign keys to growing tables are picked
by search, and every admin of ours says what its list joins."""

import pytest
from django.contrib import admin
from django.db import models, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from incubator.admin import BackOfficeAdmin
from incubator.admin_tables import CappedCountPaginator, RelatedChoicesFilter
from incubator.demo_context import DemoContext
from incubator.models import User

OURS = ("incubator", "cohorts", "mentoring")
# Tables that grow with participants, ventures and sessions: never a whole select of them.
GROWING = {
    "incubator.Person",
    "incubator.Venture",
    "incubator.Application",
    "incubator.Enrolment",
    "incubator.Evaluation",
    "incubator.Milestone",
    "incubator.Grant",
    "cohorts.TrainingSession",
    "cohorts.Attendance",
    "mentoring.TutorProfile",
    "mentoring.Assignment",
    "mentoring.TutoringSession",
}


def _ours():
    return sorted(
        ((model, model_admin) for model, model_admin in admin.site._registry.items() if model._meta.app_label in OURS),
        key=lambda item: item[0]._meta.label,
    )


def _labels():
    return [model._meta.label for model, _admin in _ours()]


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    """The demo (through the services) and the scale data at a small factor, built once
    for the module inside a transaction rolled back at its end."""
    import random

    from django.core.management import call_command

    from bench import demo_scale

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", verbosity=0)
            ctx = DemoContext(rng=random.Random(7), today=timezone.localdate())
            demo_scale.build(ctx, 0.02)
            yield {
                "coordinator": User.objects.get(username="coordinator"),
                "admin": User.objects.get(username="admin"),
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.parametrize("label", _labels())
def test_every_changelist_costs_the_same_for_1_and_50_rows(client, db, data, label, monkeypatch):
    model, model_admin = next((m, a) for m, a in _ours() if m._meta.label == label)
    user = data["coordinator"] if isinstance(model_admin, BackOfficeAdmin) else data["admin"]
    client.force_login(user)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts, rows = {}, {}
    for per_page in (1, 50):
        monkeypatch.setattr(model_admin, "list_per_page", per_page)
        client.get(url)  # caches (content types, permissions) warmed as in use
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code == 403:
            client.force_login(data["admin"])
            continue
        assert response.status_code == 200, label
        counts[per_page] = len(captured.captured_queries)
        rows[per_page] = len(response.context["cl"].result_list)
    if not counts:
        pytest.skip(f"{label}: no changelist for these users")
    total = model_admin.get_queryset(response.wsgi_request).count()
    assert rows[1] == min(1, total) and rows[50] == min(50, total), (label, rows, total)
    assert counts[1] == counts[50], f"{label}: {counts[1]} queries for 1 row, {counts[50]} for {rows[50]}"


@pytest.mark.parametrize("label", _labels())
def test_every_admin_says_what_its_list_joins(label):
    _model, model_admin = next((m, a) for m, a in _ours() if m._meta.label == label)
    assert isinstance(model_admin.list_select_related, list | tuple), label


@pytest.mark.parametrize("label", _labels())
def test_foreign_keys_to_growing_tables_are_picked_by_search(label):
    model, model_admin = next((m, a) for m, a in _ours() if m._meta.label == label)
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        return
    readonly = set(model_admin.get_readonly_fields(request))
    listed = []
    for name in model_admin.get_fields(request):
        try:
            field = model._meta.get_field(name)
        except Exception:
            continue
        if not isinstance(field, models.ForeignKey | models.ManyToManyField) or name in readonly:
            continue
        if field.related_model._meta.label in GROWING and name not in (
            *model_admin.autocomplete_fields,
            *model_admin.raw_id_fields,
        ):
            listed.append(name)
    assert not listed, f"{label}: {listed} would list every record in a select"


def test_back_office_lists_count_no_further_than_the_cap(client, db, data, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "CAP", 5)
    client.force_login(data["coordinator"])
    response = client.get(reverse("admin:cohorts_attendance_changelist"))
    cl = response.context["cl"]
    assert isinstance(cl.paginator, CappedCountPaginator) and cl.paginator.capped and cl.result_count == 6
    assert "more than 5" in response.text
    small = client.get(reverse("admin:incubator_programme_changelist"))
    assert not small.context["cl"].paginator.capped and "more than" not in small.text


def test_every_back_office_admin_uses_the_capped_paginator():
    for model, model_admin in _ours():
        if isinstance(model_admin, BackOfficeAdmin):
            assert model_admin.paginator is CappedCountPaginator, model._meta.label


def test_foreign_key_filters_offer_the_related_records_the_user_may_see(client, db, data):
    client.force_login(data["coordinator"])
    response = client.get(reverse("admin:cohorts_attendance_changelist"))
    spec = next(f for f in response.context["cl"].filter_specs if isinstance(f, RelatedChoicesFilter))
    from cohorts.models import Cohort
    from incubator import access

    visible = set(access.visible(data["coordinator"], Cohort).values_list("pk", flat=True))
    assert {pk for pk, _label in spec.lookup_choices} == visible
