"""Factories for tests. Records that have a service are made through it where the
state matters (see ``tests/conftest.py`` personas); these build plain rows quickly."""

import datetime as dt
import itertools
from decimal import Decimal

import factory
from django.utils import timezone

from incubator import models as m
from incubator.path import models as path_models
from incubator.selection import models as selection_models
from incubator.taxcode import check_character

_CF = itertools.count(1)


def tax_code(n: int | None = None) -> str:
    """A valid codice fiscale (correct check character), distinct for each n."""
    n = next(_CF) if n is None else n
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    surname = letters[n % 26] + letters[(n // 26) % 26] + letters[(n // 676) % 26]
    body = f"{surname}MRA80A01F839"
    return body + check_character(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or "pw-test-12345")
        if create:
            obj.save(update_fields=["password"])


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    code = factory.Sequence(lambda n: f"CT3.3.{n}")
    action = "3.3.1"
    fund = m.Fund.FESR
    budget = Decimal("2668337.00")
    starts_on = dt.date(2025, 1, 1)
    ends_on = dt.date(2028, 12, 31)
    target_areas = ["Municipalità 1", "Municipalità 4", "Municipalità 6"]


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = selection_models.Call

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Call {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    places = 2
    pass_threshold = Decimal("60")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = selection_models.Criterion

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("1.00")
    max_score = Decimal("50.00")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Person

    programme = factory.SubFactory(ProgrammeFactory)
    first_name = factory.Sequence(lambda n: f"Nome{n}")
    last_name = factory.Sequence(lambda n: f"Cognome{n}")
    tax_code = factory.LazyFunction(tax_code)
    email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}@example.org")


class VentureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Venture

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Venture {n}")
    themes = ["social_cohesion"]
    target_area = "Municipalità 4"


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.TeamMember

    venture = factory.SubFactory(VentureFactory)
    person = factory.SubFactory(PersonFactory, programme=factory.SelfAttribute("..venture.programme"))
    role = m.TeamMember.TeamRole.LEAD


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = selection_models.Application

    call = factory.SubFactory(CallFactory)
    venture = factory.SubFactory(VentureFactory, programme=factory.SelfAttribute("..call.programme"))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = path_models.Enrolment

    application = factory.SubFactory(
        ApplicationFactory,
        state=selection_models.ApplicationState.ADMITTED,
        submitted_at=factory.LazyFunction(timezone.now),
    )
    starts_on = dt.date(2026, 1, 1)
    ends_on = dt.date(2028, 12, 31)
    max_months = 36
