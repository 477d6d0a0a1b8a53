"""Grant eligibility as a registry of checks that other apps extend.

``incubator`` cannot read attendance (it lives in ``cohorts``, which depends on us), so
each app registers what it knows with ``@grant_check`` from its ``AppConfig.ready``: a
function taking a ``GrantCandidate`` and returning a list of ``Problem``. The grant
services run every check at the stage they guard (proposal, award, contract) and refuse
with all the problems found, each naming the field at fault."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from incubator.models import Venture
from incubator.selection.models import Application


class Stage:
    PROPOSE = "propose"
    AWARD = "award"
    CONTRACT = "contract"


@dataclass(frozen=True)
class GrantCandidate:
    """What a check may look at. ``grant`` is None when the grant is only being proposed;
    ``on`` is the date the stage happens (the decision or contract date)."""

    application: Application
    venture: Venture
    amount: Decimal
    undertaking: str
    stage: str
    on: dt.date
    grant: object | None = None
    # False when the grant's measure has no incubation: no cohort, attendance or path to check.
    incubation: bool = True


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str = "non_field_errors"


GrantCheck = Callable[[GrantCandidate], list[Problem]]
_checks: dict[str, GrantCheck] = {}


def grant_check(fn: GrantCheck) -> GrantCheck:
    """Registers ``fn`` (idempotent: registering the same function twice keeps one)."""
    _checks[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def unregister(fn: GrantCheck) -> None:
    _checks.pop(f"{fn.__module__}.{fn.__qualname__}", None)


def registered_checks() -> list[GrantCheck]:
    return list(_checks.values())


def problems(candidate: GrantCandidate) -> list[Problem]:
    found: list[Problem] = []
    for check in _checks.values():
        found.extend(check(candidate))
    return found


class NotEligible(ValidationError):
    """Every problem found, grouped by field (the API answers them as HTTP 400)."""

    code = "not_eligible"

    def __init__(self, found: list[Problem]):
        self.problems = found
        by_field: dict[str, list[ValidationError]] = {}
        for problem in found:
            by_field.setdefault(problem.field, []).append(ValidationError(problem.message, code=problem.code))
        super().__init__(by_field)


def require_eligible(candidate: GrantCandidate) -> None:
    found = problems(candidate)
    if found:
        raise NotEligible(found)
