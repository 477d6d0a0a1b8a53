"""The ESF+ common output and result indicators (Regulation (EU) 2021/1057, Annex I) of a
report's participants, by gender."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from incubator.models import Person
from incubator.participants.models import (
    Gender,
    IscedBand,
    LabourStatus,
    ParticipantResult,
    ResultTiming,
    SpecialCategoryAnswer,
    age_at_entry,
)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator with its breakdown by gender (``total`` includes all genders)."""

    key: str
    label: str
    female: int
    male: int
    non_binary: int
    total: int

    def cells(self) -> list[int]:
        return [self.female, self.male, self.non_binary, self.total]


ZERO = Decimal("0.00")


# Annex I common output indicators on participants, in the regulation's order.
OUTPUT_INDICATORS: tuple[tuple[str, Any, Q], ...] = (
    (
        "unemployed",
        _("Unemployed, including long-term unemployed"),
        Q(entry_data__labour_status__in=[LabourStatus.UNEMPLOYED, LabourStatus.LONG_TERM_UNEMPLOYED]),
    ),
    ("long_term_unemployed", _("Long-term unemployed"), Q(entry_data__labour_status=LabourStatus.LONG_TERM_UNEMPLOYED)),
    ("inactive", _("Inactive"), Q(entry_data__labour_status=LabourStatus.INACTIVE)),
    ("employed", _("Employed, including self-employed"), Q(entry_data__labour_status=LabourStatus.EMPLOYED)),
    ("under_18", _("Below 18 years of age"), Q(age__lt=18)),
    ("age_18_29", _("Aged 18-29"), Q(age__gte=18, age__lt=30)),
    ("age_30_54", _("Aged 30-54"), Q(age__gte=30, age__lt=55)),
    ("age_55_plus", _("Aged 55 and over"), Q(age__gte=55)),
    ("isced_0_2", _("With lower secondary education or less (ISCED 0-2)"), Q(entry_data__isced=IscedBand.ISCED_0_2)),
    (
        "isced_3_4",
        _("With upper secondary or post-secondary education (ISCED 3-4)"),
        Q(entry_data__isced=IscedBand.ISCED_3_4),
    ),
    ("isced_5_8", _("With tertiary education (ISCED 5-8)"), Q(entry_data__isced=IscedBand.ISCED_5_8)),
    ("disability", _("Participants with disabilities"), Q(entry_data__disability=SpecialCategoryAnswer.YES)),
    ("third_country", _("Third-country nationals"), Q(entry_data__third_country_national=True)),
    ("foreign_background", _("Participants with a foreign background"), Q(entry_data__foreign_background=True)),
    (
        "minority",
        _("Minorities (including marginalised communities such as the Roma)"),
        Q(entry_data__minority=SpecialCategoryAnswer.YES),
    ),
    ("homeless", _("Homeless or affected by housing exclusion"), Q(entry_data__homeless=True)),
    ("rural", _("Participants from rural areas"), Q(entry_data__rural=True)),
    ("disability_refused", _("Refused to answer: disability"), Q(entry_data__disability=SpecialCategoryAnswer.REFUSED)),
    ("minority_refused", _("Refused to answer: minority"), Q(entry_data__minority=SpecialCategoryAnswer.REFUSED)),
    ("participants", _("Number of participants"), Q(entry_data__isnull=False)),
)


EXIT_INDICATORS: tuple[tuple[str, Any, Q], ...] = (
    (
        "exit_job_searching",
        _("Engaged in job searching upon leaving"),
        Q(timing=ResultTiming.AT_EXIT, job_searching=True),
    ),
    (
        "exit_in_education",
        _("In education or training upon leaving"),
        Q(timing=ResultTiming.AT_EXIT, in_education=True),
    ),
    (
        "exit_qualification",
        _("Gaining a qualification upon leaving"),
        Q(timing=ResultTiming.AT_EXIT, qualification_gained=True),
    ),
    (
        "exit_employed",
        _("In employment, including self-employment, upon leaving"),
        Q(timing=ResultTiming.AT_EXIT, employed=True),
    ),
    (
        "six_months_employed",
        _("In employment, including self-employment, six months after leaving"),
        Q(timing=ResultTiming.SIX_MONTHS, employed=True),
    ),
    (
        "six_months_better_situation",
        _("With an improved labour market situation six months after leaving"),
        Q(timing=ResultTiming.SIX_MONTHS, better_situation=True),
    ),
)


def _by_gender(
    queryset: QuerySet, indicators: tuple[tuple[str, Any, Q], ...], gender_field: str, **extra
) -> tuple[list[IndicatorRow], dict[str, int]]:
    """Each indicator's count per gender and in total, as one aggregate query grouped by
    gender (one count per indicator and group; the groups partition the rows, so a total
    is the sum of its groups, those without a recorded gender included)."""
    aggregates = dict(extra)
    for key, _label, condition in indicators:
        aggregates[key] = Count("pk", filter=condition)
    groups = list(queryset.order_by().values(gender_field).annotate(**aggregates))

    def count(name: str, gender: str | None = None) -> int:
        return sum(group[name] for group in groups if gender is None or group[gender_field] == gender)

    rows = [
        IndicatorRow(
            key=key,
            label=str(label),
            female=count(key, Gender.FEMALE),
            male=count(key, Gender.MALE),
            non_binary=count(key, Gender.NON_BINARY),
            total=count(key),
        )
        for key, label, _condition in indicators
    ]
    return rows, {name: count(name) for name in extra}


def _output_indicators(participant_ids: QuerySet) -> tuple[int, int, list[IndicatorRow], int]:
    people = Person.objects.filter(pk__in=participant_ids).annotate(age=age_at_entry("entry_data__"))
    rows, extra = _by_gender(
        people,
        OUTPUT_INDICATORS,
        "entry_data__gender",
        everyone=Count("pk"),
        victims=Count("pk", filter=Q(entry_data__victim_of_violence=True)),
    )
    with_data = rows[-1].total
    return extra["everyone"], extra["everyone"] - with_data, rows, extra["victims"]


def _result_indicators(participant_ids: QuerySet, enrolments: QuerySet) -> tuple[list[IndicatorRow], dict[str, int]]:
    results = ParticipantResult.objects.filter(person__in=participant_ids, enrolment__in=enrolments)
    rows, recorded = _by_gender(
        results,
        EXIT_INDICATORS,
        "person__entry_data__gender",
        at_exit=Count("pk", filter=Q(timing=ResultTiming.AT_EXIT)),
        six_months=Count("pk", filter=Q(timing=ResultTiming.SIX_MONTHS)),
    )
    return rows, recorded
