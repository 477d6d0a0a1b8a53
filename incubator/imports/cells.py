"""Reading and writing one cell: Italian and English numbers, dates, yes/no words and
choices as people type them in spreadsheets; formula neutralisation on export."""

import datetime as dt
import logging
import re
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext

logger = logging.getLogger(__name__)


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


_PLAIN = re.compile(r"[+-]?\d+(\.\d+)?")


_COMMA = re.compile(r"[+-]?\d+(,\d+)?")


_ITALIAN_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")


_ENGLISH_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_decimal(value) -> Decimal | None:
    """``12,5`` and ``1.234,56`` (Italian), ``12.5`` and ``1,234.56``; a lone dot is a
    decimal point (``1.234`` is 1.234, as XLSX and our own CSV write it)."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError(gettext("Enter a number."))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest form that reads back as the same float
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
        if _PLAIN.fullmatch(text):
            pass
        elif _COMMA.fullmatch(text):
            text = text.replace(",", ".")
        elif _ITALIAN_GROUPED.fullmatch(text):
            text = text.replace(".", "").replace(",", ".")
        elif _ENGLISH_GROUPED.fullmatch(text):
            text = text.replace(",", "")
        else:
            raise ValueError(gettext("“%(value)s” is not a number (e.g. 1234,56).") % {"value": value})
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(gettext("“%(value)s” is not a number (e.g. 1234,56).") % {"value": value}) from None
    if not number.is_finite():
        raise ValueError(gettext("Enter a number."))
    return number


DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


DATETIME_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)


def parse_date(value) -> dt.date | None:
    """``31/01/2026`` (also with - or .) or ``2026-01-31``; an XLSX date cell as it is."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(gettext("“%(value)s” is not a date: write it as dd/mm/yyyy.") % {"value": value})


def parse_datetime(value) -> dt.datetime | None:
    """``31/01/2026 09:30`` or ISO; a time without zone is Italian time (Europe/Rome);
    a date alone is its midnight."""
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = str(value).strip()
        moment = None
        for fmt in DATETIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                try:
                    moment = dt.datetime.combine(parse_date(text), dt.time())
                except ValueError:
                    raise ValueError(
                        gettext("“%(value)s” is not a date and time: write it as dd/mm/yyyy hh:mm.") % {"value": value}
                    ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


TRUE_WORDS = frozenset({"1", "true", "yes", "y", "sì", "si", "s", "x", "vero", "t"})


FALSE_WORDS = frozenset({"0", "false", "no", "n", "falso", "f"})


def parse_bool(value) -> bool | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = str(value).strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(gettext("“%(value)s” is not yes or no (sì/no).") % {"value": value})


def parse_choice(value, choices: type[models.TextChoices]) -> str | None:
    """A choice by its code or by its label in the current language (case ignored)."""
    if _blank(value):
        return None
    wanted = str(value).strip().casefold()
    for code in choices.values:  # codes first: no label to translate for most cells
        if wanted == str(code).casefold():
            return code
    for code, label in choices.choices:
        if wanted in (str(code).casefold(), str(label).casefold()):
            return code
    raise ValueError(
        gettext("“%(value)s” is not one of: %(choices)s.")
        % {"value": value, "choices": ", ".join(str(c) for c in choices.values)}
    )


def parse_choice_list(value, choices: type[models.TextChoices]) -> list[str]:
    """Several choices in one cell, separated by commas, semicolons or bars."""
    if _blank(value):
        return []
    found: list[str] = []
    for part in re.split(r"[,;|]", str(value)):
        if part.strip():
            code = parse_choice(part, choices)
            if code not in found:
                found.append(code)
    return found


def neutralise(value):
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restore(value):
    """The inverse of ``neutralise``, on import: the apostrophe our export put before a
    text that a spreadsheet would run as a formula goes, so that an unchanged file
    imports as "no changes" (``'+39 081...`` is read back as ``+39 081...``). A text
    starting with an apostrophe and anything else is left as it is."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def cell_text(value, *, italian: bool = False) -> str:
    """A native value as CSV text: ISO forms, or the Italian ones (31/01/2026, 12,50, sì)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        if italian:
            return "sì" if value else "no"
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float):
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
        return text.replace(".", ",") if italian else text
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%d/%m/%Y %H:%M:%S" if italian else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y") if italian else value.isoformat()
    return neutralise(str(value))
