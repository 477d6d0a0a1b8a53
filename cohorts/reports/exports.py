"""Files built from the cohort report: the report itself (XLSX with a sheet per section,
or CSV with the sections one after the other) and the pseudonymised participant-level
export for external evaluators.

The pseudonymised export names nobody: each participant is a random code kept apart
from identities (``incubator.Pseudonym``, readable by coordinators only); it carries the
birth year and age band but never the date of birth, name, tax code, contacts, the
special categories (disability, minority: only in the aggregate tables) or the "woman
victim of violence" flag. Its aggregate tables suppress every cell under
``SMALL_CELL`` people, and the cells from which a suppressed one could be worked out
(by subtraction from a shown total).

Every text cell is neutralised against spreadsheet formula injection. Files are written
row by row (openpyxl's write-only mode, ``QuerySet.iterator``) so a large export does not
sit in memory."""

import csv
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cohorts.reports.figures import CohortReport, IndicatorRow, Scope
from cohorts.reports.sections import SECTION_TITLES, rows_by_section
from cohorts.selectors import ENROLMENT, attendance_by_cohort, cohort_members
from incubator.imports.cells import cell_text, neutralise
from incubator.models import Person
from incubator.participants.models import ParticipantResult, ResultTiming, age_at_entry, age_band_of

SMALL_CELL = 5
SUPPRESSED = "<5"  # a count of 0 to 4 people
COMPLEMENT = "*"  # hidden because, with the totals, it would reveal a count under 5

# Rows of the output indicators that split the participants into parts: if only one
# part of a column were hidden, the total minus the others would reveal it.
PARTITIONS = (
    ("unemployed", "inactive", "employed"),
    ("under_18", "age_18_29", "age_30_54", "age_55_plus"),
    ("isced_0_2", "isced_3_4", "isced_5_8"),
)
TOTAL_ROW = "participants"

Progress = Callable[[int], None]


