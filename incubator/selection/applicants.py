"""Who applies, as frozen in the submission snapshot and shown from it: the applying
organisation (kind, name, tax code and the registry facts of its kind) and the partners
of a partnership with role, budget share and activities. The snapshot's entries are the
source of the receipt (page, text, PDF) and of the office's page, so what is shown is
what the SHA-256 covers."""

from typing import Any

from django.utils.translation import gettext as _

from incubator.organisations.models import CompanySize, Organisation, OrganisationKind
from incubator.selection.models import Application, ApplicationPartner, PartnerRole

# The registry facts each kind of organisation is identified by (shown when set, too).
KIND_FACTS = {
    OrganisationKind.MUNICIPALITY: ("istat_code", "population"),
    OrganisationKind.THIRD_SECTOR: ("runts_number",),
    OrganisationKind.COMPANY: ("company_size",),
}
FACTS = ("istat_code", "population", "runts_number", "company_size")


def organisation_entry(organisation: Organisation) -> dict[str, Any]:
    """Kind, name, tax code and the facts of its kind (a municipality's ISTAT code and
    population, a third-sector body's RUNTS number, a company's size class), plus any of
    those set on another kind."""
    entry: dict[str, Any] = {
        "id": organisation.pk,
        "kind": organisation.kind,
        "name": organisation.name,
        "tax_code": organisation.tax_code,
    }
    relevant = KIND_FACTS.get(organisation.kind, ())
    for name in FACTS:
        value = getattr(organisation, name)
        if name in relevant or value not in ("", None):
            entry[name] = value
    return entry


def applicants_content(application: Application) -> dict[str, Any]:
    """The snapshot's ``organisation`` (None: the venture's people apply) and
    ``partners`` (lead first, each with role, budget share and activities)."""
    organisation = Organisation.objects.filter(pk=application.organisation_id).first()
    partners = ApplicationPartner.objects.filter(application=application).select_related("organisation")
    return {
        "organisation": organisation_entry(organisation) if organisation else None,
        "partners": [
            {
                "organisation": organisation_entry(p.organisation),
                "role": p.role,
                "budget_share": str(p.budget_share),
                "activity": p.activity,
            }
            for p in partners.order_by("role", "id")
        ],
    }


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


def facts_text(entry: dict[str, Any]) -> str:
    """“ISTAT code 072006 · 55,000 residents”, in the reader's language."""
    parts = []
    if entry.get("istat_code"):
        parts.append(_("ISTAT code %(code)s") % {"code": entry["istat_code"]})
    if entry.get("population") is not None and "population" in entry:
        parts.append(_("%(n)s residents") % {"n": entry["population"]})
    if entry.get("runts_number"):
        parts.append(_("RUNTS no. %(number)s") % {"number": entry["runts_number"]})
    if entry.get("company_size"):
        parts.append(_label(CompanySize, entry["company_size"]))
    return " · ".join(parts)


def shown(entry: dict[str, Any]) -> dict[str, Any]:
    """An organisation entry with its labels, for pages and documents."""
    return {**entry, "kind_label": _label(OrganisationKind, entry.get("kind")), "facts": facts_text(entry)}


def applicant_rows(content: dict[str, Any] | None) -> dict[str, Any]:
    """What pages and documents show of a snapshot's (or a draft's) applicants:
    ``organisation`` (labelled, or None) and ``partners`` (labelled rows)."""
    content = content or {}
    organisation = content.get("organisation")
    return {
        "organisation": shown(organisation) if organisation else None,
        "partners": [
            {
                **shown(p["organisation"]),
                "role": p["role"],
                "role_label": _label(PartnerRole, p["role"]),
                "budget_share": p["budget_share"],
                "activity": p.get("activity", ""),
            }
            for p in content.get("partners", [])
        ],
    }
