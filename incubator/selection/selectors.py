"""Reads of the applicant portal across models: the public list of calls, a call's public
page, the published ranking, an applicant's applications with their history, and the
office's list of a call's submissions. Each in a bounded number of queries."""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import get_language

from incubator import access, audit
from incubator.models import ApplicantKind, TeamMember, Theme
from incubator.selection.models import (
    Answer,
    Application,
    ApplicationState,
    Call,
    CallDocument,
    CallFaq,
    CoApplicantInvitation,
    IntegrationRequest,
)
from incubator.selection.submission import form_of

PUBLIC_CACHE_SECONDS = 60
VERSION_KEY = "selection:public-calls:version"


def public_calls_version() -> str:
    return str(cache.get(VERSION_KEY) or 0)


@receiver([post_save, post_delete], sender=Call, dispatch_uid="selection-public-calls-call")
@receiver([post_save, post_delete], sender=CallDocument, dispatch_uid="selection-public-calls-document")
@receiver([post_save, post_delete], sender=CallFaq, dispatch_uid="selection-public-calls-faq")
def public_calls_changed(**kwargs) -> None:
    """Any write to a call, its documents or FAQ (services, admin, API, imports) starts a
    new version of the public pages' cache, so no visitor sees the old figures."""
    cache.set(VERSION_KEY, time.time_ns(), None)


def public_calls() -> dict[str, list[Call]]:
    """Open, upcoming and closed-with-ranking calls (3 queries: calls with programme,
    documents). Kept in the cache for a minute, keyed on a version that changes whenever
    the office edits a call, its documents or FAQ (``public_calls_changed``)."""
    key = f"selection:public-calls:{public_calls_version()}:{get_language()}"
    found = cache.get(key)
    if found is not None:
        return found
    now = timezone.now()
    calls = list(
        Call.objects.select_related("programme")
        .filter(Q(closes_at__gt=now) | Q(ranking_published_at__isnull=False))
        .prefetch_related(Prefetch("documents", queryset=CallDocument.objects.order_by("order", "id")))
        .order_by("closes_at", "id")
    )
    for call in calls:
        labelled(call)
    found = {
        "open": [c for c in calls if c.opens_at <= now < c.closes_at],
        "upcoming": [c for c in calls if c.opens_at > now],
        "closed": [c for c in calls if c.closes_at <= now],
    }
    cache.set(key, found, PUBLIC_CACHE_SECONDS)
    return found


def labelled(call: Call) -> Call:
    """The call's applicant kinds and themes as words of the current language."""
    call.kind_labels = [str(ApplicantKind(k).label) for k in call.eligible_applicant_kinds if k in ApplicantKind.values]
    call.theme_labels = [str(Theme(t).label) if t in Theme.values else t for t in call.themes]
    return call


def public_call(pk: int) -> Call:
    """A call's public page: the call, its programme, documents and FAQ (3 queries), kept
    in the cache for a minute under the public pages' version, as ``public_calls``."""
    key = f"selection:public-call:{public_calls_version()}:{pk}:{get_language()}"
    found = cache.get(key)
    if found is None:
        found = labelled(Call.objects.select_related("programme").prefetch_related("documents", "faqs").get(pk=pk))
        cache.set(key, found, PUBLIC_CACHE_SECONDS)
    return found


def published_ranking(call: Call) -> QuerySet:
    """The graduatoria by protocol number: no names, no venture titles."""
    return (
        Application.objects.filter(call=call, rank__isnull=False)
        .order_by("rank", "submitted_at", "id")
        .only("protocol_number", "rank", "score", "state", "submitted_at")
    )


def my_applications(user) -> QuerySet:
    return (
        access.visible(user, Application)
        .filter(venture__in=access.own_venture_ids(user))
        .select_related("call", "venture")
        .order_by("-created_at", "-id")
    )


@dataclass
class Draft:
    application: Application
    sections: list
    answers: dict
    budget: list
    team: list
    invitations: list
    is_lead: bool


def draft(user, application: Application) -> Draft:
    answers = {a.question_id: a for a in Answer.objects.filter(application=application)}
    team = list(TeamMember.objects.filter(venture_id=application.venture_id).select_related("person"))
    return Draft(
        application=application,
        sections=form_of(application.call_id),
        answers=answers,
        budget=list(application.budget_items.all()),
        team=team,
        invitations=list(CoApplicantInvitation.objects.filter(application=application)),
        is_lead=any(m.person.user_id == user.pk and m.role == TeamMember.TeamRole.LEAD for m in team),
    )


def state_history(application: Application) -> list[dict]:
    """Each state the application went through, with its date and reason (audit trail)."""
    rows = []
    for event in audit.history(application).order_by("at", "id"):
        state = (event.after or {}).get("state")
        if state:
            rows.append({"state": ApplicationState(state).label, "at": event.at, "reason": event.reason})
    return rows


def integration_requests(application: Application) -> list[IntegrationRequest]:
    return list(IntegrationRequest.objects.filter(application=application).prefetch_related("files"))


def office_submissions(user, call: Call, state: str = "") -> QuerySet:
    """A call's applications as the office screens them (drafts excluded), by state."""
    applications = (
        access.visible(user, Application)
        .filter(call=call)
        .exclude(state=ApplicationState.DRAFT)
        .select_related("venture")
        .annotate(
            open_requests=Count(
                "integration_requests", filter=Q(integration_requests__state=IntegrationRequest.State.OPEN)
            )
        )
        .order_by("protocol_number", "id")
    )
    if state:
        applications = applications.filter(state=state)
    return applications
