from django.urls import reverse

from cohorts.models import AttendanceStatus
from incubator.documents.models import Certificate
from tests.cohorts.helpers import build_cohort, days_ago
from tests.documents.helpers import pages, pdf_text

P, A = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT


def _two_lessons(world):
    cw = build_cohort(world)
    first = cw.session(day=days_ago(10), topic="Business plan")
    second = cw.session(day=days_ago(5), topic="Accesso al credito")
    alice, bob = cw.people[0], cw.people[1]
    cw.mark(first, (alice, P), (bob, A))
    cw.mark(second, (alice, P), (bob, P))
    return cw, first, second, alice, bob


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_session_register_lists_roster_signatures_and_page_numbers(client, world, other):
    cw, first, _second, alice, bob = _two_lessons(world)
    url = reverse("cohorts:register-pdf", args=[first.pk])
    for user in (world.coordinator, world.tutor):
        response = _get(client, user, url)
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert "Registro presenze" in text and "Business plan" in text
        assert alice.last_name in text and bob.last_name in text
        assert "Presente" in text and "Assente" in text
        flat = " ".join(text.split())
        assert "Firma all'ingresso" in flat or "Signature on arrival" in flat
        assert "Pagina 1 di 1" in text
    for user in (world.participant, other.coordinator, other.tutor, world.evaluator):
        assert _get(client, user, url).status_code == 404


def test_cohort_register_has_a_page_per_session_and_totals_per_person(client, world, other):
    cw, _first, _second, alice, bob = _two_lessons(world)
    url = reverse("cohorts:cohort-register-pdf", args=[cw.cohort.pk])
    response = _get(client, world.coordinator, url)
    assert pages(response.content) >= 3
    text = pdf_text(response.content)
    assert "Business plan" in text and "Accesso al credito" in text
    assert "Pagina 1 di" in text and f"di {pages(response.content)}" in text
    assert "Totali per partecipante" in text
    # alice: both lessons (4 hours, 100 %); bob: one of two
    assert "4,00" in text and "100" in text
    for user in (world.participant, world.tutor, other.coordinator):
        assert _get(client, user, url).status_code == 404


def test_certificate_only_above_the_threshold_and_verifiable(client, world, other):
    cw, _first, _second, alice, bob = _two_lessons(world)
    url = reverse("cohorts:certificate", args=[cw.cohort.pk, alice.pk])
    response = _get(client, world.participant, url)
    assert response.status_code == 200
    text = pdf_text(response.content)
    certificate = Certificate.objects.get()
    assert "Attestato di frequenza" in text and alice.first_name in text and cw.cohort.name in text
    assert certificate.code in text and "4,0" in text
    assert b"<svg" not in response.content  # the QR is drawn in the PDF, not left as markup
    assert _get(client, world.coordinator, url).status_code == 200
    assert Certificate.objects.count() == 1  # issued again: the same code
    # bob attended 50 %, below the 70 % threshold
    assert (
        _get(client, world.coordinator, reverse("cohorts:certificate", args=[cw.cohort.pk, bob.pk])).status_code == 404
    )
    for user in (other.coordinator, world.tutor, world.evaluator):
        assert _get(client, user, url).status_code == 404

    client.logout()
    page = client.get(reverse("documents:certificate-verify", args=[certificate.code]))
    body = page.content.decode()
    assert page.status_code == 200 and "Attestato valido" in body or "Valid certificate" in body
    assert alice.first_name in body and cw.cohort.name in body
    assert alice.tax_code not in body and (alice.email or "@@") not in body
    bad = client.get(reverse("documents:certificate-verify", args=["NOPE1234"])).content.decode()
    assert alice.first_name not in bad and ("non valido" in bad.lower() or "invalid" in bad.lower())
