"""The monitoring data a programme sends to the managing authority, in the shape of the
national unified monitoring protocol (Protocollo Unico di Colloquio, IGRUE): one CSV file
per structure, zipped. Columns are documented in docs/monitoring.md; figures come from
the one definition of each (``incubator.funding.budget`` for the measures,
``cohorts.reports.indicators`` for the ESF+ common indicators and their completeness
rule). Entry data leaves the database here, so every participant's read is logged.

Queries: one per structure (budget: one; indicators: two), whatever the number of rows."""

import csv
import io
import zipfile
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from cohorts.reports.indicators import _output_indicators
from incubator.funding.budget import COMMITTING, programme_budget
from incubator.funding.models import CallBudget, DeMinimisAid, Grant, Tranche, TrancheState
from incubator.imports.cells import neutralise
from incubator.models import Person, Programme
from incubator.participants.access import can_manage_participants
from incubator.participants.models import ReadChannel, age_at_entry, age_band_of
from incubator.participants.services import entry_data_log_reads

# The file name of each structure and its columns (docs/monitoring.md).
STRUCTURES: dict[str, tuple[str, ...]] = {
    "progetti": (
        "cod_locale_progetto",
        "cup",
        "titolo_progetto",
        "cod_programma",
        "cod_misura",
        "fondo",
        "azione",
        "cod_procedura",
        "beneficiario_cf_piva",
        "stato",
        "data_decisione",
        "data_inizio",
        "data_fine",
        "costo_ammesso",
    ),
    "procedure": (
        "cod_procedura",
        "descrizione",
        "cod_programma",
        "data_apertura",
        "data_chiusura",
        "cod_misura",
        "fondo",
        "importo",
    ),
    "impegni": ("cod_locale_progetto", "cup", "cod_misura", "fondo", "data_impegno", "importo_impegno", "causale"),
    "pagamenti": (
        "cod_locale_progetto",
        "cup",
        "cod_pagamento",
        "cod_misura",
        "fondo",
        "data_pagamento",
        "importo_pagamento",
        "tipologia",
    ),
    "piano_finanziario": (
        "cod_misura",
        "titolo",
        "fondo",
        "azione",
        "dotazione",
        "assegnato_procedure",
        "impegnato",
        "pagato",
        "disponibile",
    ),
    "indicatori_fse": ("cod_indicatore", "descrizione", "donne", "uomini", "non_binari", "totale"),
    "partecipanti": (
        "cod_locale_progetto",
        "cup",
        "cf_partecipante",
        "data_ingresso",
        "genere",
        "fascia_eta",
        "condizione_occupazionale",
        "isced",
        "dati_completi",
    ),
    "aiuti": (
        "cor",
        "cod_locale_progetto",
        "cup",
        "beneficiario_cf_piva",
        "data_concessione",
        "importo",
        "data_verifica_de_minimis",
        "aiuti_triennio_verifica",
        "margine_verifica",
        "covar",
        "data_revoca",
    ),
}
PAYMENT_KIND = {"advance": "anticipo", "interim": "SAL", "balance": "saldo"}
# A participant's data is complete with these (Annex I: gender, labour status, age, education).
REQUIRED_ENTRY = ("gender", "labour_status", "isced", "birth_date")


def _project(grant_id: int) -> str:
    return f"G{grant_id}"


def _live_grants(programme: Programme):
    return Grant.objects.filter(venture__programme=programme, state__in=(*COMMITTING, "revoked")).exclude(
        decided_on__isnull=True
    )


def projects(programme: Programme) -> Iterable[list[Any]]:
    rows = _live_grants(programme).values_list(
        "pk",
        "cup",
        "venture__title",
        "measure__code",
        "fund",
        "measure__action",
        "application__call_id",
        "undertaking",
        "state",
        "decided_on",
        "starts_on",
        "ends_on",
        "amount",
    )
    for pk, cup, title, measure, fund, action, call, undertaking, state, decided, start, end, amount in rows.order_by(
        "pk"
    ):
        yield [
            _project(pk),
            cup,
            title,
            programme.code,
            measure or "",
            fund,
            action or "",
            f"P{call}",
            undertaking,
            state,
            decided,
            start,
            end,
            amount,
        ]


def procedures(programme: Programme) -> Iterable[list[Any]]:
    """One row per call and measure it draws on (a multi-fund call has one row per fund)."""
    rows = (
        CallBudget.objects.filter(call__programme=programme)
        .order_by("call_id", "measure__code")
        .values_list("call_id", "call__title", "call__opens_at", "call__closes_at", "measure__code", "fund", "amount")
    )
    for call, title, opens, closes, measure, fund, amount in rows:
        yield [f"P{call}", title, programme.code, opens.date(), closes.date(), measure, fund, amount]


def commitments(programme: Programme) -> Iterable[list[Any]]:
    """The commitment of each grant on its award; a revoked grant commits only what was paid."""
    paid = dict(
        Tranche.objects.filter(grant__venture__programme=programme, state=TrancheState.PAID)
        .order_by()
        .values("grant")
        .annotate(total=Sum("amount"))
        .values_list("grant", "total")
    )
    rows = (
        _live_grants(programme)
        .order_by("pk")
        .values_list("pk", "cup", "measure__code", "fund", "decided_on", "amount", "state")
    )
    for pk, cup, measure, fund, decided, amount, state in rows:
        if state == "revoked":
            yield [_project(pk), cup, measure or "", fund, decided, paid.get(pk, 0), "revoca"]
        else:
            yield [_project(pk), cup, measure or "", fund, decided, amount, "concessione"]


