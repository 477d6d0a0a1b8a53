"""The exports: the report as XLSX (a sheet per section) and CSV, the pseudonymised
participant-level export (no name, tax code, contact, date of birth or violence flag;
pseudonyms kept apart; every read logged) and its small-cell suppression, and formula
neutralisation in every file."""

import csv
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from cohorts.reports import exports, services
from cohorts.reports.figures import IndicatorRow, cohort_report, report_scope
from incubator.models import Person
from incubator.participants.models import Pseudonym, SensitiveDataRead
from tests.reports import dataset

pytestmark = pytest.mark.django_db

KINDS = ("report_xlsx", "report_csv", "pseudonymised_xlsx", "pseudonymised_csv")


@pytest.fixture
def data(world, other):
    return dataset.build(world)


def build(world, data, kind):
    export = services.report_export_request(
        actor=world.coordinator, programme=world.programme, cohort=data.cohort, kind=kind, language="en"
    )
    assert export.status == "done", export.error
    with export.file.open("rb") as handle:
        return export, handle.read()


def cells(kind: str, content: bytes) -> list[list[str]]:
    """Every cell of the file as text, sheet after sheet."""
    if kind.endswith("csv"):
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [
        ["" if v is None else str(v) for v in row]
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]


def test_report_xlsx_has_a_sheet_per_section(world, data):
    _export, content = build(world, data, "report_xlsx")
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames == [
        "Scope",
        "Selection funnel",
        "Training",
        "Attendance distribution",
        "Tutoring by venture",
        "Tutoring by tutor",
        "Hours per month",
        "Milestones",
        "Funding",
        "Venture outcomes",
        "ESF+ output indicators",
        "ESF+ result indicators",
        "Unit costs",
    ]
    funnel = {row[0]: row[1] for row in workbook["Selection funnel"].iter_rows(min_row=2, values_only=True)}
    assert (funnel["Applications"], funnel["Enrolled"], funnel["Paths completed (closed)"]) == (7, 3, 1)
    indicators = {row[0]: row[1:] for row in workbook["ESF+ output indicators"].iter_rows(min_row=2, values_only=True)}
    assert indicators["Number of participants"] == (2, 1, 1, 4)
    costs = list(workbook["Unit costs"].iter_rows(values_only=True))
    assert costs[-1][-1] == pytest.approx(1085.25)


def test_report_csv_lists_the_sections(world, data):
    _export, content = build(world, data, "report_csv")
    rows = cells("report_csv", content)
    titles = [row[0] for row, previous in zip(rows[1:], rows, strict=False) if previous == [] and row]
    assert titles[:3] == ["Selection funnel", "Training", "Attendance distribution"]
    assert ["Applications", "7"] in rows
    assert ["Participant-hours", "20.50"] in rows


@pytest.mark.parametrize("kind", KINDS)
def test_no_participant_name_tax_code_or_contact_in_any_export(world, data, kind):
    _export, content = build(world, data, kind)
    text = "\n".join(",".join(row) for row in cells(kind, content))
    people = Person.objects.filter(programme=world.programme)
    assert people.count() >= 6
    for person in people:
        for value in (person.first_name, person.last_name, person.tax_code, person.email):
            assert value and value not in text, (kind, value)
    for date in ("1990-06-15", "2008-03-10", "1996-01-01", "1970-01-02"):
        assert date not in text
    assert "violence" not in text.lower() and "victim" not in text.lower()


def test_pseudonymised_rows(world, data):
    export, content = build(world, data, "pseudonymised_csv")
    rows = cells("pseudonymised_csv", content)
    header = rows[0]
    assert header == list(exports.PARTICIPANT_COLUMNS)
    participants = [dict(zip(header, row, strict=True)) for row in rows[1:6]]
    codes = dict(Pseudonym.objects.values_list("code", "person_id"))
    assert {row["pseudonym"] for row in participants} == {
        code
        for code, person in codes.items()
        if person in {p.pk for p in data.people.values()} - {data.people["P9"].pk}
    }
    by_person = {codes[row["pseudonym"]]: row for row in participants}
    p1 = by_person[data.people["P1"].pk]
    assert (p1["birth_year"], p1["age_band"], p1["gender"], p1["labour_status"]) == (
        "1990",
        "30_54",
        "female",
        "long_term_unemployed",
    )
    assert (p1["exit_employed"], p1["exit_qualification"], p1["six_months_employed"]) == ("1", "1", "")
    p5 = by_person[data.people["P5"].pk]
    assert (p5["gender"], p5["birth_year"], p5["attendance_pct"]) == ("", "", "")
    # Every participant with entry data was logged as read through this export.
    reads = SensitiveDataRead.objects.filter(channel="export", reader=world.coordinator)
    assert sorted(reads.values_list("person_id", flat=True)) == sorted(
        data.people[k].pk for k in ("P1", "P2", "P3", "P4")
    )
    assert all(f"#{export.pk}" in detail for detail in reads.values_list("detail", flat=True))


