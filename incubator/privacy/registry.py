"""Data-subject rights: the retention rule, and the registries through which every app
contributes to a person's data export and to their anonymisation.

- Retention (Regulation (EU) 2021/1060 art. 82): a programme's documents are kept five
  years from 31 December of the year of its last payment (``Programme.last_payment_on``).
  While that runs, or while no last payment is recorded, nobody is erased.
- ``@section(name, order)`` registers ``fn(subject) -> data`` for the access export
  (GDPR art. 15 and 20). ``incubator.privacy.selectors`` registers the core's sections;
  ``cohorts.gdpr`` and ``mentoring.gdpr`` register theirs, from their ``AppConfig.ready``,
  so the core does not depend on them.
- ``@anonymiser`` registers ``fn(subject) -> list[str]`` (the fields it replaced) for
  erasure (GDPR art. 17), run by ``incubator.privacy.services`` inside its transaction.

Erasure is anonymisation that keeps the statistics: names, tax code, contacts and free
text are replaced; the ESF+ categories stay for the aggregate indicators and the date of
birth keeps only its year (see ``reduced_birth_date``)."""

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import QuerySet

from incubator.models import Person, Programme, TeamMember
from incubator.path.models import Enrolment

RETENTION_YEARS = 5
ANONYMOUS_FIRST_NAME = "Anonymised"
ERASED = "[erased]"


# --- retention -----------------------------------------------------------------------------


def retention_ends_on(programme: Programme) -> dt.date | None:
    """The last day the programme's documents must be kept; None while no last payment
    is recorded (the period has not even started)."""
    if programme.last_payment_on is None:
        return None
    return dt.date(programme.last_payment_on.year + RETENTION_YEARS, 12, 31)


def retention_running(programme: Programme, today: dt.date) -> bool:
    ends = retention_ends_on(programme)
    return ends is None or today <= ends


def programmes_past_retention(today: dt.date) -> QuerySet:
    """Programmes whose retention period ended before ``today`` (one query)."""
    return Programme.objects.filter(last_payment_on__year__lt=today.year - RETENTION_YEARS)


# --- anonymous values ----------------------------------------------------------------------


def anonymous_tax_code(person_pk: int) -> str:
    """16 characters like a codice fiscale, unique per person, never a valid one."""
    return f"ANON{person_pk:012d}"[-16:]


def anonymous_last_name(person_pk: int) -> str:
    return f"#{person_pk}"


def reduced_birth_date(birth: dt.date, entered: dt.date) -> dt.date:
    """The date of birth reduced to its year: 1 January, or 31 December when the
    birthday fell after the day of entry in the calendar, so that the age at entry (and
    its ESF+ band) computed from it stays exactly what it was."""
    if (birth.month, birth.day) <= (entered.month, entered.day):
        return dt.date(birth.year, 1, 1)
    return dt.date(birth.year, 12, 31)


# --- the subject of an export or an erasure ---------------------------------------------------


@dataclass
class Subject:
    """A person (and their login, if any). Sections and anonymisers read from here."""

    person: Person | None
    user: Any = None
    identifiers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.user is None and self.person is not None:
            self.user = self.person.user

    @cached_property
    def venture_ids(self) -> list[int]:
        if self.person is None:
            return []
        return list(TeamMember.objects.filter(person=self.person).values_list("venture_id", flat=True))

    @cached_property
    def enrolments(self) -> QuerySet:
        return Enrolment.objects.filter(application__venture__in=self.venture_ids)


Section = Callable[[Subject], Any]
Anonymiser = Callable[[Subject], list[str]]
_sections: dict[str, tuple[int, Section]] = {}
_anonymisers: list[Anonymiser] = []


def section(name: str, order: int) -> Callable[[Section], Section]:
    def register(fn: Section) -> Section:
        _sections[name] = (order, fn)
        return fn

    return register


def sections() -> list[tuple[str, Section]]:
    return [(name, fn) for name, (_order, fn) in sorted(_sections.items(), key=lambda item: (item[1][0], item[0]))]


def anonymiser(fn: Anonymiser) -> Anonymiser:
    if fn not in _anonymisers:
        _anonymisers.append(fn)
    return fn


def anonymisers() -> list[Anonymiser]:
    return list(_anonymisers)


def scrub(value: Any, identifiers: list[str]) -> Any:
    """``value`` (text, or JSON made of lists and dicts) with every identifier replaced,
    whatever its case."""
    if isinstance(value, str):
        for identifier in identifiers:
            if identifier:
                value = re.sub(re.escape(identifier), ERASED, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, list):
        return [scrub(item, identifiers) for item in value]
    if isinstance(value, dict):
        return {key: scrub(item, identifiers) for key, item in value.items()}
    return value
