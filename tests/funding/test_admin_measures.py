"""The back office on measures and register codes: the call's budget split by measure on
its change page (written by ``call_budget_set``), the measure asked when proposing a grant
on a split call, the COVAR asked when revoking. Coordinators of the programme only (others
get 404); bad input is a form error naming the field, with nothing changed."""

from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from incubator.funding import services
from incubator.funding.models import AidVariation, CallBudget, DeMinimisAid, Grant, GrantState
from incubator.models import AuditEvent, Fund
from tests import factories as f
from tests.funding import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def url(model, action="changelist", *args):
    return reverse(f"admin:incubator_{model}_{action}", args=args)


def measure(world, budget, code, fund=Fund.FESR):
    return services.measure_create(
        actor=world.coordinator,
        programme=world.programme,
        code=code,
        title=f"Measure {code}",
        fund=fund,
        budget=Decimal(budget),
    )


@pytest.fixture
def measures(world):
    return measure(world, "100000.00", "3.2"), measure(world, "80000.00", "9.3", Fund.FSE)


def posted(form) -> dict:
    """What the browser would send back for an admin form, unchanged."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):
            for i, (sub, part) in enumerate(zip(widget.widgets, widget.decompress(value), strict=False)):
                data[f"{name}_{i}"] = sub.format_value(part) or ""
        elif isinstance(value, list):
            data[name] = value
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    return data


def _change_page(client, call):
    page = client.get(url("call", "change", call.pk))
    assert page.status_code == 200
    return page.context["adminform"].form


def _split(call) -> dict[str, Decimal]:
    return {row.measure.code: row.amount for row in CallBudget.objects.filter(call=call).select_related("measure")}


# --- the call's budget split ------------------------------------------------------------


def test_the_coordinator_splits_the_call_by_measure_on_its_page(client, world, measures):
    fesr, fse = measures
    client.force_login(world.coordinator)
    form = _change_page(client, world.call)
    assert {f"measure_{fesr.pk}", f"measure_{fse.pk}"} <= set(form.fields)
    data = {**posted(form), f"measure_{fesr.pk}": "60000.00", f"measure_{fse.pk}": "20000.00", "_save": "Save"}
    response = client.post(url("call", "change", world.call.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert _split(world.call) == {"3.2": Decimal("60000.00"), "9.3": Decimal("20000.00")}
    assert AuditEvent.objects.filter(verb="call.budget", target_id=world.call.pk).count() == 1
    # The page shows the split as set; emptying a measure drops it from the split.
    form = _change_page(client, world.call)
    assert form[f"measure_{fesr.pk}"].value() == Decimal("60000.00")
    data = {**posted(form), f"measure_{fse.pk}": "", "_save": "Save"}
    assert client.post(url("call", "change", world.call.pk), data).status_code == 302
    assert _split(world.call) == {"3.2": Decimal("60000.00")}


def test_over_the_measures_budget_is_a_form_error_and_nothing_changes(client, world, measures):
    fesr, fse = measures
    services.call_budget_set(actor=world.coordinator, call=world.call, shares={fesr: "10000.00"})
    client.force_login(world.coordinator)
    form = _change_page(client, world.call)
    title = world.call.title
    data = {
        **posted(form),
        "title": "Renamed with the split",
        f"measure_{fesr.pk}": "100000.01",
        f"measure_{fse.pk}": "5000",
        "_save": "Save",
    }
    response = client.post(url("call", "change", world.call.pk), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert any(e.startswith("Budget by measure:") and "3.2" in e for e in errors), errors
    world.call.refresh_from_db()
    assert world.call.title == title  # the call's own change is rolled back with it
    assert _split(world.call) == {"3.2": Decimal("10000.00")}
    # A negative amount is refused by the form, on the measure's field.
    data = {**posted(form), f"measure_{fse.pk}": "-1", "_save": "Save"}
    response = client.post(url("call", "change", world.call.pk), data)
    assert f"measure_{fse.pk}" in response.context["adminform"].form.errors
    assert _split(world.call) == {"3.2": Decimal("10000.00")}


def test_another_programmes_coordinator_gets_404_for_the_call(client, world, other, measures):
    fesr, _fse = measures
    client.force_login(other.coordinator)
    assert client.get(url("call", "change", world.call.pk)).status_code == 404
    response = client.post(url("call", "change", world.call.pk), {f"measure_{fesr.pk}": "1000", "_save": "Save"})
    assert response.status_code == 404
    assert _split(world.call) == {}
    assert world.call.pk not in {c.pk for c in client.get(url("call")).context["cl"].result_list}


# --- proposing a grant on a split call ------------------------------------------------------


def _admitted_application(world):
    application = f.ApplicationFactory(call=world.call, venture=f.VentureFactory(programme=world.programme))
    h.admitted(world, application)
    return application


def test_the_proposal_asks_the_measure_when_the_call_is_split(client, world, measures):
    fesr, fse = measures
    client.force_login(world.coordinator)
    assert "measure" not in client.get(url("grant", "add")).context["adminform"].form.fields
    services.call_budget_set(actor=world.coordinator, call=world.call, shares={fesr: "60000", fse: "60000"})
    form = client.get(url("grant", "add")).context["adminform"].form
    assert set(form.fields["measure"].queryset) == {fesr, fse}
    application = _admitted_application(world)
    body = {"application": application.pk, "amount": "30000.00", "undertaking": h.vat(99), "cup": "", "cor": ""}
    # Without the measure: refused on the field, no grant.
    response = client.post(url("grant", "add"), body)
    assert response.status_code == 200
    assert "measure" in response.context["adminform"].form.errors
    assert not Grant.objects.filter(application=application).exists()
    response = client.post(url("grant", "add"), {**body, "measure": fse.pk})
    assert response.status_code == 302
    grant = Grant.objects.get(application=application)
    assert (grant.measure, grant.fund, grant.state) == (fse, "FSE", GrantState.PROPOSED)


def test_another_programmes_measure_is_not_a_choice(client, world, other, measures):
    fesr, fse = measures
    theirs = services.measure_create(
        actor=other.coordinator, programme=other.programme, code="X", title="X", fund=Fund.FESR, budget="1000"
    )
    services.call_budget_set(actor=world.coordinator, call=world.call, shares={fesr: "60000", fse: "60000"})
    client.force_login(world.coordinator)
    application = _admitted_application(world)
    body = {"application": application.pk, "amount": "30000.00", "undertaking": h.vat(98), "measure": theirs.pk}
    response = client.post(url("grant", "add"), body)
    assert response.status_code == 200 and "measure" in response.context["adminform"].form.errors
    assert not Grant.objects.filter(application=application).exists()
    # The other programme's coordinator does not reach this programme's grants.
    h.admitted(world)
    grant = h.proposed(world, "60000.00", measure=fesr)
    client.force_login(other.coordinator)
    assert client.get(url("grant", "change", grant.pk)).status_code == 404


# --- revoking with the COVAR ------------------------------------------------------------------


@pytest.fixture
def running(world):
    h.admitted(world)
    return h.running(world, "100000.00")


def _revoke(client, grant, data):
    post = {"action": "revoke", "_selected_action": [grant.pk], "_apply": "1", **data}
    return client.post(url("grant"), post)


def test_revoking_asks_the_covar_and_records_the_variation(client, world, running):
    client.force_login(world.coordinator)
    page = client.post(url("grant"), {"action": "revoke", "_selected_action": [running.pk]})
    assert "covar" in page.context["form"].fields
    response = _revoke(client, running, {"reason": "Never started", "on": "2026-06-01", "covar": "COVAR-1"})
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.state == GrantState.REVOKED
    variation = AidVariation.objects.get(aid__grant=running)
    assert (variation.covar, variation.amount_after) == ("COVAR-1", Decimal("0"))


def test_a_bad_covar_is_a_form_error_and_nothing_changes(client, world, running):
    client.force_login(world.coordinator)
    response = _revoke(client, running, {"reason": "Never started", "covar": "X" * 21})
    assert response.status_code == 200 and "covar" in response.context["form"].errors
    # A COVAR already in the register: the service's refusal shows on the form.
    other_aid = DeMinimisAid.objects.get(grant=running)
    AidVariation.objects.create(
        aid=other_aid, covar="TAKEN", varied_on="2026-05-01", amount_before="100000", amount_after="90000", reason="x"
    )
    response = _revoke(client, running, {"reason": "Never started", "covar": "TAKEN"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors and "covar" in str(form.errors), form.errors
    running.refresh_from_db()
    assert running.state == GrantState.IN_PROGRESS
    assert AidVariation.objects.filter(aid__grant=running).count() == 1


def test_another_programmes_coordinator_cannot_revoke(client, world, other, running):
    client.force_login(other.coordinator)
    response = _revoke(client, running, {"reason": "x", "covar": "C-9"})
    assert response.status_code in (200, 302)
    running.refresh_from_db()
    assert running.state == GrantState.IN_PROGRESS
    assert not AidVariation.objects.filter(covar="C-9").exists()
