"""Building blocks for the cohorts tests: a cohort of the ``world`` fixture's programme with
enrolled ventures and a trainer, sessions relative to today, all through the services."""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone

from cohorts import services
from cohorts.models import Cohort, CurriculumModule, TrainingSession
from incubator import access
from incubator.models import Person, Role, RoleAssignment, TeamMember, User
from incubator.path.models import Enrolment
from incubator.selection.models import ApplicationState
from tests import factories as f

ROME = ZoneInfo("Europe/Rome")


def today() -> dt.date:
    return timezone.localdate()


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


def days_ago(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


def enrol(application, *, starts_on: dt.date | None = None) -> Enrolment:
    """An admitted application's enrolment (plain rows: the selection is tested elsewhere)."""
    starts_on = starts_on or days_ago(300)
    application.state = ApplicationState.ADMITTED
    application.submitted_at = timezone.now() - dt.timedelta(days=400)
    application.save(update_fields=["state", "submitted_at"])
    return Enrolment.objects.create(
        application=application, starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=1000), max_months=36
    )


def new_enrolment(world, *, people: int = 1, starts_on: dt.date | None = None) -> tuple[Enrolment, list[Person]]:
    venture = f.VentureFactory(programme=world.programme)
    persons = [f.PersonFactory(programme=world.programme) for _ in range(people)]
    for i, person in enumerate(persons):
        f.TeamMemberFactory(
            venture=venture, person=person, role=TeamMember.TeamRole.LEAD if i == 0 else TeamMember.TeamRole.MEMBER
        )
    application = f.ApplicationFactory(call=world.call, venture=venture)
    return enrol(application, starts_on=starts_on), persons


def make_trainer(world, username: str) -> User:
    user = f.UserFactory(username=username, first_name="Anna", last_name=username.title())
    RoleAssignment.objects.create(user=user, programme=world.programme, role=Role.TUTOR)
    access.forget(user)
    return user


@dataclass
class CohortWorld:
    world: object
    cohort: Cohort
    module: CurriculumModule
    enrolment: Enrolment
    people: list[Person] = field(default_factory=list)

    @property
    def coordinator(self) -> User:
        return self.world.coordinator

    @property
    def trainer(self) -> User:
        return self.world.tutor

    def session(
        self,
        *,
        day: dt.date,
        hour: int = 9,
        minutes: int = 120,
        kind: str = TrainingSession.Kind.TRAINING,
        trainers=None,
        module=None,
        topic: str = "Lesson",
        place: str = "Napoli, via Toledo 1",
    ) -> TrainingSession:
        start = local(day, hour)
        return services.session_create(
            actor=self.coordinator,
            cohort=self.cohort,
            module=module or (self.module if kind == TrainingSession.Kind.TRAINING else None),
            kind=kind,
            topic=topic,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
            place=place,
            trainers=[self.trainer] if trainers is None else trainers,
        )

    def mark(self, session: TrainingSession, *marks: tuple, actor=None):
        """``marks``: (person, status) or (person, status, minutes)."""
        items = [{"person": m[0].pk, "status": m[1], "minutes_attended": m[2] if len(m) > 2 else None} for m in marks]
        return services.attendance_mark_bulk(actor=actor or self.trainer, session=session, marks=items)


def build_cohort(world, *, extra_people: int = 1, name: str = "Coorte 1") -> CohortWorld:
    """The world's venture (its participant persona) plus one more venture of
    ``extra_people`` people, both enrolled 300 days ago and placed in a new cohort that
    runs from 200 days ago to 200 days ahead."""
    enrolment = enrol(world.application)
    cohort = services.cohort_create(
        actor=world.coordinator,
        programme=world.programme,
        call=world.call,
        name=name,
        starts_on=days_ago(200),
        ends_on=today() + dt.timedelta(days=200),
    )
    services.cohort_add_enrolment(actor=world.coordinator, cohort=cohort, enrolment=enrolment)
    people = [world.participant_person]
    if extra_people:
        other, persons = new_enrolment(world, people=extra_people)
        services.cohort_add_enrolment(actor=world.coordinator, cohort=cohort, enrolment=other)
        people += persons
    module = cohort.modules.order_by("order").first()
    return CohortWorld(world=world, cohort=cohort, module=module, enrolment=enrolment, people=people)
