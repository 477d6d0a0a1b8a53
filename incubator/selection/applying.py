"""The applicant's writes on a draft: starting it (the person, the venture, the team's
lead and the draft in one go), saving answers as they are typed, file answers, the
budget table, co-applicant invitations. Keyword-only, taking an ``actor``, atomic,
audited; the draft's row is locked so that two co-applicants saving at once, or a save
racing the submission, cannot write into a submitted application."""

import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import ApplicantKind, Person, Role, RoleAssignment, TeamMember, Venture
from incubator.selection import services, submission
from incubator.selection.models import (
    Answer,
    Application,
    ApplicationState,
    BudgetCategory,
    BudgetItem,
    Call,
    CoApplicantInvitation,
    Question,
    QuestionKind,
)
from incubator.services import _save_new
from incubator.uploads import safe_filename, validate_upload


def applications_of(user, call: Call):
    return Application.objects.filter(call=call, venture__in=access.own_venture_ids(user))


def _person_for(actor, programme_id: int, *, first_name: str, last_name: str, tax_code: str) -> Person:
    """The actor's person record: the existing one, or a new one in the call's programme."""
    existing = Person.objects.filter(user=actor).first()
    if existing is not None:
        return existing
    return _save_new(
        Person(
            programme_id=programme_id,
            user=actor,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            tax_code=tax_code.strip().upper(),
            email=actor.email,
        )
    )


def _grant_applicant_role(actor, programme_id: int) -> None:
    RoleAssignment.objects.get_or_create(user=actor, programme_id=programme_id, role=Role.APPLICANT)
    access.forget(actor)


@transaction.atomic
def draft_start(
    *,
    actor,
    call: Call,
    title: str,
    applicant_kind: str,
    first_name: str = "",
    last_name: str = "",
    tax_code: str = "",
    at=None,
) -> Application:
    """One draft per applicant team and call: a second start returns the existing draft."""
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted()
    at = at or timezone.now()
    if not (call.opens_at <= at < call.closes_at):
        raise DomainError(_("This call is not open for applications."), code="call_not_open", field="call")
    existing = applications_of(actor, call).first()
    if existing is not None:
        return existing
    if not title.strip():
        raise DomainError(_("Give your idea a title."), code="required", field="title")
    if applicant_kind not in ApplicantKind.values:
        raise DomainError(_("Choose who is applying."), code="invalid", field="applicant_kind")
    if call.eligible_applicant_kinds and applicant_kind not in call.eligible_applicant_kinds:
        raise DomainError(
            _("This call is not open to applicants of kind “%(kind)s”.")
            % {"kind": ApplicantKind(applicant_kind).label},
            code="applicant_kind",
            field="applicant_kind",
        )
    if not Person.objects.filter(user=actor).exists():
        for name, value in (("first_name", first_name), ("last_name", last_name), ("tax_code", tax_code)):
            if not value.strip():
                raise DomainError(_("This field is required."), code="required", field=name)
    person = _person_for(actor, call.programme_id, first_name=first_name, last_name=last_name, tax_code=tax_code)
    venture = _save_new(Venture(programme_id=call.programme_id, title=title.strip(), applicant_kind=applicant_kind))
    _save_new(TeamMember(venture=venture, person=person, role=TeamMember.TeamRole.LEAD, joined_on=at.date()))
    _grant_applicant_role(actor, call.programme_id)
    return services.application_create(actor=actor, venture=venture, call=call)


def editable_draft(actor, application: Application) -> Application:
    """The draft locked for writing, if the actor is on its team and it is still a draft."""
    application = Application.objects.select_for_update().select_related("call", "venture").get(pk=application.pk)
    if not TeamMember.objects.filter(venture_id=application.venture_id, person__user_id=actor.pk).exists():
        raise NotPermitted()
    if application.state != ApplicationState.DRAFT:
        raise DomainError(
            _("This application has been submitted: it can no longer be changed."), code="not_draft", field="state"
        )
    return application


@transaction.atomic
def answers_save(*, actor, application: Application, values: Mapping[str, Any], strict: bool = False) -> dict[str, str]:
    """Saves answers given as {``q<id>``: value}. A draft keeps what was typed even when it
    is not valid yet (no text is ever lost) and the problems come back as {field: message};
    ``strict`` (the API) refuses the whole save instead, writing nothing."""
    application = editable_draft(actor, application)
    questions = {
        submission.field_name(q): q
        for q in Question.objects.filter(section__call_id=application.call_id).exclude(kind=QuestionKind.FILE)
    }
    unknown = [name for name in values if name not in questions]
    if unknown:
        raise DomainError(_("No such question in this call's form."), code="unknown_question", field=unknown[0])
    errors: dict[str, str] = {}
    cleaned: dict[str, tuple[Question, Any]] = {}
    for name, raw in values.items():
        question = questions[name]
        value = submission.normalised(question, raw)
        error = submission.answer_error(question, value)
        if error:
            errors[name] = error
        cleaned[name] = (question, value)
    if strict and errors:
        raise DomainError(next(iter(errors.values())), code="invalid_answer", field=next(iter(errors)))
    existing = {
        a.question_id: a
        for a in Answer.objects.filter(application=application, question_id__in=[q.pk for q, _v in cleaned.values()])
    }
    changed = []
    for question, value in cleaned.values():
        answer = existing.get(question.pk)
        if answer is None:
            Answer.objects.create(application=application, question=question, value=value)
            changed.append(question.pk)
        elif answer.value != value:
            answer.value = value
            answer.save(update_fields=["value", "updated_at"])
            changed.append(question.pk)
    if changed:
        audit.record(
            actor=actor,
            verb="application.answers",
            target=application,
            programme_id=application.call.programme_id,
            after={"questions": changed},
        )
    return errors


