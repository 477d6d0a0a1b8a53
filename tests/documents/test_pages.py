import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from incubator.selection.models import Application, ApplicationState
from tests import factories as f
from tests.documents.helpers import pdf_text
from tests.funding import helpers as funding


def _submitted(world, state=ApplicationState.SUBMITTED, **extra):
    application = world.application
    application.protocol_number = 12
    application.submitted_at = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 15, 30))
    application.content_sha256 = "cd" * 32
    application.state = state
    for key, value in extra.items():
        setattr(application, key, value)
    application.save()
    return application


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_receipt_pdf_for_the_applicant_and_the_coordinator(client, world):
    application = _submitted(world)
    url = reverse("documents:application-document", args=[application.pk, "receipt"])
    for user in (world.participant, world.coordinator):
        response = _get(client, user, url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "Numero di protocollo: 12" in text
        assert "02/03/2026 10:15:30" in text
        assert "cd" * 32 in text.replace("\n", "")
        assert world.programme.name in text


def test_receipt_in_english(client, world):
    application = _submitted(world)
    client.force_login(world.participant)
    client.cookies["django_language"] = "en"
    response = client.get(
        reverse("documents:application-document", args=[application.pk, "receipt"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Protocol number: 12" in pdf_text(response.content)


def test_receipt_answers_404_to_everyone_else(client, world, other):
    application = _submitted(world)
    url = reverse("documents:application-document", args=[application.pk, "receipt"])
    for user in (other.coordinator, other.participant, world.evaluator, world.tutor):
        assert _get(client, user, url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_no_receipt_for_a_draft(client, world):
    url = reverse("documents:application-document", args=[world.application.pk, "receipt"])
    assert _get(client, world.participant, url).status_code == 404


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (ApplicationState.ADMITTED, "Ammessa"),
        (ApplicationState.WAITLISTED, "In lista"),
        (ApplicationState.REJECTED, "Non"),
    ],
)
def test_outcome_letter_states_the_outcome(client, world, state, expected):
    application = _submitted(world, state=state, rank=3, decision_reason="Motivazione di prova")
    response = _get(
        client, world.participant, reverse("documents:application-document", args=[application.pk, "outcome"])
    )
    text = pdf_text(response.content)
    assert application.get_state_display() in text
    assert "Posizione in graduatoria: 3" in text and "Motivazione di prova" in text


def test_outcome_letter_waits_for_the_decision(client, world):
    application = _submitted(world, state=ApplicationState.EVALUATED)
    url = reverse("documents:application-document", args=[application.pk, "outcome"])
    assert _get(client, world.participant, url).status_code == 404
    eligibility = reverse("documents:application-document", args=[application.pk, "eligibility"])
    assert "Esito: Ammissibile" in pdf_text(_get(client, world.participant, eligibility).content)


def test_unknown_kind_is_404(client, world):
    application = _submitted(world)
    url = reverse("documents:application-document", args=[application.pk, "secrets"])
    assert _get(client, world.coordinator, url).status_code == 404


def test_ranking_act_by_protocol_number_only(client, world, other):
    _submitted(world, state=ApplicationState.ADMITTED, rank=1, score="88.5")
    second = f.ApplicationFactory(
        call=world.call, state=ApplicationState.REJECTED, rank=2, score="40", protocol_number=13,
        submitted_at=timezone.now(),
    )  # fmt: skip
    url = reverse("documents:ranking-act", args=[world.call.pk])
    text = pdf_text(_get(client, world.coordinator, url).content)
    assert "12" in text and "13" in text and "88.500" in text
    assert world.venture.title not in text and second.venture.title not in text
    for user in (world.participant, world.evaluator, other.coordinator):
        assert _get(client, user, url).status_code == 404
    assert Application.objects.filter(call=world.call).count() == 2


def test_grant_act_carries_cup_cor_amount_and_tranches(client, world, other):
    funding.admitted(world)
    grant = funding.awarded(world, amount="100000.00")
    url = reverse("documents:grant-act", args=[grant.pk])
    for user in (world.participant, world.coordinator):
        text = pdf_text(_get(client, user, url).content)
        assert "B61H26000010006" in text and "1234567" in text
        assert "100.000,00 EUR" in text
        assert "Anticipo" in text and "Saldo" in text
        assert grant.undertaking in text
    for user in (other.coordinator, other.participant, world.evaluator, world.tutor):
        assert _get(client, user, url).status_code == 404
