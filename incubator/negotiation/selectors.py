"""Reads of the negotiation: the lists each role sees, one negotiation's file, and two
versions of a proposal compared side by side (answers by question, budget by line and
category total)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import get_language

from incubator import access
from incubator.negotiation.models import Negotiation, ProposalVersion
from incubator.selection.models import BudgetCategory, Question


def negotiations_for(user) -> QuerySet:
    return (
        access.visible(user, Negotiation)
        .select_related("application__call", "application__venture", "application__organisation")
        .annotate(version_count=Count("versions", distinct=True), meeting_count=Count("meetings", distinct=True))
        .order_by("-opened_at", "pk")
    )


@dataclass(frozen=True)
class AnswerRow:
    question: str
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class BudgetRow:
    category: str
    before: Decimal
    after: Decimal

    @property
    def difference(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class Comparison:
    before: ProposalVersion
    after: ProposalVersion
    answers: list[AnswerRow]
    budget: list[BudgetRow]

    @property
    def total_before(self) -> Decimal:
        return sum((r.before for r in self.budget), Decimal(0))

    @property
    def total_after(self) -> Decimal:
        return sum((r.after for r in self.budget), Decimal(0))


def _by_category(content: dict[str, Any]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in content.get("budget", []):
        totals[row["category"]] = totals.get(row["category"], Decimal(0)) + Decimal(str(row["amount"]))
    return totals


def compare(before: ProposalVersion, after: ProposalVersion) -> Comparison:
    """Two versions side by side: every question of the call's form (in form order) with
    both answers, and the budget by category with the difference. One query for the form."""
    italian = (get_language() or "it").startswith("it")
    questions = Question.objects.filter(section__call_id=before.negotiation.application.call_id).order_by(
        "section__order", "section_id", "order", "pk"
    )
    old, new = before.content.get("answers", {}), after.content.get("answers", {})
    answers = [
        AnswerRow(
            question=(q.label_it if italian else q.label_en) or q.label_it,
            before=old.get(str(q.pk)),
            after=new.get(str(q.pk)),
        )
        for q in questions
        if q.kind != "file"
    ]
    old_budget, new_budget = _by_category(before.content), _by_category(after.content)
    budget = [
        BudgetRow(
            category=str(label), before=old_budget.get(value, Decimal(0)), after=new_budget.get(value, Decimal(0))
        )
        for value, label in BudgetCategory.choices
        if value in old_budget or value in new_budget
    ]
    return Comparison(before=before, after=after, answers=answers, budget=budget)


def versions_to_compare(
    negotiation: Negotiation, before: str | int | None = None, after: str | int | None = None
) -> tuple[ProposalVersion | None, ProposalVersion | None]:
    """The two versions named (by number), by default the latest and the one before it;
    (None, None) when they do not exist (a negotiation with one version compares it
    with itself)."""
    versions = {v.number: v for v in negotiation.versions.all()}
    if not versions:
        return None, None
    try:
        newest = int(after) if after not in (None, "") else max(versions)
        oldest = int(before) if before not in (None, "") else max(1, newest - 1)
    except (TypeError, ValueError):
        return None, None
    if newest not in versions or oldest not in versions:
        return None, None
    return versions[oldest], versions[newest]