@transaction.atomic
def answer_file_upload(*, actor, application: Application, question: Question, file) -> Answer:
    application = editable_draft(actor, application)
    if question.section.call_id != application.call_id or question.kind != QuestionKind.FILE:
        raise DomainError(_("No such question in this call's form."), code="unknown_question", field="question")
    field = submission.field_name(question)
    extension = validate_upload(file, submission.upload_policy(question), field=field)
    digest = submission.file_sha256(file)
    answer, _created = Answer.objects.get_or_create(application=application, question=question)
    if answer.file:
        answer.file.delete(save=False)
    answer.file_name = safe_filename(file.name, extension, random_prefix=False)
    answer.file.save(safe_filename(file.name, extension), file, save=False)
    answer.file_sha256 = digest
    answer.save()
    audit.record(
        actor=actor,
        verb="application.file",
        target=application,
        programme_id=application.call.programme_id,
        after={"question": question.pk, "file": answer.file_name, "sha256": digest},
    )
    return answer


@transaction.atomic
def budget_item_add(*, actor, application: Application, category: str, description: str, amount: Decimal) -> BudgetItem:
    application = editable_draft(actor, application)
    if category not in BudgetCategory.values:
        raise DomainError(_("Choose a category."), code="invalid", field="category")
    item = _save_new(BudgetItem(application=application, category=category, description=description, amount=amount))
    audit.record(
        actor=actor,
        verb="application.budget_add",
        target=application,
        programme_id=application.call.programme_id,
        after={"category": category, "description": description, "amount": amount},
    )
    return item


@transaction.atomic
def budget_item_remove(*, actor, item: BudgetItem) -> None:
    application = editable_draft(actor, item.application)
    audit.record(
        actor=actor,
        verb="application.budget_remove",
        target=application,
        programme_id=application.call.programme_id,
        before={"category": item.category, "description": item.description, "amount": item.amount},
    )
    item.delete()


def _accept_url(token: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('selection:invitation', args=[token])}"


@transaction.atomic
def invitation_create(*, actor, application: Application, email: str) -> CoApplicantInvitation:
    """The lead invites a co-applicant by e-mail; the link carries a random token."""
    application = editable_draft(actor, application)
    if not TeamMember.objects.filter(
        venture_id=application.venture_id, person__user_id=actor.pk, role=TeamMember.TeamRole.LEAD
    ).exists():
        raise NotPermitted(_("Only the lead applicant can invite co-applicants."))
    email = email.strip().lower()
    if CoApplicantInvitation.objects.filter(application=application, email=email).exists():
        raise DomainError(_("This address has already been invited."), code="duplicate", field="email")
    invitation = _save_new(
        CoApplicantInvitation(application=application, email=email, token=secrets.token_urlsafe(32), invited_by=actor)
    )
    audit.record(
        actor=actor,
        verb="application.invite",
        target=application,
        programme_id=application.call.programme_id,
        after={"email": email},
    )
    link = _accept_url(invitation.token)
    transaction.on_commit(
        lambda: send_mail(
            _("Invitation to apply together: %(title)s") % {"title": application.venture.title},
            _(
                "You have been invited to join the application “%(title)s” to the call “%(call)s”.\n"
                "Open this link to accept (log in or sign up first):\n%(link)s"
            )
            % {"title": application.venture.title, "call": application.call.title, "link": link},
            None,
            [email],
            fail_silently=True,
        )
    )
    return invitation


@transaction.atomic
def invitation_accept(
    *, actor, token: str, first_name: str = "", last_name: str = "", tax_code: str = ""
) -> Application:
    invitation = (
        CoApplicantInvitation.objects.select_for_update()
        .select_related("application__call")
        .filter(token=token)
        .first()
    )
    if invitation is None or invitation.accepted_at is not None:
        raise DomainError(_("This invitation is not valid or has already been used."), code="invalid", field="token")
    application = invitation.application
    if application.state != ApplicationState.DRAFT:
        raise DomainError(_("This application has already been submitted."), code="not_draft", field="token")
    if not Person.objects.filter(user=actor).exists():
        for name, value in (("first_name", first_name), ("last_name", last_name), ("tax_code", tax_code)):
            if not value.strip():
                raise DomainError(_("This field is required."), code="required", field=name)
    person = _person_for(
        actor, application.call.programme_id, first_name=first_name, last_name=last_name, tax_code=tax_code
    )
    if not TeamMember.objects.filter(venture_id=application.venture_id, person=person).exists():
        _save_new(TeamMember(venture_id=application.venture_id, person=person, joined_on=timezone.localdate()))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _grant_applicant_role(actor, application.call.programme_id)
    audit.record(
        actor=actor,
        verb="application.invitation_accepted",
        target=application,
        programme_id=application.call.programme_id,
        after={"email": invitation.email},
    )
    return application
