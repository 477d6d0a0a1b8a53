"""Organisations for tests: valid VAT numbers and one organisation of each kind."""

import itertools

from incubator.organisations.models import Organisation

_VAT = itertools.count(1000001)


def vat(n: int | None = None) -> str:
    """A valid Italian VAT number (partita IVA with its check digit), distinct for each n."""
    body = f"{next(_VAT) if n is None else n:010d}"
    total = 0
    for i, ch in enumerate(body):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return body + str((10 - total % 10) % 10)


def organisation(programme, kind="municipality", **fields) -> Organisation:
    defaults = {
        "municipality": {"istat_code": "072006", "population": 92000},
        "third_sector": {"runts_number": "RUNTS-12345"},
        "company": {"company_size": "medium"},
    }.get(kind, {})
    values = {"name": f"{kind} {next(_VAT)}", "tax_code": vat(), **defaults, **fields}
    return Organisation.objects.create(programme=programme, kind=kind, **values)
