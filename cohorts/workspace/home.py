"""The cohorts app's tasks on the home page (``incubator.views.home_tasks``): coordination,
registers and check-in, the paths, the participant's path. Loaded by ``CohortsConfig.ready``."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incubator.models import Role
from incubator.views import HomeSection, HomeTask, home_tasks


@home_tasks
def cohorts_tasks(user, roles: dict) -> list[HomeSection]:
    sections = []
    if roles.get(Role.COORDINATOR):
        sections.append(
            HomeSection(
                "coordinator",
                _("Coordination"),
                10,
                [
                    HomeTask(_("Programme overview, cohorts and the report export"), reverse("cohorts:coordinator")),
                    HomeTask(_("Outcome dashboard"), reverse("cohorts:dashboard")),
                    HomeTask(_("Tutoring overview"), reverse("cohorts:coordinator-tutoring")),
                    HomeTask(_("Grants"), reverse("cohorts:coordinator-grants")),
                ],
            )
        )
    if roles.get(Role.COORDINATOR) or roles.get(Role.TUTOR):
        sections.append(
            HomeSection(
                "training",
                _("Training sessions"),
                20,
                [
                    HomeTask(
                        _("My sessions: registers and QR check-in"),
                        reverse("cohorts:my-sessions"),
                        _("Today's sessions and the next ones; attendance warnings of the people you follow."),
                    ),
                    HomeTask(_("Ventures' paths: milestones, overdue, verification"), reverse("cohorts:path-overview")),
                ],
            )
        )
    if roles.get(Role.PARTICIPANT):
        sections.append(
            HomeSection(
                "participant",
                _("My path"),
                40,
                [HomeTask(_("My path: sessions, milestones, attendance"), reverse("cohorts:my-path"))],
            )
        )
    return sections
