"""Mentoring's tasks on the home page (``incubator.views.home_tasks``). Loaded by
``MentoringConfig.ready``. "My ventures" is offered only to users with a tutor profile
(a trainer who tutors nobody has none, and the page would be empty)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incubator.models import Role
from incubator.views import HomeSection, HomeTask, home_tasks
from mentoring.models import TutorProfile


@home_tasks
def mentoring_tasks(user, roles: dict) -> list[HomeSection]:
    sections = []
    tutoring = roles.get(Role.TUTOR)
    if tutoring and TutorProfile.objects.filter(user=user, programme__in=tutoring).exists():
        sections.append(
            HomeSection(
                "tutoring",
                _("Tutoring"),
                30,
                [
                    HomeTask(_("My ventures (tutor)"), reverse("mentoring:my-ventures")),
                    HomeTask(_("Log a tutoring session"), reverse("mentoring:session-new")),
                    HomeTask(_("My monthly timesheet"), reverse("mentoring:timesheet-index")),
                ],
            )
        )
    if roles.get(Role.PARTICIPANT):
        sections.append(
            HomeSection(
                "participant",
                _("My path"),
                40,
                [HomeTask(_("Tutoring: notes and action items"), reverse("mentoring:my-tutoring"))],
            )
        )
    return sections
