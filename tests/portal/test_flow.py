"""The applicant's flow through the services: draft, answers, check, submission with a
protocol number and a frozen snapshot, receipt, withdrawal; and what is refused."""

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incubator.exceptions import NotPermitted
from incubator.models import ApplicantKind, Role, RoleAssignment
from incubator.selection import applying, office, services, submission
from incubator.selection.models import ApplicationState, Question, SubmissionSnapshot
from tests import factories as f
from tests.portal.conftest import PDF, complete, start

pytestmark = pytest.mark.django_db


def test_draft_start_makes_person_venture_lead_and_role_once(form, applicant):
    application = start(applicant, form.call)
    assert application.state == ApplicationState.DRAFT
    assert application.venture.team.get().person.user == applicant
    assert RoleAssignment.objects.filter(user=applicant, role=Role.APPLICANT).exists()
    # One draft per applicant team and call.
    assert start(applicant, form.call, title="Another") == application


def test_draft_start_checks_the_applicant_kind(form, applicant):
    with pytest.raises(ValidationError) as refused:
        applying.draft_start(
            actor=applicant,
            call=form.call,
            title="X",
            applicant_kind=ApplicantKind.COMPANY,
            first_name="A",
            last_name="B",
            tax_code="RSSMRA80A01F839X",
        )
    assert "applicant_kind" in refused.value.error_dict


def test_draft_keeps_invalid_text_and_reports_it(form, applicant):
    application = start(applicant, form.call)
    q = form.questions["summary"]
    problems = applying.answers_save(actor=applicant, application=application, values={f"q{q.pk}": "x" * 250})
    assert f"q{q.pk}" in problems and "200" in problems[f"q{q.pk}"]
    assert application.answers.get(question=q).value == "x" * 250
    with pytest.raises(ValidationError) as refused:
        applying.answers_save(actor=applicant, application=application, values={f"q{q.pk}": "y" * 250}, strict=True)
    assert f"q{q.pk}" in refused.value.error_dict
    assert application.answers.get(question=q).value == "x" * 250


def test_missing_lists_each_section_and_budget(form, applicant):
    application = start(applicant, form.call)
    missing = dict(submission.missing_by_section(application))
    assert set(missing) == {"The idea", "Documents", "Budget"}
    assert any("summary en" in line for line in missing["The idea"])
    with pytest.raises(ValidationError) as refused:
        services.application_submit(actor=applicant, application=application)
    assert refused.value.code == "incomplete"
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT and application.protocol_number is None


def test_submit_freezes_snapshot_with_protocol_and_hash(form, applicant):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    assert submission.missing_by_section(application) == []
    done = services.application_submit(actor=applicant, application=application)
    assert done.state == ApplicationState.SUBMITTED and done.protocol_number == 1
    snapshot = SubmissionSnapshot.objects.get(application=application)
    assert hashlib.sha256(snapshot.canonical.encode()).hexdigest() == done.content_sha256
    assert snapshot.content["budget"]["total"] == "30000.00"
    plan = [q for s in snapshot.content["sections"] for q in s["questions"] if q["kind"] == "file"][0]
    assert plan["file"]["sha256"] == hashlib.sha256(PDF).hexdigest()
    # Later edits of the form or the person do not change the snapshot.
    Question.objects.filter(pk=form.questions["summary"].pk).update(label_it="Cambiata")
    snapshot.refresh_from_db()
    assert "Cambiata" not in snapshot.canonical
    # A second submission (another tab) is refused; the number is not consumed.
    with pytest.raises(ValidationError):
        services.application_submit(actor=applicant, application=application)
    second_user = f.UserFactory()
    other = start(second_user, form.call)
    complete(second_user, other, form)
    assert services.application_submit(actor=second_user, application=other).protocol_number == 2


