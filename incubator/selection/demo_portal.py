"""Demo data, step 70 ("applicant portal"): two calls of the demo programme open now, each
with an online form (every kind of question), the call text as a document and FAQ; the
persona ``applicant`` (password ``demo`` where the profile allows demo passwords) with a
submitted application that has a pending integration request, and a draft with a
co-applicant invitation; a few other applicants' submissions for the office's list.
Everything through the real services."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incubator.demo_context import DEMO_PASSWORD, DemoContext
from incubator.models import ApplicantKind, Theme, User
from incubator.selection import applying, office, services
from incubator.selection.models import Call, CallFaq, CoApplicantInvitation, FormSection, Question, QuestionKind
from incubator.taxcode import make_tax_code

APPLICANT = "applicant"
OTHERS = ("demo-applicant-1", "demo-applicant-2", "demo-applicant-3")
# A one-page PDF (enough for the magic-bytes check and for a viewer).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
CRITERIA = [
    {"name": "Innovatività sociale", "weight": Decimal("2"), "max_score": Decimal("10")},
    {"name": "Sostenibilità", "weight": Decimal("1"), "max_score": Decimal("20")},
]
QUESTIONS = (
    # section, kind, Italian label, English label, extra
    (0, QuestionKind.LONG_TEXT, "Descrivi l'idea", "Describe the idea", {"max_chars": 2000}),
    (0, QuestionKind.SHORT_TEXT, "Nome e cognome del referente", "Contact person", {"identifying": True}),
    (
        0,
        QuestionKind.CHOICE,
        "Municipalità",
        "District",
        {
            "choices": "m1 | Municipalità 1 | District 1\n"
            "m4 | Municipalità 4 | District 4\n"
            "m6 | Municipalità 6 | District 6"
        },
    ),
    (
        0,
        QuestionKind.MULTIPLE,
        "Temi",
        "Themes",
        {"required": False, "choices": "\n".join(f"{v} | {v}" for v in Theme.values)},
    ),
    (1, QuestionKind.NUMBER, "Persone coinvolte", "People involved", {}),
    (1, QuestionKind.MONEY, "Cofinanziamento proprio (EUR)", "Own co-funding (EUR)", {"required": False}),
    (1, QuestionKind.DATE, "Data di avvio prevista", "Planned start", {}),
    (1, QuestionKind.YES_NO, "Esperienze precedenti nel sociale?", "Prior experience in the social sector?", {}),
    (
        2,
        QuestionKind.FILE,
        "Piano delle attività (PDF)",
        "Activity plan (PDF)",
        {"file_types": ["pdf"], "max_file_mb": 5},
    ),
)
SECTIONS = (("L'idea", "The idea"), ("Il progetto", "The project"), ("Allegati", "Attachments"))


def _user(username: str, first: str, last: str) -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@example.org", first_name=first, last_name=last
    )
    if getattr(settings, "DEMO_PASSWORDS_ALLOWED", False):
        user.set_password(DEMO_PASSWORD)
    else:
        user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def _open_call(ctx: DemoContext, title: str, reference: str, days_left: int) -> Call:
    coordinator = ctx.users["coordinator"]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    call = services.call_create(
        actor=coordinator,
        programme=ctx.programme,
        title=title,
        reference=reference,
        opens_at=now - dt.timedelta(days=10),
        closes_at=(now + dt.timedelta(days=days_left)).replace(hour=12),
        eligible_applicant_kinds=[ApplicantKind.INDIVIDUAL, ApplicantKind.ASSOCIATION, ApplicantKind.THIRD_SECTOR],
        themes=list(Theme.values),
        places=10,
        pass_threshold=Decimal("60"),
        criteria=CRITERIA,
        checklist=[{"question": "Domanda completa e firmata", "kind": "eligibility"}],
    )
    sections = [
        office.section_save(actor=coordinator, section=FormSection(call=call, title_it=it, title_en=en, order=n))
        for n, (it, en) in enumerate(SECTIONS)
    ]
    for order, (section, kind, label_it, label_en, extra) in enumerate(QUESTIONS):
        office.question_save(
            actor=coordinator,
            question=Question(
                section=sections[section], kind=kind, label_it=label_it, label_en=label_en, order=order, **extra
            ),
        )
    office.document_add(
        actor=coordinator, call=call, title="Testo dell'avviso", file=SimpleUploadedFile("avviso.pdf", PDF)
    )
    for n, (question, answer) in enumerate(
        (
            (
                "Chi può presentare la domanda?",
                "Persone singole, gruppi informali, associazioni ed enti del terzo settore.",
            ),
            (
                "Posso modificare la domanda dopo l'invio?",
                "No: puoi ritirarla prima della scadenza e presentarne una nuova.",
            ),
        )
    ):
        office.faq_save(actor=coordinator, faq=CallFaq(call=call, question=question, answer=answer, order=n))
    return call


def _answer_all(user: User, application, call: Call, text: str) -> None:
    questions = {q.kind: q for q in Question.objects.filter(section__call=call)}
    applying.answers_save(
        actor=user,
        application=application,
        values={
            f"q{questions[QuestionKind.LONG_TEXT].pk}": text,
            f"q{questions[QuestionKind.SHORT_TEXT].pk}": f"{user.first_name} {user.last_name}",
            f"q{questions[QuestionKind.CHOICE].pk}": "m4",
            f"q{questions[QuestionKind.MULTIPLE].pk}": [Theme.SOCIAL_COHESION],
            f"q{questions[QuestionKind.NUMBER].pk}": "12",
            f"q{questions[QuestionKind.DATE].pk}": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
            f"q{questions[QuestionKind.YES_NO].pk}": "yes",
        },
    )
    applying.answer_file_upload(
        actor=user,
        application=application,
        question=questions[QuestionKind.FILE],
        file=SimpleUploadedFile("piano-attivita.pdf", PDF),
    )
    applying.budget_item_add(
        actor=user, application=application, category="equipment", description="Attrezzature", amount=Decimal("18000")
    )
    applying.budget_item_add(
        actor=user, application=application, category="personnel", description="Animatori", amount=Decimal("22000")
    )


def build_portal(ctx: DemoContext) -> None:
    if ctx.programme is None:
        return
    main = _open_call(ctx, "Avviso INNESCO – seconda edizione", "INNESCO/2/01", days_left=30)
    labs = _open_call(ctx, "Avviso INNESCO – laboratori di comunità", "INNESCO/2/02", days_left=45)

    applicant = _user(APPLICANT, "Lucia", "Esposito")
    person = {
        "first_name": "Lucia",
        "last_name": "Esposito",
        "tax_code": make_tax_code("Esposito", "Lucia", dt.date(1990, 5, 12), "F", "F839"),
    }
    submitted = applying.draft_start(
        actor=applicant, call=main, title="Ciclofficina di quartiere", applicant_kind=ApplicantKind.INDIVIDUAL, **person
    )
    _answer_all(applicant, submitted, main, "Una ciclofficina popolare che insegna a riparare biciclette.")
    services.application_submit(actor=applicant, application=submitted)

    for n, username in enumerate(OTHERS):
        other = _user(username, f"Nome{n}", f"Cognome{n}")
        draft = applying.draft_start(
            actor=other,
            call=main,
            title=f"Idea di comunità {n + 1}",
            applicant_kind=ApplicantKind.ASSOCIATION,
            first_name=other.first_name,
            last_name=other.last_name,
            tax_code=make_tax_code(other.last_name, other.first_name, dt.date(1985, 1, 1 + n), "M", "F839"),
        )
        _answer_all(other, draft, main, "Attività di animazione sociale nel quartiere.")
        services.application_submit(actor=other, application=draft)

    office.integration_request(
        actor=ctx.users["coordinator"],
        application=submitted,
        items="Allegare il curriculum del referente e chiarire il cronoprogramma delle attività.",
        deadline=timezone.now() + dt.timedelta(days=10),
    )

    draft = applying.draft_start(
        actor=applicant, call=labs, title="Orto condiviso", applicant_kind=ApplicantKind.INDIVIDUAL
    )
    questions = {q.kind: q for q in Question.objects.filter(section__call=labs)}
    applying.answers_save(
        actor=applicant,
        application=draft,
        values={f"q{questions[QuestionKind.LONG_TEXT].pk}": "Un orto condiviso nel cortile della scuola."},
    )
    applying.invitation_create(actor=applicant, application=draft, email="co-applicant@example.org")


def reset_portal() -> None:
    """The persona ``applicant`` is not among the core's personas: remove it here (its
    invitations first, which protect it); its applications go with the demo programme."""
    CoApplicantInvitation.objects.filter(invited_by__username=APPLICANT).delete()
    User.objects.filter(username=APPLICANT).delete()


DEMO_STEPS = [(70, build_portal)]
DEMO_RESET = [reset_portal]
