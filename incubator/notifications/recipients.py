"""Who is told: the users behind a venture's team and a programme's coordinators, read in
one query for many records (reminders run over thousands of them)."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from incubator.models import Role, RoleAssignment, TeamMember


def _current_members() -> Q:
    return Q(person__user__isnull=False, person__user__is_active=True, person__anonymised_at__isnull=True) & Q(
        left_on__isnull=True
    )


def team_users(venture_ids: Iterable[int]) -> dict[int, list[int]]:
    """venture id -> the user ids of its current team members who have an account."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = TeamMember.objects.filter(_current_members(), venture_id__in=list(venture_ids)).values_list(
        "venture_id", "person__user_id"
    )
    for venture_id, user_id in rows.order_by("venture_id", "person__user_id"):
        found[venture_id].append(user_id)
    return found


def venture_team(venture_id: int) -> list[int]:
    return team_users([venture_id]).get(venture_id, [])


def coordinators(programme_id: int) -> list[int]:
    return list(
        RoleAssignment.objects.filter(programme_id=programme_id, role=Role.COORDINATOR, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