def xlsx_cell(value: Any) -> Any:
    """Numbers stay numbers; text loses the characters XLSX cannot hold and never starts
    a formula (``incubator.imports.neutralise``)."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return value
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def csv_writer(out: IO[str]) -> tuple[Any, Callable[[Any], str]]:
    """A CSV writer in the export's language: Italian offices open ``;`` with decimal
    commas and dd/mm/yyyy (``incubator.imports.ItalianCSV``), others ``,`` and ISO."""
    italian = (translation.get_language() or "").startswith("it")
    writer = csv.writer(out, delimiter=";" if italian else ",")
    return writer, lambda value: cell_text(value, italian=italian)


# --- small-cell suppression ------------------------------------------------------------


def suppress_indicators(rows: list[IndicatorRow], partitions=PARTITIONS, total_row: str = TOTAL_ROW) -> list[list]:
    """The indicator table (label, female, male, non-binary, total) with every count
    under ``SMALL_CELL`` shown as ``SUPPRESSED``, then the complementary cells hidden
    (``COMPLEMENT``) until no hidden count can be derived: in a row, the genders add up
    to the total; in a column, each partition adds up to the participants."""
    values = {row.key: row.cells() for row in rows}
    small = {key: [v < SMALL_CELL for v in cells] for key, cells in values.items()}
    hidden = {key: list(flags) for key, flags in small.items()}
    changed = True
    while changed:
        changed = False
        for key, cells in values.items():
            changed |= _complement(cells, hidden[key], parts=[0, 1, 2], total=3)
        if total_row in values:
            for column in range(4):
                for group in partitions:
                    present = [k for k in group if k in values]
                    if not present:
                        continue
                    column_values = [values[k][column] for k in present] + [values[total_row][column]]
                    column_hidden = [hidden[k][column] for k in present] + [hidden[total_row][column]]
                    if _complement(column_values, column_hidden, parts=list(range(len(present))), total=len(present)):
                        for i, k in enumerate(present):
                            hidden[k][column] = column_hidden[i]
                        hidden[total_row][column] = column_hidden[-1]
                        changed = True
    return [
        [
            row.label,
            *[
                (SUPPRESSED if is_small else COMPLEMENT) if hide else value
                for value, hide, is_small in zip(row.cells(), hidden[row.key], small[row.key], strict=True)
            ],
        ]
        for row in rows
    ]


def _complement(values: list[int], hidden: list[bool], *, parts: list[int], total: int) -> bool:
    """If exactly one part is hidden and the total is not, hide the smallest other part."""
    if hidden[total]:
        return False
    hidden_parts = [i for i in parts if hidden[i]]
    if len(hidden_parts) != 1:
        return False
    shown = [i for i in parts if not hidden[i]]
    if not shown:
        return False
    smallest = min(shown, key=lambda i: (values[i], i))
    hidden[smallest] = True
    return True


# --- the report ------------------------------------------------------------------------


def _scope_rows(report: CohortReport) -> list[list[Any]]:
    scope = report.scope
    return [
        [_("Programme"), f"{scope.programme.code} {scope.programme.name}"],
        [_("Cohorts"), ", ".join(c.name for c in scope.cohorts)],
        [_("From"), scope.date_from.isoformat() if scope.date_from else ""],
        [_("To"), scope.date_to.isoformat() if scope.date_to else ""],
        [_("Computed on"), scope.today.isoformat()],
    ]


def write_report_xlsx(report: CohortReport, out: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    sheets = {"scope": _scope_rows(report), **rows_by_section(report)}
    titles = {"scope": _("Scope"), **SECTION_TITLES}
    for name, rows in sheets.items():
        # Sheet titles: at most 31 characters, none of []:*?/\ (Excel's rules).
        sheet = workbook.create_sheet(title=str(titles[name])[:31].translate(str.maketrans("", "", "[]:*?/\\")))
        for row in rows:
            sheet.append([xlsx_cell(v) for v in row])
    workbook.save(out)


def write_report_csv(report: CohortReport, out: IO[str]) -> None:
    writer, text = csv_writer(out)
    titles = {"scope": _("Scope"), **SECTION_TITLES}
    sections = {"scope": _scope_rows(report), **rows_by_section(report)}
    for name, rows in sections.items():
        writer.writerow([text(str(titles[name]))])
        for row in rows:
            writer.writerow([text(v) for v in row])
        writer.writerow([])


# --- the pseudonymised participant-level export ----------------------------------------

PARTICIPANT_COLUMNS = (
    "pseudonym",
    "cohort",
    "entry_month",
    "birth_year",
    "age_band",
    "gender",
    "labour_status",
    "isced",
    "third_country_national",
    "foreign_background",
    "homeless",
    "rural",
    "enrolment_status",
    "attendance_pct",
    "completed",
    "exit_job_searching",
    "exit_in_education",
    "exit_qualification",
    "exit_employed",
    "six_months_employed",
    "six_months_better_situation",
)
# What the export may read of entry data: the date of birth only to derive the year and
# band, never the violence flag, and no special category (GDPR art. 9: disability,
# minority) per person: those are counted only in the aggregate tables, small cells
# suppressed.
_ENTRY = (
    "gender",
    "labour_status",
    "isced",
    "third_country_national",
    "foreign_background",
    "homeless",
    "rural",
)


def participants_of(scope: Scope):
    """The scope's participants (``cohorts.selectors.cohort_members``)."""
    return cohort_members(scope.cohort_ids)