def test_pseudonymised_aggregates_suppress_small_cells(world, data):
    _export, content = build(world, data, "pseudonymised_xlsx")
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames == ["Participants", "ESF+ output indicators", "ESF+ result indicators"]
    for name in workbook.sheetnames[1:]:
        rows = list(workbook[name].iter_rows(min_row=2, values_only=True))
        # Four participants: every count is under 5 and hidden; a note closes the table.
        for line in rows[:-1]:
            assert line[1:] == ("<5", "<5", "<5", "<5"), line
        assert rows[-1][0].startswith("<5: fewer than 5 people")


def row(key, female, male, non_binary):
    return IndicatorRow(key, key, female, male, non_binary, female + male + non_binary)


def test_suppression_hides_small_cells_and_their_complements():
    table = exports.suppress_indicators(
        [
            row("participants", 20, 12, 3),
            row("unemployed", 10, 6, 1),
            row("inactive", 6, 6, 1),
            row("employed", 4, 0, 1),
            row("rural", 8, 9, 0),
        ]
    )
    # Under 5 (0 included): "<5". Then, in each row, a lone hidden gender would be the
    # total minus the others: the smallest other gender is hidden too ("*"). "employed"
    # keeps its total of 5 since all three genders are hidden. In the columns, the labour
    # statuses add up to the participants: each column already has two hidden or none.
    assert {line[0]: line[1:] for line in table} == {
        "participants": [20, "*", "<5", 35],
        "unemployed": [10, "*", "<5", 17],
        "inactive": ["*", 6, "<5", 13],
        "employed": ["<5", "<5", "<5", 5],
        "rural": ["*", 9, "<5", 17],
    }


def test_suppression_follows_the_partitions_of_the_participants():
    table = exports.suppress_indicators(
        [
            row("participants", 30, 30, 10),
            row("under_18", 5, 5, 5),
            row("age_18_29", 10, 10, 5),
            row("age_30_54", 12, 11, 0),
            row("age_55_plus", 3, 4, 0),
        ]
    )
    shown = {line[0]: line[1:] for line in table}
    # The 55+ row hides 3 and 4 (and its total 7 stays: two genders hidden plus the
    # non-binary 0). Column "female": only 55+ hidden among the bands while the
    # participants' 30 is shown -> the smallest other band (under 18: 5) is hidden too.
    assert shown["age_55_plus"] == ["<5", "<5", "<5", 7]
    assert shown["under_18"][0] == "*"
    for key, cells_ in shown.items():
        hidden = [i for i in range(3) if cells_[i] in ("<5", "*")]
        assert len(hidden) != 1 or cells_[3] in ("<5", "*"), (key, cells_)
    for column in range(4):
        bands = [shown[k][column] for k in ("under_18", "age_18_29", "age_30_54", "age_55_plus")]
        hidden = [v for v in bands if v in ("<5", "*")]
        assert len(hidden) != 1 or shown["participants"][column] in ("<5", "*"), (column, bands)
    assert all(v in ("<5", "*") or v >= 5 for cells_ in shown.values() for v in cells_)


def test_formulas_are_neutralised(world, data):
    venture = data.ventures["V2"]
    venture.title = '=HYPERLINK("http://evil.example","x")'
    venture.save()
    for kind in ("report_csv", "report_xlsx"):
        _export, content = build(world, data, kind)
        values = [v for line in cells(kind, content) for v in line]
        assert "'" + venture.title in values
        assert venture.title not in values


def test_csv_speaks_the_language_of_the_request(world, data):
    export = services.report_export_request(
        actor=world.coordinator, programme=world.programme, cohort=data.cohort, kind="report_csv", language="it"
    )
    with export.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    # Italian offices: semicolons and decimal commas.
    assert any(row[1:] == ["20,50"] for row in rows if len(row) == 2)


def test_control_characters_do_not_break_the_xlsx(world, data):
    venture = data.ventures["V2"]
    venture.title = "Bell\x07 and tab\x01"
    venture.save()
    _export, content = build(world, data, "report_xlsx")
    values = [v for line in cells("report_xlsx", content) for v in line]
    assert "Bell and tab" in values


def test_report_rows_match_the_selector(world, data):
    report = cohort_report(report_scope(programme=world.programme, cohort=data.cohort, now=dataset.NOW))
    with translation.override("en"):
        tables = exports.aggregate_tables(report)
    assert tables["esf_output_indicators"][0] == ["Indicator", "Female", "Male", "Non-binary", "Total"]
