"""The demo data at scale: its plan, counters, bulk inserts and the small helpers the
builders share (``bench.demo_scale``)."""

import datetime as dt
import itertools
import logging
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import models

from cohorts.models import (
    AttendanceStatus,
    Cohort,
    TrainingSession,
)
from incubator.models import (
    Person,
    Programme,
    User,
)
from incubator.path.models import Enrolment
from incubator.selection import demo as selection_demo
from incubator.taxcode import make_tax_code

log = logging.getLogger(__name__)


ROME = ZoneInfo("Europe/Rome")
CODE_PREFIX = "SCALE-"
# Users of these programmes are removed by ``seed_demo --reset`` with the other demo users.
USERNAME_PREFIX = "demo-s"
BATCH = 2000
REGIONS = (
    ("Campania", "Napoli"),
    ("Puglia", "Bari"),
    ("Piemonte", "Torino"),
    ("Sicilia", "Palermo"),
    ("Lazio", "Roma"),
    ("Calabria", "Reggio Calabria"),
    ("Sardegna", "Cagliari"),
    ("Toscana", "Firenze"),
    ("Lombardia", "Milano"),
    ("Basilicata", "Potenza"),
)
TEAM_SIZES = (3, 4, 5, 6, 7)  # five on average: 2,000 ventures, 10,000 participants
SESSION_MINUTES = (120, 120, 120, 180)
TUTORING_MINUTES = (45, 60, 60, 60, 90, 90)  # at most 90: two slots a morning never meet
TUTORING_HOURS = (9, 11)
MARK_STATUSES = (
    (AttendanceStatus.PRESENT, 82),
    (AttendanceStatus.PARTIAL, 7),
    (AttendanceStatus.JUSTIFIED, 6),
    (AttendanceStatus.ABSENT, 5),
)
WITHDRAWN_SHARE = 0.03
EXIT_REASONS = (
    "Trasferimento in altra città",
    "Il team si è sciolto",
    "Assunzione a tempo pieno della capofila",
    "Motivi familiari",
)


@dataclass(frozen=True)
class Plan:
    """How much to build. ``for_factor(1)`` is the N = 1 table of the module docstring;
    a whole N multiplies the programmes; a fraction (tests, a quick benchmark) shrinks
    the programmes' shape too."""

    programmes: int
    cohorts_per_programme: int = 10
    enrolments_per_cohort: int = 20
    applicants_per_cohort: int = 24
    sessions_per_cohort: int = 200
    tutoring_per_enrolment: int = 53
    marks: int = 500_000
    trainers_per_programme: int = 4
    evaluators_per_programme: int = 3
    ventures_per_tutor: int = 10

    @classmethod
    def for_factor(cls, factor: float) -> "Plan":
        if factor <= 0:
            raise ValueError("The scale factor must be more than 0.")
        if factor >= 0.1:
            return cls(programmes=max(1, round(10 * factor)), marks=round(500_000 * factor))
        shrink = factor * 10  # below 0.1 every programme gets smaller as well
        return cls(
            programmes=1,
            cohorts_per_programme=max(2, round(10 * shrink)),
            enrolments_per_cohort=max(3, round(20 * shrink)),
            applicants_per_cohort=max(4, round(24 * shrink)),
            sessions_per_cohort=max(8, round(200 * shrink)),
            tutoring_per_enrolment=max(4, round(53 * shrink)),
            marks=max(50, round(500_000 * factor)),
            trainers_per_programme=2,
            evaluators_per_programme=2,
            ventures_per_tutor=max(2, round(10 * shrink)),
        )

    @property
    def cohorts(self) -> int:
        return self.programmes * self.cohorts_per_programme


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, model: type[models.Model], n: int) -> None:
        label = model._meta.label
        self.rows[label] = self.rows.get(label, 0) + n


def _insert(model: type[models.Model], rows: Iterable[models.Model], counts: Counts) -> list[models.Model]:
    """Inserts in batches and returns the rows with their primary keys (both databases
    return them from a bulk insert)."""
    done: list[models.Model] = []
    for batch in itertools.batched(rows, BATCH):
        done.extend(model.objects.bulk_create(batch, batch_size=BATCH))
    counts.add(model, len(done))
    return done


def _stream(model: type[models.Model], rows: Iterator[models.Model], counts: Counts) -> None:
    """As ``_insert`` for rows nobody reads back (marks): never more than a batch in memory."""
    n = 0
    for batch in itertools.batched(rows, BATCH):
        model.objects.bulk_create(batch, batch_size=BATCH)
        n += len(batch)
    counts.add(model, n)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _weekday(day: dt.date) -> dt.date:
    """The day itself from Monday to Friday, else the Monday after."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _weighted(rng, choices) -> str:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights)[0]


def _half_points(value: float, max_score: int) -> Decimal:
    return Decimal(min(max_score, max(0, round(value * 2) / 2))).quantize(Decimal("0.01"))


class _People:
    """People with valid tax codes, distinct in their programme (as ``person_create``)."""

    def __init__(self, rng):
        self.rng = rng
        self.n = 0

    def make(self, programme: Programme, taken: set[str], entry_year: int) -> Person:
        rng = self.rng
        self.n += 1
        female = rng.random() < 0.52
        first = rng.choice(selection_demo.FEMALE_NAMES if female else selection_demo.MALE_NAMES)
        last = rng.choice(selection_demo.SURNAMES)
        place = rng.choice(selection_demo.BIRTHPLACES) if rng.random() < 0.93 else rng.choice(("Z330", "Z343", "Z138"))
        birth = dt.date(entry_year - rng.randint(19, 62), rng.randint(1, 12), rng.randint(1, 28))
        code = make_tax_code(last, first, birth, "F" if female else "M", place)
        while code in taken:  # omocodia: another birthday, as a real office would not, but valid
            birth += dt.timedelta(days=1)
            code = make_tax_code(last, first, birth, "F" if female else "M", place)
        taken.add(code)
        return Person(
            programme=programme,
            first_name=first,
            last_name=last,
            tax_code=code,
            email=f"{_ascii(first)}.{_ascii(last)}.{self.n}@example.org",
            phone=f"+39 3{rng.randint(20, 49)} {rng.randint(1000000, 9999999)}",
        )


@dataclass
class _Cohort:
    """What one cohort's build needs later (no model instance is kept past its programme)."""

    cohort: Cohort
    trainers: list[User]
    enrolments: list[Enrolment]
    teams: dict[int, list[int]]  # enrolment id -> person ids
    sessions: list[TrainingSession] = field(default_factory=list)
    session_trainer: dict[int, int] = field(default_factory=dict)  # session id -> who marks it
