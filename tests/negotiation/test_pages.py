"""The negotiation pages: reachable by clicks from each side's home (the menu), each role
sees what it may (others 404), the coordinator's and the applicant's steps by form, a
refused form answered with the error beside the field and nothing changed, and the
side-by-side comparison of two versions."""

import pytest
from django.test import Client
from django.urls import reverse

from incubator.negotiation.models import Meeting, Negotiation
from incubator.selection import services as selection_services
from tests.negotiation.conftest import an_hour_ago

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_reachable_from_the_menu_of_coordinator_and_participant(negotiation_world):
    w = negotiation_world
    for user in (w.coordinator, w.participant):
        home = _client(user).get(reverse("home"), follow=True)
        assert reverse("negotiation:list").encode() in home.content
        listing = _client(user).get(reverse("negotiation:list"))
        assert reverse("negotiation:detail", args=[w.negotiation.pk]).encode() in listing.content


def test_others_get_404(negotiation_world, other):
    w = negotiation_world
    for user in (w.evaluator, w.tutor, other.coordinator, other.participant):
        client = _client(user)
        assert client.get(reverse("negotiation:detail", args=[w.negotiation.pk])).status_code == 404
        assert client.get(reverse("negotiation:compare", args=[w.negotiation.pk])).status_code == 404
        response = client.post(
            reverse("negotiation:detail", args=[w.negotiation.pk]), {"step": "request", "notes": "x"}
        )
        assert response.status_code == 404
        assert (
            str(w.negotiation.application.venture.title) not in client.get(reverse("negotiation:list")).content.decode()
        )


def test_the_coordinator_opens_a_waiting_application(world):
    world.call.procedure = "negotiation"
    world.call.save()
    selection_services.application_submit(actor=world.coordinator, application=world.application)
    selection_services.application_check(
        actor=world.coordinator, application=world.application, answers=[], eligible=True
    )
    client = _client(world.coordinator)
    url = reverse("negotiation:open", args=[world.application.pk])
    assert url.encode() in client.get(reverse("negotiation:list")).content
    assert _client(world.participant).post(url).status_code == 404
    response = client.post(url)
    negotiation = Negotiation.objects.get(application=world.application)
    assert response.status_code == 302 and response["Location"] == reverse("negotiation:detail", args=[negotiation.pk])


def test_steps_by_form_and_errors_beside_the_field(negotiation_world):
    w = negotiation_world
    url = reverse("negotiation:detail", args=[w.negotiation.pk])
    coordinator, applicant = _client(w.coordinator), _client(w.participant)
    response = coordinator.post(
        url, {"step": "meeting", "held_at": an_hour_ago().strftime("%Y-%m-%dT%H:%M"), "participants": "", "notes": "x"}
    )
    assert response.status_code == 400 and b'href="#id_participants"' in response.content
    assert not Meeting.objects.exists()
    response = coordinator.post(
        url,
        {
            "step": "meeting",
            "held_at": an_hour_ago().strftime("%Y-%m-%dT%H:%M"),
            "participants": "Ufficio",
            "notes": "Avvio",
        },
    )
    assert response.status_code == 302 and Meeting.objects.count() == 1
    assert applicant.post(url, {"step": "request", "notes": "x"}).status_code == 404
    assert coordinator.post(url, {"step": "request", "notes": "Rivedere il budget"}).status_code == 302
    page = applicant.get(url).content.decode()
    assert "Rivedere il budget" in page and 'name="step" value="revise"' in page
    bad = {"step": "revise", f"q{w.question.pk}": "Nuovo testo", "b0_category": "personnel", "b0_amount": "-3"}
    response = applicant.post(url, bad)
    assert response.status_code == 400 and w.negotiation.versions.count() == 1
    good = {**bad, "b0_amount": "90000", "b0_description": "Animatori", "note": "Budget rivisto"}
    assert applicant.post(url, good).status_code == 302
    assert w.negotiation.versions.count() == 2
    compare = applicant.get(reverse("negotiation:compare", args=[w.negotiation.pk])).content.decode()
    assert "Un hub di comunità" in compare and "Nuovo testo" in compare and "10000.00" in compare
    response = coordinator.post(url, {"step": "agree", "amount": "90000", "note": "Accordo"})
    assert response.status_code == 302
    w.negotiation.refresh_from_db()
    assert w.negotiation.state == "agreed"
    assert coordinator.post(url, {"step": "grant", "undertaking": ""}).status_code == 302
    w.negotiation.refresh_from_db()
    assert w.negotiation.state == "granted"
