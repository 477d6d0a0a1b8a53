"""A tutor's monthly timesheet as a spreadsheet (CSV for Italian Excel, XLSX). The
formats of ``incubator.imports`` write the cells, so every text cell that a
spreadsheet would run as a formula (= + - @ tab CR NUL) is neutralised."""

import tablib
from django.utils.translation import gettext as _

from incubator.imports.formats import XLSX, ItalianCSV
from mentoring.selectors import Timesheet

FORMATS = {"csv": ItalianCSV, "xlsx": XLSX}


def timesheet_dataset(sheet: Timesheet) -> tablib.Dataset:
    """One row per venture and activity, then the total; tutor and month on every row so
    that files from several tutors can be pasted together."""
    month = f"{sheet.year:04d}-{sheet.month:02d}"
    tutor = sheet.tutor.display_name
    programme = sheet.tutor.programme.code
    data = tablib.Dataset(
        headers=[
            _("Programme"),
            _("Tutor"),
            _("Month"),
            _("Venture"),
            _("Activity"),
            _("Minutes"),
            _("Hours"),
            _("Value (EUR)"),
        ]
    )
    for row in sheet.rows:
        data.append([programme, tutor, month, row.venture, row.activity_label, row.minutes, row.hours, row.value])
    data.append([programme, tutor, month, _("Total"), "", sheet.total_minutes, sheet.total_hours, sheet.total_value])
    return data


def timesheet_file(sheet: Timesheet, fmt: str) -> tuple[bytes, str, str]:
    """(body, content type, file name)."""
    file_format = FORMATS[fmt]()
    body = file_format.export_data(timesheet_dataset(sheet))
    name = f"timesheet-{sheet.tutor.user.get_username()}-{sheet.year:04d}-{sheet.month:02d}.{fmt}"
    return body, file_format.get_content_type(), name
