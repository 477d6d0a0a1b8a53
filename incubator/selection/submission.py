"""What happens to an application's content at submission: the answers are checked for
completeness (``missing_by_section``), a protocol number is taken from the call's counter,
and a snapshot of everything submitted is frozen with its SHA-256.

Also the validation of one answer's value (``answer_error``), shared by the draft's saves
and by the submission: a draft keeps whatever was typed (no text is lost), the submission
accepts only valid, complete content."""

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator.models import TeamMember
from incubator.selection.applicants import applicants_content
from incubator.selection.models import (
    Answer,
    Application,
    BudgetItem,
    FormSection,
    ProtocolCounter,
    Question,
    QuestionKind,
    SubmissionSnapshot,
)
from incubator.uploads import KINDS, MB, Policy

SHORT_TEXT_MAX = 300
CENT = Decimal("0.01")
YES_NO = ("yes", "no")


def field_name(question: Question | int) -> str:
    """The form field (and API error key) of a question: ``q<id>``."""
    return f"q{getattr(question, 'pk', question)}"


def is_blank(question: Question, answer: Answer | None) -> bool:
    if answer is None:
        return True
    if question.kind == QuestionKind.FILE:
        return not answer.file
    value = answer.value
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def answer_error(question: Question, value: Any) -> str | None:
    """Why ``value`` is not a valid answer to ``question`` (None when it is, or blank)."""
    if value is None or value == "" or value == []:
        return None
    kind = question.kind
    if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        limit = question.max_chars or (SHORT_TEXT_MAX if kind == QuestionKind.SHORT_TEXT else None)
        if not isinstance(value, str):
            return _("Enter text.")
        if limit and len(value) > limit:
            return _("At most %(limit)s characters (now %(count)s).") % {"limit": limit, "count": len(value)}
        return None
    if kind in (QuestionKind.NUMBER, QuestionKind.MONEY):
        number = _decimal(value)
        if number is None:
            return _("Enter a number.")
        if kind == QuestionKind.MONEY and (number < 0 or number != number.quantize(CENT)):
            return _("Enter an amount in euro, not negative, with at most 2 decimals.")
        return None
    if kind == QuestionKind.DATE:
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return _("Enter a date (YYYY-MM-DD).")
        return None
    codes = {code for code, _label in question.options()}
    if kind == QuestionKind.CHOICE:
        return None if value in codes else _("Choose one of the options.")
    if kind == QuestionKind.MULTIPLE:
        if not isinstance(value, list) or not set(value) <= codes:
            return _("Choose among the options.")
        return None
    if kind == QuestionKind.YES_NO:
        return None if value in YES_NO else _("Answer yes or no.")
    return None


def normalised(question: Question, value: Any) -> Any:
    """The value as stored: text as typed, a list for multiple choice, "" for nothing."""
    if value is None:
        return "" if question.kind != QuestionKind.MULTIPLE else []
    if question.kind == QuestionKind.MULTIPLE:
        return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
    if isinstance(value, bool) and question.kind == QuestionKind.YES_NO:
        return "yes" if value else "no"
    return str(value) if not isinstance(value, str) else value


def form_of(call_id: int) -> list[FormSection]:
    """The call's sections with their questions (2 queries)."""
    return list(FormSection.objects.filter(call_id=call_id).prefetch_related("questions"))


def budget_total(application: Application) -> Decimal:
    return BudgetItem.objects.filter(application=application).aggregate(total=Sum("amount"))["total"] or Decimal(0)