def pseudonymised_rows(scope: Scope, progress: Progress | None = None) -> Iterator[list[Any]]:
    """One row per participant of the scope, by pseudonym (the caller has made sure
    everyone has one). Queries: the completion rule (three or four for all the cohorts),
    results, people."""
    attendance: dict[tuple[int, int], Any] = {}
    for figures in attendance_by_cohort(scope.cohorts, at=scope.at).values():
        for figure in figures:
            attendance[(figure.person_id, figure.enrolment_id)] = figure
    results: dict[tuple[int, int], dict[str, bool]] = {}
    members = participants_of(scope)
    for result in ParticipantResult.objects.filter(
        person__in=members.values("person_id"), enrolment__cohort_membership__cohort__in=scope.cohort_ids
    ).values("person_id", "enrolment_id", "timing", *ResultColumns.FIELDS):
        row = results.setdefault((result["person_id"], result["enrolment_id"]), {})
        prefix = "exit" if result["timing"] == ResultTiming.AT_EXIT else "six_months"
        for column, source in ResultColumns.BY_TIMING[prefix]:
            row[column] = result[source]
    entry = "person__entry_data__"
    rows = (
        members.annotate(
            enrolment_id=F(f"{ENROLMENT}__id"),
            cohort_id=F(f"{ENROLMENT}__cohort_membership__cohort_id"),
            enrolment_status=F(f"{ENROLMENT}__status"),
            pseudonym=F("person__pseudonym__code"),
            entered_on=F(f"{entry}entered_on"),
            birth_year=F(f"{entry}birth_date__year"),
            age=age_at_entry(entry),
            **{name: F(f"{entry}{name}") for name in _ENTRY},
        )
        .values(
            "person_id",
            "enrolment_id",
            "cohort_id",
            "enrolment_status",
            "pseudonym",
            "entered_on",
            "birth_year",
            "age",
            *_ENTRY,
        )
        .order_by("pseudonym", "enrolment_id")
    )
    for index, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        figure = attendance.get((row["person_id"], row["enrolment_id"]))
        outcome = results.get((row["person_id"], row["enrolment_id"]), {})
        has_entry = row["entered_on"] is not None
        yield [
            row["pseudonym"],
            row["cohort_id"],
            row["entered_on"].strftime("%Y-%m") if has_entry else "",
            row["birth_year"] if has_entry else "",
            age_band_of(row["age"]).value if has_entry else "",
            *[_flag(row[name]) for name in _ENTRY],
            row["enrolment_status"],
            figure.percent if figure and figure.percent is not None else "",
            _flag(figure.completed) if figure and figure.percent is not None else "",
            *[_flag(outcome[column]) if column in outcome else "" for column in ResultColumns.ORDER],
        ]
        if progress and index % 500 == 0:
            progress(index)


class ResultColumns:
    FIELDS = ("job_searching", "in_education", "qualification_gained", "employed", "better_situation")
    BY_TIMING = {
        "exit": (
            ("exit_job_searching", "job_searching"),
            ("exit_in_education", "in_education"),
            ("exit_qualification", "qualification_gained"),
            ("exit_employed", "employed"),
        ),
        "six_months": (
            ("six_months_employed", "employed"),
            ("six_months_better_situation", "better_situation"),
        ),
    }
    ORDER = (
        "exit_job_searching",
        "exit_in_education",
        "exit_qualification",
        "exit_employed",
        "six_months_employed",
        "six_months_better_situation",
    )


def _flag(value: Any) -> Any:
    if value is True:
        return 1
    if value is False:
        return 0
    return "" if value is None else value


def aggregate_tables(report: CohortReport) -> dict[str, list[list[Any]]]:
    """The ESF+ indicator tables of the pseudonymised export, small cells suppressed."""
    header = [_("Indicator"), _("Female"), _("Male"), _("Non-binary"), _("Total")]
    note = [
        _("%(small)s: fewer than %(n)s people; %(other)s: hidden because it would reveal such a count.")
        % {"small": SUPPRESSED, "n": SMALL_CELL, "other": COMPLEMENT}
    ]
    return {
        "esf_output_indicators": [header, *suppress_indicators(report.output_indicators), note],
        "esf_result_indicators": [
            header,
            *suppress_indicators(report.result_indicators, partitions=(), total_row=""),
            note,
        ],
    }


def write_pseudonymised_csv(report: CohortReport, rows: Iterable[list[Any]], out: IO[str]) -> int:
    """Participant rows first, then the aggregate tables. Returns the participant rows."""
    writer, text = csv_writer(out)
    writer.writerow(PARTICIPANT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([text(v) for v in row])
        count += 1
    for name, table in aggregate_tables(report).items():
        writer.writerow([])
        writer.writerow([text(str(SECTION_TITLES[name]))])
        for line in table:
            writer.writerow([text(v) for v in line])
    return count


def write_pseudonymised_xlsx(report: CohortReport, rows: Iterable[list[Any]], out: IO[bytes]) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Participants"))[:31])
    sheet.append(list(PARTICIPANT_COLUMNS))
    count = 0
    for row in rows:
        sheet.append([xlsx_cell(v) for v in row])
        count += 1
    for name, table in aggregate_tables(report).items():
        aggregate = workbook.create_sheet(title=str(SECTION_TITLES[name])[:31])
        for line in table:
            aggregate.append([xlsx_cell(v) for v in line])
    workbook.save(out)
    return count


def people_in(scope: Scope):
    """The scope's participants as a Person queryset (for pseudonyms and the read log)."""
    return Person.objects.filter(pk__in=participants_of(scope).values("person_id"))
