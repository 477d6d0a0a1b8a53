"""Reads across the selection's models for the evaluators' workspace and the
coordinators' selection board: funnel, progress, disagreement, calibration and the
ranking preview. Each is a fixed number of queries, whatever the number of rows."""

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from incubator import access
from incubator.models import User
from incubator.selection.blind import application_label, hides_identity
from incubator.selection.models import (
    Answer,
    Application,
    BudgetItem,
    Call,
    Criterion,
    Evaluation,
    FormSection,
    Moderation,
    Score,
)
from incubator.selection.models import ApplicationState as S

THREE = Decimal("0.001")


# --- the evaluator's workspace ------------------------------------------------------------


def evaluator_assignments(user) -> QuerySet:
    """The user's own evaluations (to do, draft, submitted, recused), with their call."""
    return (
        Evaluation.objects.filter(evaluator=user)
        .select_related("application__call", "application__venture")
        .order_by("application__call__evaluation_deadline", "application__call_id", "application_id")
    )


def is_overdue(evaluation: Evaluation, now: dt.datetime | None = None) -> bool:
    deadline = evaluation.application.call.evaluation_deadline
    return bool(deadline and deadline < (now or timezone.now()) and evaluation.progress in ("todo", "draft"))


def overdue_q(now: dt.datetime | None = None) -> Q:
    """The evaluations ``is_overdue`` picks, as a filter: the call's evaluation deadline has
    passed and they are neither submitted nor recused."""
    return Q(
        application__call__evaluation_deadline__lt=now or timezone.now(),
        submitted_at__isnull=True,
        conflict_declared=False,
    )


@dataclass
class ProgressCounts:
    """How many of an evaluator's assignments are to do, in draft, submitted, recused."""

    todo: int = 0
    draft: int = 0
    submitted: int = 0
    recused: int = 0

    def add(self, progress: str) -> None:
        setattr(self, progress, getattr(self, progress) + 1)


def progress_counts(evaluations) -> tuple[ProgressCounts, dict[int, ProgressCounts]]:
    """The counts over all the given evaluations and per call, from rows already read
    (no query)."""
    total, by_call = ProgressCounts(), {}
    for evaluation in evaluations:
        total.add(evaluation.progress)
        by_call.setdefault(evaluation.application.call_id, ProgressCounts()).add(evaluation.progress)
    return total, by_call


def criteria_with_rubric(call: Call) -> QuerySet:
    return call.criteria.prefetch_related("bands")


# --- the coordinator's board ---------------------------------------------------------------


@dataclass
class FunnelStep:
    state: str
    label: str
    count: int


def funnel(call: Call) -> list[FunnelStep]:
    counts = dict(call.applications.order_by().values_list("state").annotate(n=Count("pk")))
    return [FunnelStep(state, label, counts.get(state, 0)) for state, label in S.choices]


@dataclass
class EvaluatorProgress:
    evaluator: User
    assigned: int
    submitted: int
    draft: int
    todo: int
    recused: int
    overdue: int


def evaluator_progress(call: Call, now: dt.datetime | None = None) -> list[EvaluatorProgress]:
    late = bool(call.evaluation_deadline and call.evaluation_deadline < (now or timezone.now()))
    active = Q(conflict_declared=False, submitted_at__isnull=True)
    rows = list(
        Evaluation.objects.filter(application__call=call)
        .order_by()
        .values("evaluator")
        .annotate(
            assigned=Count("pk"),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            draft=Count("pk", filter=active & Q(draft_saved_at__isnull=False)),
            todo=Count("pk", filter=active & Q(draft_saved_at__isnull=True)),
            recused=Count("pk", filter=Q(conflict_declared=True)),
        )
    )
    users = User.objects.in_bulk([r["evaluator"] for r in rows])
    result = [
        EvaluatorProgress(
            evaluator=users[r["evaluator"]],
            assigned=r["assigned"],
            submitted=r["submitted"],
            draft=r["draft"],
            todo=r["todo"],
            recused=r["recused"],
            overdue=(r["draft"] + r["todo"]) if late else 0,
        )
        for r in rows
    ]
    return sorted(result, key=lambda p: (-p.overdue, -(p.todo + p.draft), p.evaluator.pk))


def call_evaluations(call: Call) -> QuerySet:
    """Every assignment of the call, for the coordinator (conflicts and their reasons included)."""
    return (
        Evaluation.objects.filter(application__call=call)
        .select_related("evaluator", "application__venture")
        .order_by("application__submitted_at", "application_id", "pk")
    )


@dataclass
class CriterionSpread:
    criterion: Criterion
    low: Decimal | None
    high: Decimal | None

    @property
    def spread(self) -> Decimal | None:
        return None if self.low is None else self.high - self.low


