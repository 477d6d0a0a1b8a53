"""The shared import machinery: dialect detection, Italian cells, safe export cells."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import tablib
from openpyxl import load_workbook

from incubator.imports.cells import (
    cell_text,
    neutralise,
    parse_bool,
    parse_choice,
    parse_choice_list,
    parse_date,
    parse_datetime,
    parse_decimal,
)
from incubator.imports.engine import RowError
from incubator.imports.files import UnreadableFile, decode, read_csv, sniff_delimiter
from incubator.imports.formats import CSV, XLSX, ItalianCSV
from incubator.models import Theme

ROME = ZoneInfo("Europe/Rome")


def test_decode_tries_utf8_then_windows_1252():
    assert decode("\ufeffNiccolò".encode()) == "Niccolò"
    assert decode("Niccolò;Gaetà".encode("cp1252")) == "Niccolò;Gaetà"
    with pytest.raises(UnreadableFile):
        decode(b"\x81\x8d\x8f")  # neither valid UTF-8 nor defined in Windows-1252


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a;b;c\n1,5;2;3", ";"),
        ("a,b,c\n1;2,3", ","),
        ("a\tb\n1\t2", "\t"),
        ("\n\na|b\n1|2", "|"),
        ("only\n1", ","),
    ],
)
def test_sniff_delimiter_reads_the_header_line(text, delimiter):
    assert sniff_delimiter(text) == delimiter


def test_read_csv_drops_blank_lines_and_pads_short_rows():
    data = '\ufeffnome;cognome;note\r\nMario;Rossi\r\n;;\r\n\r\n"Anna; Maria";Bianchi;x\r\n'.encode()
    dataset = read_csv(data)
    assert dataset.headers == ["nome", "cognome", "note"]
    assert list(dataset) == [("Mario", "Rossi", None), ("Anna; Maria", "Bianchi", "x")]


def test_read_csv_without_header_is_unreadable():
    with pytest.raises(UnreadableFile):
        read_csv(b"\r\n\r\n")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12,5", Decimal("12.5")),
        ("1.234,56", Decimal("1234.56")),
        ("1.234.567", Decimal("1234567")),
        ("12.5", Decimal("12.5")),
        ("1,234.56", Decimal("1234.56")),
        ("1.234", Decimal("1.234")),
        ("-3,75", Decimal("-3.75")),
        ("€ 25.000,00", Decimal("25000.00")),
        ("1 234,5", Decimal("1234.5")),
        (7, Decimal(7)),
        (0.1, Decimal("0.1")),
        (Decimal("2.50"), Decimal("2.50")),
        ("", None),
        (None, None),
    ],
)
def test_parse_decimal(value, expected):
    assert parse_decimal(value) == expected


@pytest.mark.parametrize("value", ["abc", "1,2,3", "1.23,4", "NaN", "Infinity", True])
def test_parse_decimal_refuses(value):
    with pytest.raises(ValueError):
        parse_decimal(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/01/2026", dt.date(2026, 1, 31)),
        ("1/2/2026", dt.date(2026, 2, 1)),
        ("31-01-2026", dt.date(2026, 1, 31)),
        ("31.01.2026", dt.date(2026, 1, 31)),
        ("2026-01-31", dt.date(2026, 1, 31)),
        (dt.datetime(2026, 1, 31, 0, 0), dt.date(2026, 1, 31)),
        (dt.date(2026, 1, 31), dt.date(2026, 1, 31)),
        ("  ", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31/02/2026", "01/31/2026", "31/01/26", "ieri"])
def test_parse_date_refuses(value):
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/01/2026 09:30", dt.datetime(2026, 1, 31, 9, 30, tzinfo=ROME)),
        ("31/07/2026 09:30:15", dt.datetime(2026, 7, 31, 9, 30, 15, tzinfo=ROME)),
        ("2026-01-31T09:30:00+00:00", dt.datetime(2026, 1, 31, 10, 30, tzinfo=ROME)),
        ("31/01/2026", dt.datetime(2026, 1, 31, 0, 0, tzinfo=ROME)),
        (dt.datetime(2026, 1, 31, 9, 30), dt.datetime(2026, 1, 31, 9, 30, tzinfo=ROME)),
    ],
)
def test_parse_datetime_is_italian_time(value, expected):
    parsed = parse_datetime(value)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("sì", True), ("SI", True), ("x", True), ("1", True), (1, True), ("no", False), ("0", False), ("", None)],
)
def test_parse_bool(value, expected):
    assert parse_bool(value) is expected


def test_parse_bool_refuses_other_words():
    with pytest.raises(ValueError):
        parse_bool("forse")


def test_parse_choice_by_code_or_label():
    assert parse_choice("heritage", Theme) == "heritage"
    assert parse_choice(" Social cohesion ", Theme) == "social_cohesion"
    assert parse_choice_list("heritage; social_cohesion, heritage", Theme) == ["heritage", "social_cohesion"]
    with pytest.raises(ValueError, match="not one of"):
        parse_choice("sport", Theme)


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r", "\0"])
def test_neutralise_prefixes_formula_triggers(trigger):
    assert neutralise(f"{trigger}SUM(A1:A9)") == f"'{trigger}SUM(A1:A9)"


def test_neutralise_leaves_other_values():
    assert neutralise("Rossi") == "Rossi"
    assert neutralise("") == ""
    assert neutralise(Decimal("-5")) == Decimal("-5")


def test_cell_text_writes_iso_or_italian_forms():
    moment = dt.datetime(2026, 1, 31, 8, 30, tzinfo=dt.UTC)
    assert cell_text(moment) == "2026-01-31 09:30:00"
    assert cell_text(moment, italian=True) == "31/01/2026 09:30:00"
    assert cell_text(dt.date(2026, 1, 31), italian=True) == "31/01/2026"
    assert cell_text(Decimal("1234.50"), italian=True) == "1234,50"
    assert cell_text(Decimal("1E+2")) == "100"
    assert cell_text(True, italian=True) == "sì"
    assert cell_text(None) == ""
    assert cell_text("=1+1") == "'=1+1"


def _dataset():
    return tablib.Dataset(
        ('=HYPERLINK("http://evil")', Decimal("26.500"), dt.date(2026, 3, 1), None),
        ("Niccolò", Decimal("-1.5"), None, True),
        headers=["name", "score", "day", "flag"],
    )


def test_italian_csv_export():
    data = ItalianCSV().export_data(_dataset())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["name", "score", "day", "flag"],
        ['\'=HYPERLINK("http://evil")', "26,500", "01/03/2026", ""],
        ["Niccolò", "-1,5", "", "sì"],
    ]


def test_csv_export_reads_back_with_the_same_values():
    data = CSV().export_data(_dataset())
    assert not data.startswith(b"\xef\xbb\xbf")
    back = CSV().create_dataset(data)
    assert back[1] == ("Niccolò", "-1.5", "", "true")


def test_xlsx_export_keeps_numbers_and_neutralises_text():
    sheet = load_workbook(io.BytesIO(XLSX().export_data(_dataset()))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("name", "score", "day", "flag")
    assert rows[1][0] == '\'=HYPERLINK("http://evil")'
    assert sheet["A2"].data_type == "s"
    assert rows[1][1] == pytest.approx(26.5)
    assert rows[1][2] == dt.datetime(2026, 3, 1)


def test_row_error_reads_as_a_sentence():
    assert str(RowError(3, "tax_code", "Enter a valid tax code.")) == "Row 3, tax_code: Enter a valid tax code."
    assert str(RowError(4, "", "Nope.")) == "Row 4: Nope."