def payments(programme: Programme) -> Iterable[list[Any]]:
    rows = (
        Tranche.objects.filter(grant__venture__programme=programme, state=TrancheState.PAID)
        .order_by("paid_on", "pk")
        .values_list("grant_id", "grant__cup", "pk", "grant__measure__code", "grant__fund", "paid_on", "amount", "kind")
    )
    for grant, cup, pk, measure, fund, paid_on, amount, kind in rows:
        yield [_project(grant), cup, f"T{pk}", measure or "", fund, paid_on, amount, PAYMENT_KIND[kind]]


def financial_plan(programme: Programme) -> Iterable[list[Any]]:
    for row in programme_budget(programme).measures:
        yield [
            row.code,
            row.title,
            row.fund,
            row.action,
            row.budget,
            row.allocated,
            row.committed,
            row.paid,
            row.available,
        ]


def participant_ids(programme: Programme):
    """The people in active policies: the team members of the programme's ventures that
    hold an accompaniment path or a grant that was decided."""
    return Person.objects.filter(
        Q(memberships__venture__applications__enrolment__isnull=False)
        | Q(memberships__venture__grants__decided_on__isnull=False),
        programme=programme,
    ).values("pk")


def indicators(programme: Programme) -> Iterable[list[Any]]:
    """The ESF+ common output indicators by gender (``cohorts.reports.indicators``: a
    participant without entry data counts only in the total of all participants)."""
    everyone, without, rows, _victims = _output_indicators(participant_ids(programme))
    for row in rows:
        yield [row.key, row.label, row.female, row.male, row.non_binary, row.total]
    yield ["all_participants", _("All participants (including those with missing data)"), "", "", "", everyone]
    yield ["missing_data", _("Participants with missing data (counted only in the total)"), "", "", "", without]


def participants(programme: Programme, reader) -> Iterable[list[Any]]:
    """One row per participant; the ESF+ entry data only for whoever may read it (the
    programme's coordinators, each read logged): a technical administrator who is not also
    a coordinator of the programme gets the rows with those columns empty, and no read."""
    entry = "entry_data__"
    may_read = can_manage_participants(reader, programme.pk)
    entry_fields = [f"{entry}{name}" for name in ("entered_on", "gender", "labour_status", "isced", "birth_date")]
    people = Person.objects.filter(pk__in=participant_ids(programme)).order_by("pk")
    if may_read:
        people = people.annotate(age=age_at_entry(entry))
    rows = list(
        people.values(
            "pk",
            "tax_code",
            "memberships__venture__grants__pk",
            "memberships__venture__grants__cup",
            "memberships__venture__grants__decided_on",
            *(entry_fields + ["age"] if may_read else []),
        )
    )
    if may_read:
        entry_data_log_reads(
            reader=reader,
            people=[(row["pk"], programme.pk) for row in rows],
            channel=ReadChannel.EXPORT,
            detail=f"monitoring {programme.code}",
        )
    for row in rows:
        complete = all(row.get(f"{entry}{name}") not in (None, "") for name in REQUIRED_ENTRY)
        decided = row["memberships__venture__grants__decided_on"] is not None
        grant = row["memberships__venture__grants__pk"] if decided else None
        yield [
            _project(grant) if grant else "",
            (row["memberships__venture__grants__cup"] or "") if decided else "",
            row["tax_code"],
            row.get(f"{entry}entered_on") or "",
            row.get(f"{entry}gender") or "",
            age_band_of(row["age"]).value if row.get("age") is not None else "",
            row.get(f"{entry}labour_status") or "",
            row.get(f"{entry}isced") or "",
            ("S" if complete else "N") if may_read else "",
        ]


def aid(programme: Programme) -> Iterable[list[Any]]:
    rows = (
        DeMinimisAid.objects.filter(programme=programme, source=DeMinimisAid.Source.OURS)
        .select_related("grant", "check_record")
        .prefetch_related("variations")
        .order_by("granted_on", "pk")
    )
    for row in rows:
        check = row.check_record
        yield [
            row.cor,
            _project(row.grant_id),
            row.grant.cup,
            row.undertaking,
            row.granted_on,
            row.amount,
            check.checked_at.date() if check else "",
            check.total if check else "",
            check.headroom if check else "",
            " ".join(v.covar for v in row.variations.all()),
            row.withdrawn_on or "",
        ]


def structures(programme: Programme, reader) -> dict[str, Iterable[list[Any]]]:
    return {
        "progetti": projects(programme),
        "procedure": procedures(programme),
        "impegni": commitments(programme),
        "pagamenti": payments(programme),
        "piano_finanziario": financial_plan(programme),
        "indicatori_fse": indicators(programme),
        "partecipanti": participants(programme, reader),
        "aiuti": aid(programme),
    }


def _cell(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(value) if isinstance(value, str) else value


def write_csv(name: str, rows: Iterable[list[Any]], out) -> None:
    writer = csv.writer(out, delimiter=";")
    writer.writerow(STRUCTURES[name])
    for row in rows:
        writer.writerow([_cell(v) for v in row])


def monitoring_zip(programme: Programme, reader) -> bytes:
    """Every structure as ``<programme code>_<structure>.csv`` (UTF-8, ``;``) in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in structures(programme, reader).items():
            text = io.StringIO()
            write_csv(name, rows, text)
            archive.writestr(f"{programme.code}_{name}.csv", text.getvalue())
    return buffer.getvalue()
