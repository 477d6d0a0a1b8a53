"""Who sees funding records (registered with ``incubator.access``).

Coordinators see their programmes' grants, campaigns and the de minimis register;
participants see their own venture's (the serializers leave out internal notes).
Evaluators and tutors see none of it: tutor assignments live in ``mentoring``, which
``incubator`` cannot read, and a grant is not part of what DESIGN.md shows a tutor."""

from django.db.models import Q

from incubator import access
from incubator.funding.models import (
    AidVariation,
    CallBudget,
    CrowdfundingCampaign,
    DeMinimisAid,
    DeMinimisCheck,
    ExpenseItem,
    ExpenseReport,
    Grant,
    GrantBudgetLine,
    MatchingRule,
    Tranche,
)
from incubator.models import Measure, Role


def _venture_scope(user, prefix: str = "") -> Q:
    return Q(**{f"{prefix}venture__programme__in": access.coordinated(user)}) | Q(
        **{f"{prefix}venture__in": access.own_venture_ids(user)}
    )


@access.rule(Grant)
def _grant(user) -> Q:
    return _venture_scope(user)


@access.rule(GrantBudgetLine)
def _budget_line(user) -> Q:
    return _venture_scope(user, "grant__")


@access.rule(Tranche)
def _tranche(user) -> Q:
    return _venture_scope(user, "grant__")


@access.rule(ExpenseReport)
def _expense_report(user) -> Q:
    return _venture_scope(user, "grant__")


@access.rule(ExpenseItem)
def _expense_item(user) -> Q:
    return _venture_scope(user, "grant__")


@access.rule(DeMinimisAid)
def _de_minimis(user) -> Q:
    return Q(programme__in=access.coordinated(user)) | Q(venture__in=access.own_venture_ids(user))


@access.rule(MatchingRule)
def _matching_rule(user) -> Q:
    return Q(programme__in=access.programmes(user, Role.COORDINATOR, Role.PARTICIPANT))


@access.rule(CrowdfundingCampaign)
def _campaign(user) -> Q:
    return _venture_scope(user)


# Measures, the calls' split and the register's checks and variations: the programme's
# coordinators (the budget is the office's, not the beneficiaries').
@access.rule(Measure)
def _measure(user) -> Q:
    return Q(programme__in=access.coordinated(user))


@access.rule(CallBudget)
def _call_budget(user) -> Q:
    return Q(measure__programme__in=access.coordinated(user))


@access.rule(DeMinimisCheck)
def _de_minimis_check(user) -> Q:
    return Q(grant__venture__programme__in=access.coordinated(user))


@access.rule(AidVariation)
def _aid_variation(user) -> Q:
    return Q(aid__programme__in=access.coordinated(user))
