"""The portal's pages through the test client: public pages without login, the draft with
its autosave endpoint, submission and receipt, and 404 for every page out of reach."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from incubator.selection import office, services
from incubator.selection.models import Application, ApplicationState, CallDocument, CallFaq
from tests import factories as f
from tests.portal.conftest import PDF, client_for, complete, start

pytestmark = pytest.mark.django_db


def test_public_pages_need_no_login(form, world):
    CallFaq.objects.create(call=form.call, question="Chi può partecipare?", answer="Tutti")
    office.document_add(
        actor=world.coordinator, call=form.call, title="Testo del bando", file=SimpleUploadedFile("bando.pdf", PDF)
    )
    anonymous = client_for()
    listing = anonymous.get(reverse("selection:calls"))
    assert listing.status_code == 200 and form.call.title in listing.text
    page = anonymous.get(reverse("selection:call", args=[form.call.pk]))
    assert page.status_code == 200
    assert "Chi può partecipare?" in page.text and "Testo del bando" in page.text
    assert f"/accounts/login/?next=/calls/{form.call.pk}/apply/" in page.text
    assert f"/accounts/signup/?next=/calls/{form.call.pk}/apply/" in page.text
    document = CallDocument.objects.get()
    download = anonymous.get(reverse("selection:call-document", args=[form.call.pk, document.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert anonymous.get(reverse("selection:call", args=[999999])).status_code == 404


def test_ranking_public_by_protocol_number_only_when_published(form, world, applicant):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    url = reverse("selection:call-ranking", args=[form.call.pk])
    assert client_for().get(url).status_code == 404
    Application.objects.filter(pk=application.pk).update(rank=1, score=80)
    type(form.call).objects.filter(pk=form.call.pk).update(ranking_published_at=timezone.now())
    page = client_for().get(url)
    assert page.status_code == 200
    assert '<th scope="row">1</th>' in page.text
    assert application.venture.title not in page.text and "Anna" not in page.text


def test_apply_page_starts_the_draft_with_field_errors(form, applicant):
    browser = client_for(applicant)
    url = reverse("selection:apply", args=[form.call.pk])
    assert browser.get(url).status_code == 200
    bad = browser.post(url, {"title": "", "applicant_kind": "individual", "first_name": "A", "last_name": "B"})
    assert bad.status_code == 200 and "This field is required." in bad.text
    assert not Application.objects.filter(call=form.call, venture__team__person__user=applicant).exists()
    wrong_code = {
        "title": "Orto",
        "applicant_kind": "individual",
        "first_name": "A",
        "last_name": "B",
        "tax_code": "XX",
    }
    refused = browser.post(url, wrong_code)
    assert refused.status_code == 200 and "Tax code (codice fiscale)" in refused.text
    ok = browser.post(url, {**wrong_code, "tax_code": f.tax_code()})
    application = Application.objects.get(call=form.call, venture__team__person__user=applicant)
    assert ok["Location"] == reverse("selection:application", args=[application.pk])
    # Coming back finds the same draft.
    assert browser.get(url)["Location"] == reverse("selection:application", args=[application.pk])


def test_draft_page_autosave_check_submit_receipt(form, applicant):
    application = start(applicant, form.call)
    browser = client_for(applicant)
    page = browser.get(reverse("selection:application", args=[application.pk]))
    assert page.status_code == 200 and "summary en" in page.text
    q = form.questions
    saved = browser.post(
        reverse("selection:save", args=[application.pk]),
        {f"q{q['summary'].pk}": "x" * 300},
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200
    assert saved.json()["saved"] is True and f"q{q['summary'].pk}" in saved.json()["errors"]
    check = browser.get(reverse("selection:check", args=[application.pk]))
    assert "At most 200 characters" in check.text and "Budget" in check.text
    refused = browser.post(reverse("selection:submit", args=[application.pk]))
    assert refused["Location"] == reverse("selection:check", args=[application.pk])
    complete(applicant, application, form)
    assert "Everything is in order." in browser.get(reverse("selection:check", args=[application.pk])).text
    done = browser.post(reverse("selection:submit", args=[application.pk]))
    assert done["Location"] == reverse("selection:receipt", args=[application.pk])
    application.refresh_from_db()
    receipt = browser.get(done["Location"])
    assert application.content_sha256 in receipt.text
    download = browser.get(reverse("selection:receipt-download", args=[application.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert application.content_sha256 in download.content.decode()
    # The second tab's submit finds it submitted.
    again = browser.post(reverse("selection:submit", args=[application.pk]))
    assert again.status_code == 302
    status = browser.get(reverse("selection:application", args=[application.pk]))
    assert str(ApplicationState.SUBMITTED.label) in status.text


def test_autosave_after_session_expiry_answers_redirect_not_saved(form, applicant):
    application = start(applicant, form.call)
    response = client_for().post(reverse("selection:save", args=[application.pk]), {"x": "y"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_late_submission_page_shows_deadline(form, applicant):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    type(form.call).objects.filter(pk=form.call.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    browser = client_for(applicant)
    response = browser.post(reverse("selection:submit", args=[application.pk]), follow=True)
    form.call.refresh_from_db()
    assert timezone.localtime(form.call.closes_at).strftime("%d/%m/%Y %H:%M") in response.text


APPLICANT_PAGES = ("application", "check", "receipt", "receipt-download")


def test_another_applicants_draft_is_404_for_every_role(form, applicant, applicant2, world, other):
    application = start(applicant, form.call)
    start(applicant2, form.call, title="Mine")
    for user in (applicant2, world.participant, world.tutor, world.evaluator, other.coordinator, None):
        browser = client_for(user)
        for name in APPLICANT_PAGES:
            response = browser.get(reverse(f"selection:{name}", args=[application.pk]))
            expected = 302 if user is None else 404
            assert response.status_code == expected, (user, name)
        for name in ("save", "submit", "withdraw", "invite", "budget-add"):
            response = browser.post(reverse(f"selection:{name}", args=[application.pk]), {})
            assert response.status_code == (302 if user is None else 404), (user, name)
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_another_applicants_files_are_404(form, applicant, applicant2, world, other):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    request = office.integration_request(
        actor=world.coordinator, application=application, items="x", deadline=timezone.now() + dt.timedelta(days=1)
    )
    office.integration_answer(actor=applicant, request=request, text="", files=[SimpleUploadedFile("a.pdf", PDF)])
    urls = [
        reverse("selection:answer-file", args=[application.pk, form.questions["plan"].pk]),
        reverse("selection:integration-file", args=[application.pk, request.files.get().pk]),
    ]
    for user in (applicant2, world.participant, world.tutor, world.evaluator, other.coordinator):
        for url in urls:
            assert client_for(user).get(url).status_code == 404, (user, url)
    for user in (applicant, world.coordinator):
        for url in urls:
            response = client_for(user).get(url)
            assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    answer_url = reverse("selection:integration-answer", args=[application.pk, request.pk])
    assert client_for(applicant2).post(answer_url, {"answer_text": "x"}).status_code == 404


def test_office_pages_for_coordinators_only(form, applicant, world, other):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    submissions = reverse("selection:office-submissions", args=[form.call.pk])
    detail = reverse("selection:office-application", args=[application.pk])
    coordinator = client_for(world.coordinator)
    listing = coordinator.get(submissions, {"state": "submitted"})
    assert listing.status_code == 200 and application.venture.title in listing.text
    assert application.venture.title not in coordinator.get(submissions, {"state": "eligible"}).text
    page = coordinator.get(detail)
    assert page.status_code == 200 and "Anna Rossi" in page.text and "piano.pdf" in page.text
    answer_file = reverse("selection:answer-file", args=[application.pk, form.questions["plan"].pk])
    assert coordinator.get(answer_file).status_code == 200
    posted = coordinator.post(
        reverse("selection:office-integration", args=[application.pk]), {"items": "Statuto", "days": 10}
    )
    assert posted.status_code == 302 and application.integration_requests.count() == 1
    for user in (applicant, world.evaluator, world.tutor, world.participant, other.coordinator):
        browser = client_for(user)
        assert browser.get(submissions).status_code == 404, user
        assert browser.get(detail).status_code == 404, user
        assert browser.post(reverse("selection:office-integration", args=[application.pk]), {}).status_code == 404
    assert client_for(other.coordinator).get(answer_file).status_code == 404


def test_applicant_answers_integration_on_the_status_page(form, applicant, world):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    request = office.integration_request(
        actor=world.coordinator,
        application=application,
        items="Statuto",
        deadline=timezone.now() + dt.timedelta(days=10),
    )
    browser = client_for(applicant)
    page = browser.get(reverse("selection:application", args=[application.pk]))
    assert "Statuto" in page.text
    browser.post(
        reverse("selection:integration-answer", args=[application.pk, request.pk]),
        {"answer_text": "Eccolo", "files": SimpleUploadedFile("statuto.pdf", PDF)},
    )
    request.refresh_from_db()
    assert request.state == "answered"
    stored = request.files.get()
    assert browser.get(reverse("selection:integration-file", args=[application.pk, stored.pk])).status_code == 200
    coordinator_view = client_for(world.coordinator).get(reverse("selection:office-application", args=[application.pk]))
    assert "Eccolo" in coordinator_view.text


def test_an_integration_answer_refused_says_which_field_and_changes_nothing(form, applicant, world):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    request = office.integration_request(
        actor=world.coordinator, application=application, items="x", deadline=timezone.now() + dt.timedelta(days=1)
    )
    url = reverse("selection:integration-answer", args=[application.pk, request.pk])
    client = client_for(applicant)
    # Too long for the form: the form's error, named by the field's label.
    too_long = client.post(url, {"answer_text": "x" * 5001}, follow=True)
    assert too_long.status_code == 200
    shown = [str(m) for m in too_long.context["messages"]]
    assert any(m.startswith("Your answer: ") and "5000" in m for m in shown), shown
    # Neither text nor files: the service's refusal, named by the same label.
    empty = client.post(url, {"answer_text": "  "}, follow=True)
    shown = [str(m) for m in empty.context["messages"]]
    assert "Your answer: Write an answer or attach a file." in shown, shown
    request.refresh_from_db()
    assert request.answered_at is None and request.answer_text == ""
    # A valid answer goes through with the success message.
    sent = client.post(url, {"answer_text": "Ecco il documento"}, follow=True)
    assert "Answer sent." in [str(m) for m in sent.context["messages"]]
    request.refresh_from_db()
    assert request.answer_text == "Ecco il documento"
