"""Italian tax code (codice fiscale) of a natural person, as the Agenzia delle Entrate
computes it (D.M. 23/12/1976). Used to build demo and test people whose codes pass
the same validation as real ones; validation itself is ``models.validate_tax_code``."""

import datetime as dt
import unicodedata

_MONTHS = "ABCDEHLMPRST"
_VOWELS = frozenset("AEIOU")
_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Values of a character in the odd (1st, 3rd, ...) positions; digits weigh as the
# letter of the same index (0 as A, 1 as B, ...).
_ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]


def _odd_value(char: str) -> int:
    return _ODD[int(char)] if char.isdigit() else _ODD[ord(char) - 65]


def _even_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - 65


def check_character(body: str) -> str:
    """The 16th character for the first 15 (positions counted from 1: odd, even, ...)."""
    body = body.upper()
    if len(body) != 15 or any(c not in _ALPHANUMERIC for c in body):
        raise ValueError(f"A tax code body is 15 letters or digits, not {body!r}.")
    total = sum(_odd_value(c) if i % 2 == 0 else _even_value(c) for i, c in enumerate(body))
    return chr(65 + total % 26)


def _letters(text: str) -> str:
    """Upper-case A-Z only: accents dropped (Niccolò -> NICCOLO), apostrophes and spaces removed."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.upper() if "A" <= c <= "Z")


def _split(text: str) -> tuple[str, str]:
    letters = _letters(text)
    consonants = "".join(c for c in letters if c not in _VOWELS)
    vowels = "".join(c for c in letters if c in _VOWELS)
    return consonants, vowels


def surname_code(surname: str) -> str:
    consonants, vowels = _split(surname)
    return (consonants + vowels + "XXX")[:3]


def name_code(name: str) -> str:
    """With four or more consonants the name takes the 1st, 3rd and 4th of them."""
    consonants, vowels = _split(name)
    if len(consonants) >= 4:
        return consonants[0] + consonants[2] + consonants[3]
    return (consonants + vowels + "XXX")[:3]


def make_tax_code(surname: str, name: str, birth_date: dt.date, sex: str, municipality: str) -> str:
    """``sex`` is "M" or "F" (women's day of birth is increased by 40); ``municipality``
    is the cadastral code of the place of birth (F839 Napoli) or Z + 3 digits for a
    foreign country (Z404 United States)."""
    sex = sex.upper()
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be 'M' or 'F', not {sex!r}.")
    municipality = municipality.upper()
    if len(municipality) != 4 or not municipality[0].isalpha() or not municipality[1:].isdigit():
        raise ValueError(f"A cadastral code is a letter and three digits, not {municipality!r}.")
    day = birth_date.day + (40 if sex == "F" else 0)
    body = (
        f"{surname_code(surname)}{name_code(name)}"
        f"{birth_date.year % 100:02d}{_MONTHS[birth_date.month - 1]}{day:02d}{municipality}"
    )
    return body + check_character(body)


def make_vat_number(rng) -> str:
    """A valid partita IVA: 7-digit serial, 3-digit office code (063, Naples), check digit
    computed as the Agenzia delle Entrate does (Luhn over the first ten digits)."""
    body = f"{rng.randint(1000000, 9999999):07d}063"
    total = 0
    for i, ch in enumerate(body):
        digit = int(ch) * (2 if i % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)
