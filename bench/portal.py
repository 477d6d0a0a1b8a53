"""The applicant portal and the evaluators' workspace, each beside a floor measured in the
same run:

- a call's public page for an anonymous visitor: with its data from the cache (what
  nearly every visitor gets, ``selection.selectors.public_call``) and with the cache
  forgotten; the floor is the page's own row queries as raw SQL with the rows encoded;
- an application's submission (``application_submit``: the rules, the protocol number,
  the frozen snapshot and its hash, the audit event) of a complete draft of the demo's
  open call, rolled back after each run; the floor is its reads replayed raw;
- an evaluator's list of their evaluations (``/selection/evaluations/``), as the
  evaluator with the most; the floor is the page's row queries, raw.
Everything is rolled back."""

from collections.abc import Callable

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from bench.common import (
    Settings,
    Table,
    client_for,
    fmt_ms,
    fmt_ratio,
    median_ms,
    ratio,
    raw_fetch_and_encode,
    recording,
)
from incubator.models import User
from incubator.selection import selectors, services
from incubator.selection.models import Application, ApplicationState, Call, Evaluation, SubmissionSnapshot


def _public_call() -> Call | None:
    now = timezone.now()
    return (
        Call.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("-pk").first()
        or Call.objects.order_by("-pk").first()
    )


def _submittable() -> Application | None:
    """A submitted application of an open call, not yet ranked: put back to draft in the
    run's transaction, it is a complete draft to submit."""
    now = timezone.now()
    return (
        Application.objects.filter(
            state=ApplicationState.SUBMITTED,
            call__opens_at__lte=now,
            call__closes_at__gt=now,
            call__ranking_published_at__isnull=True,
        )
        .select_related("call")
        .order_by("pk")
        .first()
    )


def _as_draft(application: Application) -> None:
    SubmissionSnapshot.objects.filter(application=application).delete()
    Application.objects.filter(pk=application.pk).update(
        state=ApplicationState.DRAFT, submitted_at=None, protocol_number=None, content_sha256=""
    )


def run(settings: Settings, out: Callable[[str], None]) -> dict[str, float]:
    out(
        "A call's public page (anonymous), an application's submission and an evaluator's list, each "
        "against its own queries as raw SQL + JSON. Reported, no fixed goal."
    )
    table = Table(("what", 52), ("queries", 7), ("ms", 8), ("floor ms", 8), ("ratio", 7))
    figures: dict[str, float] = {}
    anonymous = client_for(settings.user)
    anonymous.logout()
    with transaction.atomic():
        call = _public_call()
        if call is not None:
            url = reverse("selection:call", args=[call.pk])

            def cold():
                selectors.public_calls_changed()  # a new version: the page reads the call again
                return anonymous.get(url)

            cold()
            with recording() as cold_queries:
                response = cold()
            cold_ms = median_ms(cold, settings.repeat)
            floor = median_ms(lambda: raw_fetch_and_encode(cold_queries.row_queries()), settings.repeat)
            anonymous.get(url)
            with recording() as warm_queries:
                anonymous.get(url)
            warm_ms = median_ms(lambda: anonymous.get(url), settings.repeat)
            name = f"public call page {response.status_code}, {len(response.content) // 1024} KB"
            table.add(f"{name}: from the cache", warm_queries.count, fmt_ms(warm_ms), fmt_ms(floor), "")
            table.add(
                "  the same, cache forgotten",
                cold_queries.count,
                fmt_ms(cold_ms),
                fmt_ms(floor),
                fmt_ratio(ratio(cold_ms, floor)),
            )
            figures.update(call_page_ms=warm_ms, call_page_cold_ms=cold_ms, call_page_floor_ms=floor)
        application = _submittable()
        if application is not None:
            _as_draft(application)
            member = application.venture.team.filter(person__user__isnull=False).select_related("person__user").first()
            applicant = member.person.user if member else settings.user  # else as the office would

            def submit():
                point = transaction.savepoint()
                services.application_submit(actor=applicant, application=application)
                transaction.savepoint_rollback(point)

            submit()
            with recording() as submit_queries:
                submit()
            submit_ms = median_ms(submit, settings.repeat)
            reads = [s for s in submit_queries.row_queries() if "FOR UPDATE" not in s.sql]
            floor = median_ms(lambda: raw_fetch_and_encode(reads), settings.repeat)
            table.add(
                f"application submission ({application.answers.count()} answers)",
                submit_queries.count,
                fmt_ms(submit_ms),
                fmt_ms(floor),
                fmt_ratio(ratio(submit_ms, floor)),
            )
            figures.update(submit_ms=submit_ms, submit_floor_ms=floor)
        busiest = (
            Evaluation.objects.values("evaluator_id").annotate(n=Count("pk")).order_by("-n", "evaluator_id").first()
        )
        if busiest is not None:
            evaluator = User.objects.get(pk=busiest["evaluator_id"])
            client = client_for(evaluator)
            url = reverse("selection-my-evaluations")
            client.get(url)
            with recording() as list_queries:
                listed = client.get(url)
            list_ms = median_ms(lambda: client.get(url), settings.repeat)
            floor = median_ms(lambda: raw_fetch_and_encode(list_queries.row_queries()), settings.repeat)
            table.add(
                f"evaluator's list {listed.status_code}: {busiest['n']} evaluations",
                list_queries.count,
                fmt_ms(list_ms),
                fmt_ms(floor),
                fmt_ratio(ratio(list_ms, floor)),
            )
            figures.update(evaluator_list_ms=list_ms, evaluator_list_floor_ms=floor)
        transaction.set_rollback(True)
    out(str(table))
    if "submit_ms" not in figures:
        out("No submitted application of an open, unranked call: the submission was not measured.")
    return figures
