"""The kinds of document, the placeholders each may use, and the default texts shipped in
code (Italian and English). A programme's coordinators may replace a default with their own
version (``DocumentTemplate``); the placeholders stay the documented ones below.

The template language is deliberately tiny: ``{{ name }}`` is replaced by the value of a
documented placeholder, HTML-escaped. There are no tags, filters, attribute lookups or
includes, so a template cannot run code or read anything but the values given to it.
The placeholders in ``RAW`` (tables, the QR code, the programme's logo) are HTML built by
the product from escaped values and are inserted as they are; the rule is this list, not
the name, and a template may still only use its kind's documented placeholders.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("Application receipt")
    ELIGIBILITY = "eligibility", _("Eligibility outcome letter")
    OUTCOME = "outcome", _("Admission / waiting list / rejection letter")
    RANKING = "ranking", _("Ranking act")
    GRANT_ACT = "grant_act", _("Grant concession act")
    SESSION_REGISTER = "session_register", _("Attendance register of a session")
    COHORT_REGISTER = "cohort_register", _("Attendance register of a cohort")
    TIMESHEET = "timesheet", _("Tutor's monthly timesheet")
    CERTIFICATE = "certificate", _("Certificate of attendance")


# ``programme_logo``: the programme's logo as an <img> (embedded, "" when it has none).
COMMON = ("programme_name", "programme_code", "programme_cup", "managing_body", "programme_logo")
APPLICATION = ("call_title", "venture_title", "protocol_number", "submitted_at")

PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    DocumentKind.RECEIPT: (*COMMON, *APPLICATION, "applicants_table", "content_sha256"),
    DocumentKind.ELIGIBILITY: (*COMMON, *APPLICATION, "outcome", "reason"),
    DocumentKind.OUTCOME: (*COMMON, *APPLICATION, "outcome", "rank", "score", "reason"),
    DocumentKind.RANKING: (*COMMON, "call_title", "ranking_table"),
    DocumentKind.GRANT_ACT: (
        *COMMON,
        "venture_title",
        "call_title",
        "protocol_number",
        "undertaking",
        "amount",
        "grant_cup",
        "cor",
        "decided_on",
        "period",
        "tranches_table",
        "obligations",
    ),
    DocumentKind.SESSION_REGISTER: (*COMMON, "cohort_name", "register_table"),
    DocumentKind.COHORT_REGISTER: (*COMMON, "cohort_name", "register_table", "totals_table"),
    DocumentKind.TIMESHEET: (*COMMON, "tutor_name", "month", "total_hours", "total_value", "timesheet_table"),
    DocumentKind.CERTIFICATE: (
        *COMMON,
        "holder_name",
        "course",
        "hours",
        "issued_on",
        "verification_code",
        "verification_url",
        "qr_table",
    ),
}

# Trusted HTML built by the product (``engine.fill`` does not escape them).
RAW = frozenset(
    {
        "programme_logo",
        "applicants_table",
        "ranking_table",
        "tranches_table",
        "register_table",
        "totals_table",
        "timesheet_table",
        "qr_table",
    }
)

_HEAD_IT = (
    "<header>{{ programme_logo }}<p class='prog'>{{ programme_name }} ({{ programme_code }})</p>"
    "<p>{{ managing_body }}</p></header>"
)
_HEAD_EN = _HEAD_IT

DEFAULTS: dict[tuple[str, str], str] = {
    (DocumentKind.RECEIPT, "it"): _HEAD_IT
    + "<h1>Ricevuta di presentazione della domanda</h1>"
    + "<p>Avviso: {{ call_title }}</p><p>Idea: {{ venture_title }}</p>"
    + "<p>Numero di protocollo: {{ protocol_number }}</p><p>Presentata il: {{ submitted_at }}</p>"
    + "{{ applicants_table }}"
    + "<p>Impronta SHA-256 del contenuto: <code>{{ content_sha256 }}</code></p>",
    (DocumentKind.RECEIPT, "en"): _HEAD_EN
    + "<h1>Receipt of submission</h1>"
    + "<p>Call: {{ call_title }}</p><p>Idea: {{ venture_title }}</p>"
    + "<p>Protocol number: {{ protocol_number }}</p><p>Submitted at: {{ submitted_at }}</p>"
    + "{{ applicants_table }}"
    + "<p>SHA-256 of the content: <code>{{ content_sha256 }}</code></p>",
    (DocumentKind.ELIGIBILITY, "it"): _HEAD_IT
    + "<h1>Esito della verifica di ammissibilità</h1>"
    + "<p>Avviso: {{ call_title }}</p><p>Domanda prot. n. {{ protocol_number }} del {{ submitted_at }}"
    + " ({{ venture_title }})</p><p>Esito: <strong>{{ outcome }}</strong></p><p>{{ reason }}</p>",
    (DocumentKind.ELIGIBILITY, "en"): _HEAD_EN
    + "<h1>Outcome of the eligibility check</h1>"
    + "<p>Call: {{ call_title }}</p><p>Application protocol no. {{ protocol_number }} of {{ submitted_at }}"
    + " ({{ venture_title }})</p><p>Outcome: <strong>{{ outcome }}</strong></p><p>{{ reason }}</p>",
    (DocumentKind.OUTCOME, "it"): _HEAD_IT
    + "<h1>Comunicazione dell'esito della selezione</h1>"
    + "<p>Avviso: {{ call_title }}</p><p>Domanda prot. n. {{ protocol_number }} ({{ venture_title }})</p>"
    + "<p>Esito: <strong>{{ outcome }}</strong></p><p>Posizione in graduatoria: {{ rank }}; punteggio: {{ score }}</p>"
    + "<p>{{ reason }}</p>",
    (DocumentKind.OUTCOME, "en"): _HEAD_EN
    + "<h1>Outcome of the selection</h1>"
    + "<p>Call: {{ call_title }}</p><p>Application protocol no. {{ protocol_number }} ({{ venture_title }})</p>"
    + "<p>Outcome: <strong>{{ outcome }}</strong></p><p>Rank: {{ rank }}; score: {{ score }}</p>"
    + "<p>{{ reason }}</p>",
    (DocumentKind.RANKING, "it"): _HEAD_IT
    + "<h1>Atto di approvazione della graduatoria</h1><p>Avviso: {{ call_title }}</p>{{ ranking_table }}",
    (DocumentKind.RANKING, "en"): _HEAD_EN
    + "<h1>Act approving the ranking</h1><p>Call: {{ call_title }}</p>{{ ranking_table }}",
    (DocumentKind.GRANT_ACT, "it"): _HEAD_IT
    + "<h1>Atto di concessione del contributo</h1>"
    + "<p>Beneficiario: {{ venture_title }} (impresa unica {{ undertaking }}), avviso {{ call_title }},"
    + " domanda prot. n. {{ protocol_number }}.</p>"
    + "<p>Contributo a fondo perduto concesso: <strong>{{ amount }} EUR</strong>, deciso il {{ decided_on }}.</p>"
    + "<p>CUP: {{ grant_cup }} &middot; COR (Registro nazionale aiuti): {{ cor }}</p>"
    + "<p>Periodo di ammissibilità delle spese: {{ period }}</p><h2>Tranche e condizioni</h2>{{ tranches_table }}"
    + "<h2>Obblighi del beneficiario</h2><p>{{ obligations }}</p>",
    (DocumentKind.GRANT_ACT, "en"): _HEAD_EN
    + "<h1>Grant concession act</h1>"
    + "<p>Beneficiary: {{ venture_title }} (single undertaking {{ undertaking }}), call {{ call_title }},"
    + " application protocol no. {{ protocol_number }}.</p>"
    + "<p>Non-repayable grant awarded: <strong>{{ amount }} EUR</strong>, decided on {{ decided_on }}.</p>"
    + "<p>CUP: {{ grant_cup }} &middot; COR (state-aid register code): {{ cor }}</p>"
    + "<p>Eligible expense period: {{ period }}</p><h2>Tranches and conditions</h2>{{ tranches_table }}"
    + "<h2>Obligations of the beneficiary</h2><p>{{ obligations }}</p>",
    (DocumentKind.SESSION_REGISTER, "it"): _HEAD_IT
    + "<h1>Registro presenze</h1><p>Percorso: {{ cohort_name }}</p>{{ register_table }}",
    (DocumentKind.SESSION_REGISTER, "en"): _HEAD_EN
    + "<h1>Attendance register</h1><p>Cohort: {{ cohort_name }}</p>{{ register_table }}",
    (DocumentKind.COHORT_REGISTER, "it"): _HEAD_IT
    + "<h1>Registro presenze del percorso {{ cohort_name }}</h1>{{ register_table }}"
    + "<h2>Totali per partecipante</h2>{{ totals_table }}",
    (DocumentKind.COHORT_REGISTER, "en"): _HEAD_EN
    + "<h1>Attendance register of the cohort {{ cohort_name }}</h1>{{ register_table }}"
    + "<h2>Totals per participant</h2>{{ totals_table }}",
    (DocumentKind.TIMESHEET, "it"): _HEAD_IT
    + "<h1>Timesheet mensile</h1><p>Tutor: {{ tutor_name }} &middot; Mese: {{ month }}</p>{{ timesheet_table }}"
    + "<p>Totale ore: {{ total_hours }} &middot; Valore al costo unitario: {{ total_value }} EUR</p>"
    + "<p>Firma del tutor ______________________ &nbsp; Visto del coordinatore ______________________</p>",
    (DocumentKind.TIMESHEET, "en"): _HEAD_EN
    + "<h1>Monthly timesheet</h1><p>Tutor: {{ tutor_name }} &middot; Month: {{ month }}</p>{{ timesheet_table }}"
    + "<p>Total hours: {{ total_hours }} &middot; Value at the unit cost: {{ total_value }} EUR</p>"
    + "<p>Tutor's signature ______________________ &nbsp; Coordinator's approval ______________________</p>",
    (DocumentKind.CERTIFICATE, "it"): _HEAD_IT
    + "<h1>Attestato di frequenza</h1><p>Si attesta che <strong>{{ holder_name }}</strong> ha frequentato il"
    + " percorso <strong>{{ course }}</strong> per {{ hours }} ore.</p><p>Rilasciato il {{ issued_on }}.</p>"
    + "<div class='verify'>{{ qr_table }}<p>Codice di verifica: {{ verification_code }}<br>"
    + "{{ verification_url }}</p></div>",
    (DocumentKind.CERTIFICATE, "en"): _HEAD_EN
    + "<h1>Certificate of attendance</h1><p>This certifies that <strong>{{ holder_name }}</strong> attended"
    + " the course <strong>{{ course }}</strong> for {{ hours }} hours.</p><p>Issued on {{ issued_on }}.</p>"
    + "<div class='verify'>{{ qr_table }}<p>Verification code: {{ verification_code }}<br>"
    + "{{ verification_url }}</p></div>",
}