def missing_by_section(
    application: Application, sections: list[FormSection] | None = None
) -> list[tuple[str, list[str]]]:
    """What prevents submission, grouped by section: unanswered required questions, invalid
    answers, the budget against the call's grant range. Empty when complete. A call without
    an online form (applications entered by the office) has nothing to check here."""
    sections = form_of(application.call_id) if sections is None else sections
    if not sections:
        return []
    answers = {a.question_id: a for a in Answer.objects.filter(application=application)}
    found: list[tuple[str, list[str]]] = []
    for section in sections:
        problems = []
        for question in section.questions.all():
            answer = answers.get(question.pk)
            if is_blank(question, answer):
                if question.required:
                    problems.append(_("“%(q)s”: answer missing.") % {"q": question.label})
                continue
            error = answer_error(question, answer.value) if question.kind != QuestionKind.FILE else None
            if error:
                problems.append(f"“{question.label}”: {error}")
        if problems:
            found.append((section.title, problems))
    call = application.call
    total = budget_total(application)
    if not (call.grant_min <= total <= call.grant_max):
        found.append(
            (
                _("Budget"),
                [
                    _("The budget total (%(total)s EUR) must be between %(min)s and %(max)s EUR.")
                    % {"total": total, "min": call.grant_min, "max": call.grant_max}
                ],
            )
        )
    return found


def next_protocol_number(call_id: int) -> int:
    """Takes the call's next protocol number. The counter row is created if missing
    (ignore_conflicts: two first submissions may race to create it) and then locked, so
    concurrent submissions queue here: consecutive numbers, no gaps (a rolled back
    submission rolls back its increment too), no duplicates."""
    ProtocolCounter.objects.bulk_create([ProtocolCounter(call_id=call_id)], ignore_conflicts=True)
    counter = ProtocolCounter.objects.select_for_update().get(call_id=call_id)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _snapshot_content(application: Application, *, protocol_number: int, at: dt.datetime) -> dict[str, Any]:
    call = application.call
    venture = application.venture
    answers = {a.question_id: a for a in Answer.objects.filter(application=application)}
    sections = []
    for section in form_of(call.pk):
        questions = []
        for question in section.questions.all():
            answer = answers.get(question.pk)
            entry: dict[str, Any] = {
                "id": question.pk,
                "kind": question.kind,
                "label_it": question.label_it,
                "label_en": question.label_en,
                "identifying": question.identifying,
                "value": None if answer is None or question.kind == QuestionKind.FILE else answer.value,
            }
            if question.kind == QuestionKind.FILE:
                entry["file"] = (
                    {"name": answer.file_name, "sha256": answer.file_sha256} if answer and answer.file else None
                )
            questions.append(entry)
        sections.append({"title_it": section.title_it, "title_en": section.title_en, "questions": questions})
    team = [
        {
            "name": f"{member.person.first_name} {member.person.last_name}",
            "tax_code": member.person.tax_code,
            "role": member.role,
        }
        for member in TeamMember.objects.filter(venture=venture).select_related("person").order_by("role", "id")
    ]
    items = list(BudgetItem.objects.filter(application=application).order_by("category", "id"))
    return {
        "call": {"id": call.pk, "title": call.title, "reference": call.reference},
        "protocol_number": protocol_number,
        "submitted_at": timezone.localtime(at).isoformat(),
        "venture": {"title": venture.title, "summary": venture.summary, "applicant_kind": venture.applicant_kind},
        "team": team,
        **applicants_content(application),
        "sections": sections,
        "budget": {
            "items": [{"category": i.category, "description": i.description, "amount": str(i.amount)} for i in items],
            "total": str(sum((i.amount for i in items), Decimal(0))),
        },
    }


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def freeze(application: Application, *, at: dt.datetime) -> dict[str, Any]:
    """Inside the submission's transaction (the application row locked): the protocol
    number, the snapshot and its hash. Returns the fields to set on the application."""
    number = next_protocol_number(application.call_id)
    content = _snapshot_content(application, protocol_number=number, at=at)
    canonical = canonical_json(content)
    SubmissionSnapshot.objects.create(application=application, content=content, canonical=canonical)
    return {"protocol_number": number, "content_sha256": hashlib.sha256(canonical.encode()).hexdigest()}


def file_sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(64 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


# What an integration answer may attach: documents and pictures up to 10 MB.
INTEGRATION_POLICY = Policy(kinds=("pdf", "png", "jpeg", "odt", "docx"), max_bytes=10 * MB)


def upload_policy(question: Question) -> Policy:
    kinds = tuple(k for k in question.file_types or ["pdf"] if k in KINDS) or ("pdf",)
    return Policy(kinds=kinds, max_bytes=question.max_file_mb * MB)