def test_late_submission_refused_with_the_deadline(form, applicant):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    # The server's clock passes the deadline (a submission cannot be dated in the future).
    type(form.call).objects.filter(pk=form.call.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    form.call.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.application_submit(actor=applicant, application=application)
    assert refused.value.code == "call_not_open"
    assert timezone.localtime(form.call.closes_at).strftime("%d/%m/%Y %H:%M") in str(refused.value)


def test_edits_refused_after_submission_and_form_frozen(form, applicant, world):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    with pytest.raises(ValidationError):
        applying.answers_save(actor=applicant, application=application, values={})
    question = form.questions["summary"]
    question.label_it = "Nuova"
    with pytest.raises(ValidationError) as refused:
        office.question_save(actor=world.coordinator, question=question)
    assert refused.value.code == "form_frozen"


def test_files_checked_by_content_type_and_size(form, applicant):
    application = start(applicant, form.call)
    question = form.questions["plan"]
    for upload, code in (
        (SimpleUploadedFile("fake.pdf", b"MZ not a pdf"), "file_content"),
        (SimpleUploadedFile("image.png", b"\x89PNG\r\n\x1a\n..."), "file_type"),
        (SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1)), "file_too_large"),
    ):
        with pytest.raises(ValidationError) as refused:
            applying.answer_file_upload(actor=applicant, application=application, question=question, file=upload)
        assert refused.value.code == code
        assert f"q{question.pk}" in refused.value.error_dict


def test_budget_total_checked_against_grant_range(form, applicant):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    applying.budget_item_add(
        actor=applicant, application=application, category="services", description="Troppo", amount=Decimal("200000")
    )
    missing = dict(submission.missing_by_section(application))
    assert "Budget" in missing


def test_co_applicant_invited_accepts_and_edits(
    form, applicant, applicant2, mailoutbox, django_capture_on_commit_callbacks
):
    application = start(applicant, form.call)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = applying.invitation_create(actor=applicant, application=application, email="Two@Example.org")
    assert invitation.email == "two@example.org"
    assert len(mailoutbox) == 1 and invitation.token in mailoutbox[0].body
    with pytest.raises(NotPermitted):
        applying.answers_save(actor=applicant2, application=application, values={})
    applying.invitation_accept(
        actor=applicant2, token=invitation.token, first_name="B", last_name="C", tax_code=f.tax_code()
    )
    q = form.questions["summary"]
    assert applying.answers_save(actor=applicant2, application=application, values={f"q{q.pk}": "ok"}) == {}
    # Co-applicants do not invite; a used token is refused.
    with pytest.raises(NotPermitted):
        applying.invitation_create(actor=applicant2, application=application, email="x@example.org")
    with pytest.raises(ValidationError):
        applying.invitation_accept(actor=applicant2, token=invitation.token)


def test_withdraw_before_close_only(form, applicant):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    type(form.call).objects.filter(pk=form.call.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError) as refused:
        services.application_withdraw(actor=applicant, application=application, reason="changed my mind")
    assert refused.value.code == "call_closed"


def test_integration_request_answer_and_ineligibility(form, applicant, world):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    soon = timezone.now() + dt.timedelta(days=10)
    request = office.integration_request(
        actor=world.coordinator, application=application, items="Statuto", deadline=soon
    )
    # Screening waits.
    with pytest.raises(ValidationError) as refused:
        services.application_check(actor=world.coordinator, application=application, answers=[], eligible=True)
    assert refused.value.code == "integration_pending"
    # Not yet expired: no ineligibility.
    with pytest.raises(ValidationError):
        office.integration_declare_ineligible(actor=world.coordinator, request=request)
    answered = office.integration_answer(
        actor=applicant, request=request, text="Allegato", files=[SimpleUploadedFile("statuto.pdf", PDF)]
    )
    assert answered.state == "answered" and answered.files.count() == 1
    second = office.integration_request(actor=world.coordinator, application=application, items="CV", deadline=soon)
    type(second).objects.filter(pk=second.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    second.refresh_from_db()
    with pytest.raises(ValidationError):
        office.integration_answer(actor=applicant, request=second, text="late")
    done = office.integration_declare_ineligible(actor=world.coordinator, request=second)
    assert done.state == ApplicationState.INELIGIBLE and "CV" in done.decision_reason


def test_applicants_cannot_request_integration(form, applicant, world):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    services.application_submit(actor=applicant, application=application)
    with pytest.raises(NotPermitted):
        office.integration_request(
            actor=applicant, application=application, items="x", deadline=timezone.now() + dt.timedelta(days=1)
        )
