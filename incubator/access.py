"""The one place that decides who may see and do what (DESIGN.md, "Roles").

- ``visible(user, Model)`` is the queryset of records the user may see. API
  ``get_queryset``, admin ``get_queryset`` and page views all start from it, so a record
  out of reach is simply not found (404) everywhere.
- ``rule(Model)`` registers a function ``user -> Q`` that grants sight of some records;
  a model's visible set is the union of its rules. Apps that depend on ``incubator``
  (cohorts, mentoring) register their own models' rules, and may add rules to ours (a
  tutor sees the ventures assigned to them), from their ``AppConfig.ready``.
- ``require_role(user, programme_id, *roles)`` guards writes in services.

Rules use ``pk__in`` subqueries rather than joins so that a union never duplicates rows.
A model without any rule raises ``LookupError``: nothing is visible by accident.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import models
from django.db.models import Q
from django.http import Http404

from incubator.exceptions import NotPermitted
from incubator.models import (
    AuditEvent,
    LegalFormChange,
    Person,
    Programme,
    Role,
    RoleAssignment,
    TeamMember,
    User,
    Venture,
)

Rule = Callable[[models.Model], Q]


_rules: dict[type[models.Model], list[Rule]] = defaultdict(list)


_NOTHING = Q(pk__in=[])


_CACHE_ATTR = "_incubator_roles"


def rule(model: type[models.Model]) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _rules[model].append(fn)
        return fn

    return register


def registered_models() -> list[type[models.Model]]:
    return list(_rules)


def roles_of(user) -> dict[str, frozenset[int]]:
    """role -> programme ids; one query per user object, cached on it."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        found: dict[str, set[int]] = defaultdict(set)
        for role, programme_id in RoleAssignment.objects.filter(user=user).values_list("role", "programme_id"):
            found[role].add(programme_id)
        cached = {role: frozenset(ids) for role, ids in found.items()}
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user) -> None:
    """Drop the cached roles (after a role is granted or revoked)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def programmes(user, *roles: str) -> frozenset[int]:
    """Programme ids where the user holds any of ``roles`` (any role when none given)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    held = roles_of(user)
    wanted: Iterable[str] = roles or held.keys()
    return frozenset().union(*(held.get(r, frozenset()) for r in wanted))


def coordinated(user) -> frozenset[int]:
    return programmes(user, Role.COORDINATOR)


def is_admin(user) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def has_role(user, programme_id: int, *roles: str) -> bool:
    return is_admin(user) or programme_id in programmes(user, *roles)


def require_role(user, programme_id: int, *roles: str) -> None:
    if not has_role(user, programme_id, *roles):
        raise NotPermitted()


def visible(user, model_or_qs) -> models.QuerySet:
    if isinstance(model_or_qs, models.QuerySet):
        qs, model = model_or_qs, model_or_qs.model
    else:
        qs, model = model_or_qs._default_manager.all(), model_or_qs
    if model not in _rules:
        raise LookupError(f"No access rule for {model._meta.label}: register one with access.rule().")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if is_admin(user):
        return qs
    condition = _NOTHING
    for fn in _rules[model]:
        condition |= fn(user)
    return qs.filter(condition)


def get_visible(user, model_or_qs, **lookups) -> models.Model:
    """The record if the user may see it, else Http404 (never 403: ids do not leak)."""
    try:
        return visible(user, model_or_qs).get(**lookups)
    except (models.ObjectDoesNotExist, ValueError, TypeError):
        raise Http404() from None


def own_venture_ids(user) -> models.QuerySet:
    return TeamMember.objects.filter(person__user=user, person__anonymised_at__isnull=True).values("venture_id")


@rule(Programme)
def _programme(user) -> Q:
    return Q(pk__in=programmes(user))


@rule(RoleAssignment)
def _role_assignment(user) -> Q:
    return Q(programme__in=coordinated(user)) | Q(user=user)


@rule(Person)
def _person(user) -> Q:
    return Q(programme__in=coordinated(user)) | Q(user=user)


@rule(Venture)
def _venture(user) -> Q:
    # Evaluators also see the ventures of the applications they evaluate: a rule of
    # incubator.selection.access.
    return Q(programme__in=coordinated(user)) | Q(pk__in=own_venture_ids(user))


@rule(TeamMember)
def _team_member(user) -> Q:
    return Q(venture__in=visible(user, Venture).values("pk"))


@rule(LegalFormChange)
def _legal_form(user) -> Q:
    return Q(venture__in=visible(user, Venture).values("pk"))


@rule(AuditEvent)
def _audit(user) -> Q:
    return Q(programme__in=coordinated(user))


@rule(User)
def _user(user) -> Q:
    """Oneself, the people holding a role in a programme one coordinates, and the logins
    of that programme's people (so that a login just given can be granted a role)."""
    mine = coordinated(user)
    return (
        Q(pk=user.pk)
        | Q(pk__in=RoleAssignment.objects.filter(programme__in=mine).values("user"))
        | Q(pk__in=Person.objects.filter(programme__in=mine, user__isnull=False).values("user"))
    )


def back_office_scope(user, model_or_qs, programme_path: str) -> models.QuerySet:
    """What the back office works on: the records the user may see (``visible``)
    in the programmes they coordinate (all for an administrator). ``programme_path`` leads
    from the model to its programme, e.g. ``"call__programme"`` (``"pk"`` for Programme)."""
    queryset = visible(user, model_or_qs)
    if is_admin(user):
        return queryset
    return queryset.filter(**{f"{programme_path}__in": coordinated(user)})
