"""The demo's blind call under evaluation: rubric written, evaluators assigned two per
application, one flagged disagreement, and the persona ``evaluator`` with work to do."""

import datetime as dt
import random

import pytest
from django.utils import timezone

from incubator.demo_context import DemoContext
from incubator.selection import demo, demo_evaluation
from incubator.selection import selectors_review as selectors
from incubator.selection.models import Call, Evaluation

pytestmark = pytest.mark.django_db


def test_the_blind_call_is_under_evaluation_with_a_flagged_disagreement():
    ctx = DemoContext(rng=random.Random(2026), today=timezone.localdate())
    demo.build_selection(ctx)
    demo_evaluation.seed_blind_call(ctx)

    call = Call.objects.get(blind_review=True)
    assert call.closes_at < timezone.now() < call.evaluation_deadline
    assert all(c.guidance and c.bands.count() == 3 for c in call.criteria.all())
    # Those the persona evaluator still has to score wait for them; the others are done.
    assert set(call.applications.values_list("state", flat=True)) == {"under_evaluation", "evaluated"}
    assert all(
        Evaluation.objects.filter(application=a, conflict_declared=False).count() == 2 for a in call.applications.all()
    )
    flagged = [d for d in selectors.disagreements(call) if d.flagged]
    assert len(flagged) == 1 and flagged[0].spread == 50
    mine = Evaluation.objects.filter(application__call=call, evaluator=ctx.users["evaluator"])
    assert {e.progress for e in mine} == {"draft", "todo"}
    assert call.evaluation_deadline - timezone.now() > dt.timedelta(days=9)
    assert demo_evaluation.DEMO_STEPS[0][0] > demo.DEMO_STEPS[0][0]


def test_the_blind_calls_answers_hide_the_contact_person_from_its_evaluators():
    ctx = DemoContext(rng=random.Random(2026), today=timezone.localdate())
    demo.build_selection(ctx)
    demo_evaluation.seed_blind_call(ctx)

    evaluation = (
        Evaluation.objects.filter(application__call__blind_review=True, evaluator=ctx.users["evaluator"])
        .select_related("application__call", "application__venture")
        .first()
    )
    lead = evaluation.application.venture.team.get(role="lead").person
    reading = selectors.reading(ctx.users["evaluator"], evaluation)
    answers = {a.question.label_it: a for section in reading.sections for a in section.answers}
    assert reading.blind and answers["Nome e cognome del referente"].hidden
    assert answers["Nome e cognome del referente"].answer is None and answers["Descrivi l'idea"].text
    plan = answers["Piano delle attività (PDF)"].answer
    assert plan.file_name.startswith("Piano_") and lead.last_name.split()[0][:3] in plan.file_name
    neutral = selectors.neutral_file_name(evaluation.application, plan, blind=True)
    assert neutral == f"application-{evaluation.application_id}-question-{plan.question_id}.pdf"