@dataclass
class Disagreement:
    application: Application
    totals: list[Decimal]
    spread: Decimal
    flagged: bool
    criteria: list[CriterionSpread] = field(default_factory=list)
    moderation: Moderation | None = None


def disagreements(call: Call) -> list[Disagreement]:
    """Applications with two or more submitted evaluations: the spread (highest minus
    lowest) of the weighted totals and of each criterion, flagged above the call's
    threshold. Most disagreed first."""
    totals: dict[int, list[Decimal]] = {}
    for application_id, total in Evaluation.objects.filter(
        application__call=call, submitted_at__isnull=False
    ).values_list("application_id", "weighted_total"):
        totals.setdefault(application_id, []).append(total)
    several = [pk for pk, values in totals.items() if len(values) >= 2]
    spreads = {
        (r["evaluation__application_id"], r["criterion_id"]): (r["low"], r["high"])
        for r in Score.objects.filter(evaluation__application_id__in=several, evaluation__submitted_at__isnull=False)
        .order_by()
        .values("evaluation__application_id", "criterion_id")
        .annotate(low=Min("value"), high=Max("value"))
    }
    criteria = list(call.criteria.all())
    applications = Application.objects.filter(pk__in=several).select_related("venture", "moderation")
    threshold = call.disagreement_threshold
    result = []
    for application in applications:
        values = sorted(totals[application.pk])
        spread = values[-1] - values[0]
        result.append(
            Disagreement(
                application=application,
                totals=values,
                spread=spread,
                flagged=threshold is not None and spread > threshold,
                criteria=[CriterionSpread(c, *spreads.get((application.pk, c.pk), (None, None))) for c in criteria],
                moderation=getattr(application, "moderation", None),
            )
        )
    return sorted(result, key=lambda d: (-d.spread, d.application.pk))


@dataclass
class Calibration:
    evaluator: User
    evaluations: int
    mean: Decimal
    spread: Decimal
    bias: Decimal
    tendency: str  # "lenient", "severe" or "in_line"

    @property
    def tendency_label(self) -> str:
        return {"lenient": _("lenient"), "severe": _("severe")}.get(self.tendency, _("in line with the panel"))


def calibration(call: Call) -> list[Calibration]:
    """Each evaluator's mean and spread (standard deviation) of their weighted totals,
    and their bias: how far, on average, they score above (lenient) or below (severe)
    the panel's mean of the same applications. A bias within 5 % of the highest possible
    total counts as in line."""
    rows = list(
        Evaluation.objects.filter(application__call=call, submitted_at__isnull=False).values_list(
            "application_id", "evaluator_id", "weighted_total"
        )
    )
    by_application: dict[int, list[Decimal]] = {}
    for application_id, _evaluator, total in rows:
        by_application.setdefault(application_id, []).append(total)
    panel = {pk: sum(v) / len(v) for pk, v in by_application.items()}
    top = sum((c.weight * c.max_score for c in call.criteria.all()), Decimal(0))
    tolerance = top * Decimal("0.05")
    own: dict[int, list[tuple[int, Decimal]]] = {}
    for application_id, evaluator_id, total in rows:
        own.setdefault(evaluator_id, []).append((application_id, total))
    users = User.objects.in_bulk(list(own))
    result = []
    for evaluator_id, items in own.items():
        values = [t for _a, t in items]
        shared = [t - panel[a] for a, t in items if len(by_application[a]) >= 2]
        bias = (sum(shared) / len(shared)) if shared else Decimal(0)
        tendency = "lenient" if bias > tolerance else "severe" if bias < -tolerance else "in_line"
        result.append(
            Calibration(
                evaluator=users[evaluator_id],
                evaluations=len(values),
                mean=(sum(values) / len(values)).quantize(THREE),
                spread=Decimal(statistics.pstdev(values)).quantize(THREE),
                bias=Decimal(bias).quantize(THREE),
                tendency=tendency,
            )
        )
    return sorted(result, key=lambda c: (-abs(c.bias), c.evaluator.pk))


@dataclass
class RankingRow:
    position: int
    application: Application
    score: Decimal
    mean: Decimal | None
    moderation: Moderation | None
    outcome: str  # "admit", "waitlist", "below"
    tie_note: str = ""

    @property
    def outcome_label(self) -> str:
        return {
            "admit": _("within the places"),
            "waitlist": _("above the threshold, no place left"),
            "below": _("below the pass threshold"),
        }[self.outcome]


