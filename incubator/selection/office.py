"""The office's writes around the portal: the call's form (sections and questions, frozen
once the first application is submitted), its public documents and FAQ, and integration
requests (soccorso istruttorio) with their answers and the ineligibility that follows an
unanswered one. Keyword-only, taking an ``actor``, atomic, audited."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import Role, TeamMember
from incubator.selection import notices, services, submission
from incubator.selection.models import (
    Application,
    ApplicationState,
    Call,
    CallDocument,
    CallFaq,
    FormSection,
    IntegrationFile,
    IntegrationRequest,
    Question,
    QuestionKind,
)
from incubator.services import _full_clean
from incubator.uploads import KINDS, MB, Policy, safe_filename, validate_upload

DOCUMENT_POLICY = Policy(kinds=("pdf", "odt", "docx", "xlsx"), max_bytes=20 * MB)


def form_frozen(call: Call) -> bool:
    """Once an application has been submitted, its answers refer to these questions."""
    return Application.objects.filter(call=call, submitted_at__isnull=False).exists()


def _require_unfrozen(call: Call) -> None:
    if form_frozen(call):
        raise DomainError(
            _("The form is frozen: an application has already been submitted to this call."),
            code="form_frozen",
            field="non_field_errors",
        )


def _save_form_part(*, actor, instance, call: Call, verb: str):
    access.require_role(actor, call.programme_id, Role.COORDINATOR)
    Call.objects.select_for_update().get(pk=call.pk)  # a submission and an edit do not interleave
    _require_unfrozen(call)
    if isinstance(instance, Question):
        _question_errors(instance)
    _full_clean(instance)
    created = instance.pk is None
    instance.save()
    audit.record(
        actor=actor,
        verb=f"{verb}.{'create' if created else 'update'}",
        target=instance,
        programme_id=call.programme_id,
        after={"id": instance.pk, "repr": str(instance)},
    )
    return instance


def _question_errors(question: Question) -> None:
    if question.kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE) and not question.options():
        raise DomainError(_("List the options, one per line."), code="required", field="choices")
    if question.kind == QuestionKind.FILE:
        unknown = [k for k in question.file_types or [] if k not in KINDS]
        if unknown or not isinstance(question.file_types, list):
            raise DomainError(
                _("Accepted types are among: %(kinds)s.") % {"kinds": ", ".join(KINDS)},
                code="invalid",
                field="file_types",
            )


@transaction.atomic
def section_save(*, actor, section: FormSection) -> FormSection:
    return _save_form_part(actor=actor, instance=section, call=section.call, verb="form_section")


@transaction.atomic
def question_save(*, actor, question: Question) -> Question:
    return _save_form_part(actor=actor, instance=question, call=question.section.call, verb="question")


@transaction.atomic
def form_part_delete(*, actor, instance: FormSection | Question) -> None:
    call = instance.call if isinstance(instance, FormSection) else instance.section.call
    access.require_role(actor, call.programme_id, Role.COORDINATOR)
    Call.objects.select_for_update().get(pk=call.pk)
    _require_unfrozen(call)
    audit.record(
        actor=actor, verb="form.delete", target=instance, programme_id=call.programme_id, before={"repr": str(instance)}
    )
    instance.delete()


@transaction.atomic
def document_add(*, actor, call: Call, title: str, file, order: int = 0) -> CallDocument:
    access.require_role(actor, call.programme_id, Role.COORDINATOR)
    extension = validate_upload(file, DOCUMENT_POLICY, field="file")
    document = CallDocument(call=call, title=title, order=order, sha256=submission.file_sha256(file))
    document.file.save(safe_filename(file.name, extension), file, save=False)
    _full_clean(document)
    document.save()
    audit.record(actor=actor, verb="call.document", target=call, programme_id=call.programme_id, after={"title": title})
    return document


@transaction.atomic
def faq_save(*, actor, faq: CallFaq) -> CallFaq:
    access.require_role(actor, faq.call.programme_id, Role.COORDINATOR)
    _full_clean(faq)
    faq.save()
    audit.record(
        actor=actor, verb="call.faq", target=faq.call, programme_id=faq.call.programme_id, after={"q": faq.question}
    )
    return faq


@transaction.atomic
def integration_request(*, actor, application: Application, items: str, deadline: dt.datetime) -> IntegrationRequest:
    """During screening the coordinator asks for named items by a deadline."""
    application = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    access.require_role(actor, application.call.programme_id, Role.COORDINATOR)
    if application.state != ApplicationState.SUBMITTED:
        raise DomainError(
            _("Integration can be requested only while the application is being screened."),
            code="not_screening",
            field="state",
        )
    if not items.strip():
        raise DomainError(_("Name the items to complete or clarify."), code="required", field="items")
    if deadline <= timezone.now():
        raise DomainError(_("The deadline must be in the future."), code="past_deadline", field="deadline")
    request = IntegrationRequest.objects.create(
        application=application, items=items.strip(), deadline=deadline, requested_by=actor
    )
    audit.record(
        actor=actor,
        verb="integration.request",
        target=application,
        programme_id=application.call.programme_id,
        after={"request": request.pk, "items": items, "deadline": deadline},
    )
    notices.integration_requested(request)
    return request


@transaction.atomic
def integration_answer(*, actor, request: IntegrationRequest, text: str, files: list[Any] = ()) -> IntegrationRequest:
    request = IntegrationRequest.objects.select_for_update().select_related("application__call").get(pk=request.pk)
    application = request.application
    if not TeamMember.objects.filter(venture_id=application.venture_id, person__user_id=actor.pk).exists():
        raise NotPermitted()
    if request.state != IntegrationRequest.State.OPEN:
        raise DomainError(_("This request has already been answered."), code="answered", field="non_field_errors")
    if timezone.now() >= request.deadline:
        raise DomainError(
            _("The deadline for this answer (%(deadline)s) has passed.")
            % {"deadline": timezone.localtime(request.deadline).strftime("%d/%m/%Y %H:%M")},
            code="late",
            field="non_field_errors",
        )
    if not text.strip() and not files:
        raise DomainError(_("Write an answer or attach a file."), code="required", field="answer_text")
    stored = []
    for file in files:
        extension = validate_upload(file, submission.INTEGRATION_POLICY, field="files")
        attachment = IntegrationFile(
            request=request,
            file_name=safe_filename(file.name, extension, random_prefix=False),
            sha256=submission.file_sha256(file),
        )
        attachment.file.save(safe_filename(file.name, extension), file, save=False)
        attachment.save()
        stored.append({"name": attachment.file_name, "sha256": attachment.sha256})
    request.answer_text = text.strip()
    request.answered_at = timezone.now()
    request.answered_by = actor
    request.state = IntegrationRequest.State.ANSWERED
    request.save(update_fields=["answer_text", "answered_at", "answered_by", "state"])
    audit.record(
        actor=actor,
        verb="integration.answer",
        target=application,
        programme_id=application.call.programme_id,
        after={"request": request.pk, "files": stored},
    )
    notices.integration_answered(request)
    return request


@transaction.atomic
def integration_declare_ineligible(*, actor, request: IntegrationRequest) -> Application:
    """No answer by the deadline: the application is declared ineligible for that reason."""
    request = IntegrationRequest.objects.select_for_update().select_related("application__call").get(pk=request.pk)
    access.require_role(actor, request.application.call.programme_id, Role.COORDINATOR)
    if request.state != IntegrationRequest.State.OPEN or timezone.now() < request.deadline:
        raise DomainError(
            _("Only an integration request left unanswered past its deadline allows this."),
            code="not_expired",
            field="non_field_errors",
        )
    request.state = IntegrationRequest.State.EXPIRED
    request.save(update_fields=["state"])
    application = (
        Application.objects.select_for_update().select_related("call", "venture").get(pk=request.application_id)
    )
    reason = _("No answer to the integration request by %(deadline)s: %(items)s") % {
        "deadline": timezone.localtime(request.deadline).strftime("%d/%m/%Y %H:%M"),
        "items": request.items,
    }
    return services._transition(
        actor=actor, application=application, to=ApplicationState.INELIGIBLE, reason=reason, decision_reason=reason
    )