def ranking_preview(call: Call) -> list[RankingRow]:
    """The ranking as it stands (or as published): score = the agreed score where
    moderated, else the mean of the submitted weighted totals; ties broken by earlier
    submission, then by the application's number (as ``call_compute_ranking``)."""
    applications = list(
        call.applications.filter(state__in=[S.EVALUATED, S.ADMITTED, S.WAITLISTED, S.REJECTED])
        .select_related("venture", "moderation")
        .annotate(mean=Avg("evaluations__weighted_total", filter=Q(evaluations__submitted_at__isnull=False)))
    )
    rows = []
    for application in applications:
        moderation = getattr(application, "moderation", None)
        if call.ranking_published_at and application.score is not None:
            score = application.score
        elif moderation:
            score = moderation.agreed_score
        elif application.mean is not None:
            score = application.mean.quantize(THREE)
        else:
            continue
        rows.append((application, score, moderation))
    rows.sort(key=lambda r: (-r[1], r[0].submitted_at, r[0].pk))
    free = call.places
    result = []
    for position, (application, score, moderation) in enumerate(rows, start=1):
        if score >= call.pass_threshold and free > 0:
            outcome, free = "admit", free - 1
        elif score >= call.pass_threshold:
            outcome = "waitlist"
        else:
            outcome = "below"
        result.append(
            RankingRow(
                position=position,
                application=application,
                score=score,
                mean=application.mean,
                moderation=moderation,
                outcome=outcome,
            )
        )
    for before, after in zip(result, result[1:], strict=False):
        if before.score == after.score:
            note = _("Tied at %(score)s: submitted earlier (%(when)s), so ranked first.") % {
                "score": before.score,
                "when": timezone.localtime(before.application.submitted_at).strftime("%d/%m/%Y %H:%M:%S"),
            }
            before.tie_note = before.tie_note or note
            after.tie_note = after.tie_note or _("Tied at %(score)s: submitted later.") % {"score": after.score}
    return result


def coordinated_calls(user) -> QuerySet:
    calls = access.visible(user, Call)
    if not access.is_admin(user):
        calls = calls.filter(programme__in=access.coordinated(user))
    return calls.select_related("programme").annotate(applications_count=Count("applications")).order_by("-opens_at")


def label_for(user, application: Application) -> str:
    return application_label(application, blind=hides_identity(user, application.call))


# --- the application form's answers, as the evaluator reads them --------------------------


@dataclass
class ReadAnswer:
    question: object
    answer: object = None  # the Answer, or None when unanswered
    hidden: bool = False  # an identifying question on a blind call

    @property
    def text(self) -> str:
        value = self.answer.value if self.answer else None
        if value is True or value is False:
            return _("yes") if value else _("no")
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return "" if value is None else str(value)


@dataclass
class ReadSection:
    title: str
    answers: list[ReadAnswer] = field(default_factory=list)


def reading_sections(user, application: Application, *, blind: bool) -> list[ReadSection]:
    """The call's form section by section with the answers ``user`` may read (3 queries):
    on a blind call the questions marked identifying keep their label and lose their answer
    (the access rule leaves those answers out)."""
    answers = {a.question_id: a for a in access.visible(user, Answer).filter(application=application)}
    sections = []
    for section in FormSection.objects.filter(call_id=application.call_id).prefetch_related("questions"):
        rows = [
            ReadAnswer(question=q, answer=answers.get(q.pk), hidden=blind and q.identifying)
            for q in section.questions.all()
        ]
        sections.append(ReadSection(title=section.title, answers=rows))
    return sections


def neutral_file_name(application: Application, answer, *, blind: bool) -> str:
    """A file's name as an evaluator receives it: on a blind call the application's number,
    the question's and the extension only (names of files often carry the applicant's)."""
    name = answer.file_name or answer.file.name
    if not blind:
        return name.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else "bin"
    return f"application-{application.pk}-question-{answer.question_id}.{extension}"


@dataclass
class Reading:
    """An application as its evaluator reads it (pages and API alike)."""

    evaluation: Evaluation
    label: str
    blind: bool
    sections: list[ReadSection]
    budget: list[BudgetItem]


def reading(user, evaluation: Evaluation) -> Reading:
    """The form's answers and the budget of the evaluation's application, blind review
    applied for ``user`` (4 queries: answers, sections, questions, budget)."""
    application = evaluation.application
    blind = hides_identity(user, application.call)
    return Reading(
        evaluation=evaluation,
        label=application_label(application, blind=blind),
        blind=blind,
        sections=reading_sections(user, application, blind=blind),
        budget=list(access.visible(user, BudgetItem).filter(application=application).order_by("category", "pk")),
    )


def readable_file(user, evaluation: Evaluation, question_id: int) -> tuple[Answer, str] | None:
    """A file answered in the form and the name its evaluator receives it under, or None
    when there is none the user may read (an identifying question's file on a blind call
    is out of reach: the access rule leaves it out)."""
    application = evaluation.application
    answer = access.visible(user, Answer).filter(application=application, question_id=question_id).first()
    if answer is None or not answer.file:
        return None
    return answer, neutral_file_name(application, answer, blind=hides_identity(user, application.call))
