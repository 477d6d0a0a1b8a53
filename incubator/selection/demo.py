"""Demo data, step 10 ("selection"): an INNESCO-like programme of the Comune di Napoli
(action 3.3.1, FESR, Municipalità 1, 4 and 6) with a logo drawn in code (on its documents'
header), its personas, and one call taken from
the opening to the ranking through the real services: about forty applications across
the five themes, an eligibility and prefeasibility check, two evaluators per
application (one declared conflict), the ranking with a tie settled by the earlier
submission, twelve admissions, a waiting list and rejections referred to crowdfunding
tutoring.

The quality of each idea is drawn with ``ctx.rng`` inside two bands that the noise of
the evaluators' scores cannot cross, so every seed gives about twelve admissions, a
waiting list and rejections, and the persona ``participant`` is always admitted while
``participant2`` is always rejected and referred to crowdfunding."""

import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from incubator import services as core_services
from incubator.dates import add_months
from incubator.demo_context import DEMO_PASSWORD, PERSONAS, DemoContext
from incubator.models import ApplicantKind, Fund, LegalForm, Person, Programme, Role, TeamMember, Theme, User, Venture
from incubator.path.models import Enrolment
from incubator.selection import services
from incubator.selection.models import Application, ApplicationState, ChecklistItem, Evaluation
from incubator.taxcode import make_tax_code, make_vat_number

ROME = ZoneInfo("Europe/Rome")
PROGRAMME_CODE = "CT3.3.1.a"
AREAS = ("Municipalità 1", "Municipalità 4", "Municipalità 6")
APPLICATIONS = 40
PLACES = 12
PASS_THRESHOLD = Decimal("60")
# Ideas of the "strong" band are all above the threshold, the "weak" band all below:
# quality x 100 is the expected weighted total and the evaluators' noise and the
# rounding to half points move a total by at most 7.5 points.
STRONG_BAND = (0.68, 0.86)
WEAK_BAND = (0.30, 0.52)
STRONG_COUNT = 17
CROWDFUNDING_FROM = Decimal("45")

# username -> (first name, last name, role in the programme, is_staff, is_superuser)
PERSONA_DETAILS: dict[str, tuple[str, str, str | None, bool, bool]] = {
    "admin": ("Giulia", "Ferri", None, True, True),
    "coordinator": ("Marco", "De Simone", Role.COORDINATOR, True, False),
    "evaluator": ("Laura", "Russo", Role.EVALUATOR, False, False),
    "evaluator2": ("Paolo", "Greco", Role.EVALUATOR, False, False),
    "evaluator3": ("Chiara", "Marino", Role.EVALUATOR, False, False),
    "tutor": ("Francesca", "Romano", Role.TUTOR, False, False),
    "tutor2": ("Davide", "Gallo", Role.TUTOR, False, False),
    "trainer": ("Sara", "Conti", Role.TUTOR, False, False),
    "participant": ("Anna", "Esposito", Role.PARTICIPANT, False, False),
    "participant2": ("Ciro", "Iovine", Role.PARTICIPANT, False, False),
}
assert set(PERSONA_DETAILS) == set(PERSONAS), "every persona needs its details"

PERSONA_SEX = {"participant": "F", "participant2": "M"}

CRITERIA = [
    {"name": "Innovatività sociale e impatto nelle aree bersaglio", "weight": Decimal("3"), "max_score": 10},
    {"name": "Esperienza e competenze del team", "weight": Decimal("2"), "max_score": 10},
    {"name": "Piano di sostenibilità finanziaria", "weight": Decimal("2"), "max_score": 10},
    {"name": "Fattibilità tecnica ed economica", "weight": Decimal("1.5"), "max_score": 10},
    {"name": "Coinvolgimento della comunità e partenariati", "weight": Decimal("1.5"), "max_score": 10},
]
_ELIGIBILITY = ChecklistItem.Kind.ELIGIBILITY
_PREFEASIBILITY = ChecklistItem.Kind.PREFEASIBILITY
CHECKLIST = [
    (
        "applicant",
        _ELIGIBILITY,
        "Proponente ammissibile: persona fisica, gruppo informale, associazione o ente del terzo settore",
    ),
    ("area", _ELIGIBILITY, "Idea localizzata nella Municipalità 1, 4 o 6 di Napoli"),
    ("complete", _ELIGIBILITY, "Domanda completa, sottoscritta, con documento d'identità del capofila"),
    ("financial_plan", _PREFEASIBILITY, "Piano di sostenibilità finanziaria presente e coerente"),
    ("experience", _PREFEASIBILITY, "Esperienza pregressa del team nel settore dell'idea"),
    ("feasibility", _PREFEASIBILITY, "Prefattibilità tecnica: sede, autorizzazioni e tempi realistici"),
]
# Which answer fails, and why, for the applications found ineligible.
INELIGIBLE_REASONS = [
    ("financial_plan", "Piano di sostenibilità finanziaria assente: l'allegato C non è stato presentato."),
    ("complete", "Domanda non sottoscritta e priva del documento d'identità del capofila."),
    ("feasibility", "La sede indicata non è disponibile e non è stata proposta un'alternativa."),
    ("financial_plan", "Il piano finanziario prevede entrate non documentate per oltre il 70% dei costi."),
]

IDEAS: dict[str, list[str]] = {
    Theme.NEW_POVERTY: [
        "Emporio solidale di quartiere",
        "Mensa sospesa",
        "Sportello energia per famiglie fragili",
        "Spesa a domicilio per anziani soli",
        "Lavanderia sociale",
        "Microcredito di vicinato",
        "Farmacia solidale",
        "Banco del libro scolastico",
    ],
    Theme.SOCIAL_VULNERABILITY: [
        "Sartoria sociale per donne in uscita dalla violenza",
        "Doposcuola e mentoring per adolescenti",
        "Caffè inclusivo gestito da giovani con disabilità",
        "Custodia sociale per anziani",
        "Alfabetizzazione digitale per donne",
        "Sportello casa contro gli sfratti",
        "Accompagnamento al lavoro per neomaggiorenni",
        "Cucina di reinserimento per ex detenuti",
    ],
    Theme.SOCIAL_COHESION: [
        "Cortili aperti",
        "Orchestra giovanile di quartiere",
        "Palestra popolare",
        "Cucina interculturale",
        "Radio di comunità",
        "Teatro nei cortili",
        "Banca del tempo",
        "Ludoteca di strada",
    ],
    Theme.CIRCULAR_ECONOMY: [
        "Ciclofficina sociale",
        "Laboratorio di riparazione",
        "Compost di comunità",
        "Moda circolare",
        "Recupero arredi usati",
        "Orto urbano condiviso",
        "Ricondizionamento di computer per le scuole",
        "Mercato del baratto",
    ],
    Theme.HERITAGE: [
        "Guide di quartiere",
        "Chiese aperte",
        "Archivio fotografico popolare",
        "Restauro partecipato",
        "Itinerari della costa orientale",
        "Botteghe artigiane in rete",
        "Giardino storico ritrovato",
        "Murales e memoria",
    ],
}
NEEDS: dict[str, str] = {
    Theme.NEW_POVERTY: "Famiglie con reddito sotto la soglia di povertà e senza accesso ai servizi di base.",
    Theme.SOCIAL_VULNERABILITY: "Persone in condizione di fragilità (donne vittime di violenza, giovani NEET, "
    "persone con disabilità) escluse dal lavoro.",
    Theme.SOCIAL_COHESION: "Spazi pubblici abbandonati e scarsa partecipazione alla vita del quartiere.",
    Theme.CIRCULAR_ECONOMY: "Rifiuti ingombranti e beni riparabili dispersi; pochi posti di lavoro verdi nell'area.",
    Theme.HERITAGE: "Patrimonio culturale e ambientale poco accessibile e non valorizzato dai residenti.",
}

MALE_NAMES = ["Antonio", "Gennaro", "Salvatore", "Vincenzo", "Luigi", "Raffaele", "Pasquale", "Francesco"]
MALE_NAMES += ["Giuseppe", "Alessandro", "Emanuele", "Carmine", "Domenico", "Fabio", "Stefano", "Nicola"]
FEMALE_NAMES = ["Maria", "Rosa", "Carmela", "Teresa", "Assunta", "Giovanna", "Valeria", "Ilaria"]
FEMALE_NAMES += ["Federica", "Serena", "Martina", "Alessia", "Roberta", "Luisa", "Marianna", "Claudia"]
SURNAMES = ["Esposito", "Russo", "Romano", "De Luca", "Capasso", "Ferrara", "Coppola", "Ruggiero", "Amato"]
SURNAMES += ["Cozzolino", "Sorrentino", "Guarino", "Caputo", "Napolitano", "Palumbo", "D'Angelo", "Di Lorenzo"]
SURNAMES += ["Improta", "Savarese", "Acampora", "Mazzella", "Scognamiglio", "Vitiello", "Giordano", "Liguori"]
# Cadastral codes: Napoli and the towns around it, and the countries of some team members.
BIRTHPLACES = ["F839"] * 10 + ["G964", "B990", "G902", "L259", "A064", "H243", "B963", "H703"]
FOREIGN_PEOPLE = [
    ("Fatima", "El Amrani", "F", "Z330"),
    ("Mamadou", "Diop", "M", "Z343"),
    ("Olena", "Kovalenko", "F", "Z138"),
    ("Nuwan", "Perera", "M", "Z209"),
    ("Blessing", "Okafor", "F", "Z335"),
    ("Andrei", "Popescu", "M", "Z129"),
]


@dataclass
class _Idea:
    """What the demo decides about one application before the services record it."""

    venture: Venture
    quality: float
    lead: Person
    persona: str = ""
    submitted_at: dt.datetime | None = None
    application: Application | None = None
    scores: list[Decimal] = field(default_factory=list)


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def _rome(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


def create_personas(ctx: DemoContext) -> None:
    """Persona users. Demo passwords only where the settings profile allows them (dev);
    elsewhere the personas get unusable passwords."""
    with_password = bool(getattr(settings, "DEMO_PASSWORDS_ALLOWED", False))
    for username, (first, last, _role, is_staff, is_superuser) in PERSONA_DETAILS.items():
        user = User.objects.create_user(
            username=username,
            email=f"{username}@example.org",
            first_name=first,
            last_name=last,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        if with_password:
            user.set_password(DEMO_PASSWORD)
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
        ctx.users[username] = user
    ctx.extra["demo_passwords"] = with_password


class _People:
    """Makes people with valid tax codes, distinct within the programme."""

    def __init__(self, ctx: DemoContext, programme: Programme, actor: User):
        self.ctx, self.programme, self.actor = ctx, programme, actor
        self.codes: set[str] = set()
        self.count = 0

    def create(
        self, *, first: str = "", last: str = "", sex: str = "", birthplace: str = "", user: User | None = None
    ) -> Person:
        rng = self.ctx.rng
        if not sex:
            sex = rng.choice("MF")
        if not first:
            first = rng.choice(MALE_NAMES if sex == "M" else FEMALE_NAMES)
        last = last or rng.choice(SURNAMES)
        birthplace = birthplace or rng.choice(BIRTHPLACES)
        while True:
            age_days = rng.randint(21 * 365, 58 * 365)
            birth = self.ctx.today - dt.timedelta(days=age_days)
            code = make_tax_code(last, first, birth, sex, birthplace)
            if code not in self.codes:
                break
        self.codes.add(code)
        self.count += 1
        return core_services.person_create(
            actor=self.actor,
            programme=self.programme,
            first_name=first,
            last_name=last,
            tax_code=code,
            email=f"{_ascii(first)}.{_ascii(last)}{self.count}@example.org",
            phone=f"+39 3{rng.randint(20, 49)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
            user=user,
        )


def _half_points(value: float, max_score: int) -> Decimal:
    return Decimal(min(max(round(value * 2) / 2, 0), max_score)).quantize(Decimal("0.01"))


def _score_plan(ctx: DemoContext, quality: float) -> list[Decimal]:
    return [_half_points(quality * c["max_score"] + ctx.rng.uniform(-0.5, 0.5), c["max_score"]) for c in CRITERIA]


def logo_png() -> bytes:
    """A small logo drawn in code (Pillow, which WeasyPrint uses too): the same bytes on every run."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (480, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 152, 152), radius=28, fill="#0b6e4f")
    draw.ellipse((44, 44, 116, 116), fill="#f4b400")
    draw.text((176, 44), "INNESCO", fill="#0b6e4f", font=ImageFont.load_default(size=64))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def build_selection(ctx: DemoContext) -> None:
    today = ctx.today
    create_personas(ctx)
    admin, coordinator = ctx.users["admin"], ctx.users["coordinator"]

    starts_on = add_months(today.replace(day=1), -15)
    programme = core_services.programme_create(
        actor=admin,
        name="INNESCO – Innovazione esce allo scoperto",
        code=PROGRAMME_CODE,
        action="3.3.1",
        fund=Fund.FESR,
        cup="B61H19000120007",
        budget=Decimal("2668337.00"),
        starts_on=starts_on,
        ends_on=add_months(starts_on, 60) - dt.timedelta(days=1),
        target_areas=list(AREAS),
        managing_body="Comune di Napoli",
    )
    ctx.programme = programme
    for username, (_first, _last, role, _staff, _superuser) in PERSONA_DETAILS.items():
        if role:
            core_services.role_grant(actor=admin, user=ctx.users[username], programme=programme, role=role)
    # The office uploads the programme's logo: the documents' header shows it.
    programme = core_services.programme_update(
        actor=coordinator, programme=programme, logo=SimpleUploadedFile("innesco.png", logo_png(), "image/png")
    )
    ctx.programme = programme

    opens = add_months(today.replace(day=1), -11) + dt.timedelta(days=14)
    closes = opens + dt.timedelta(days=60)
    call = services.call_create(
        actor=coordinator,
        programme=programme,
        title="Avviso pubblico INNESCO – idee di innovazione sociale",
        reference=f"INNESCO/{opens.year}/01",
        opens_at=_rome(opens, 9),
        closes_at=_rome(closes, 12),
        eligible_applicant_kinds=[ApplicantKind.INDIVIDUAL, ApplicantKind.ASSOCIATION, ApplicantKind.THIRD_SECTOR],
        themes=list(IDEAS),
        places=PLACES,
        pass_threshold=PASS_THRESHOLD,
        grant_min=Decimal("25000.00"),
        grant_max=Decimal("140000.00"),
        max_months=36,
        grant_attendance_threshold=Decimal("80.00"),
        criteria=CRITERIA,
        checklist=[{"question": question, "kind": kind} for _key, kind, question in CHECKLIST],
    )
    ctx.call = call

    people = _People(ctx, programme, coordinator)
    ideas = _ventures(ctx, programme, call, people)
    _submit(ctx, call, ideas)
    evaluated = _check(ctx, call, ideas)
    _evaluate(ctx, call, evaluated)

    services.call_compute_ranking(actor=coordinator, call=call)
    enrolment_start = add_months(today.replace(day=1), -6)
    services.call_decide_ranking(actor=coordinator, call=call, starts_on=enrolment_start)
    for application in call.applications.filter(state=ApplicationState.REJECTED, score__gte=CROWDFUNDING_FROM):
        services.application_refer_to_crowdfunding(actor=coordinator, application=application)
    _incorporate(ctx, call, enrolment_start)

    ctx.enrolments = list(
        Enrolment.objects.filter(application__call=call)
        .select_related("application__venture")
        .order_by("starts_on", "application__rank")
    )


def _ventures(ctx: DemoContext, programme: Programme, call, people: _People) -> list[_Idea]:
    """Forty ideas, every theme in every target area; the two participant personas lead
    one each, registered by themselves."""
    rng, coordinator = ctx.rng, ctx.users["coordinator"]
    titles = {theme: rng.sample(names, len(names)) for theme, names in IDEAS.items()}
    themes = list(IDEAS)
    strong = [STRONG_BAND[0] + (STRONG_BAND[1] - STRONG_BAND[0]) * i / (STRONG_COUNT - 1) for i in range(STRONG_COUNT)]
    weak_count = APPLICATIONS - STRONG_COUNT - 2
    weak = [WEAK_BAND[0] + (WEAK_BAND[1] - WEAK_BAND[0]) * i / (weak_count - 1) for i in range(weak_count)]
    qualities = strong + weak
    rng.shuffle(qualities)
    foreigners = list(FOREIGN_PEOPLE)
    ideas: list[_Idea] = []
    for index in range(APPLICATIONS):
        theme = themes[index % len(themes)]
        area = AREAS[index % len(AREAS)]
        persona = {0: "participant", 1: "participant2"}.get(index, "")
        kind = rng.choices(
            [ApplicantKind.INDIVIDUAL, ApplicantKind.ASSOCIATION, ApplicantKind.THIRD_SECTOR], weights=[5, 3, 2]
        )[0]
        if persona:
            first, last, *_ = PERSONA_DETAILS[persona]
            lead_user = ctx.users[persona]
            lead = people.create(first=first, last=last, sex=PERSONA_SEX[persona], user=lead_user)
            kind = ApplicantKind.INDIVIDUAL
        else:
            lead_user = None
            if foreigners and rng.random() < 0.2:
                first, last, sex, place = foreigners.pop(0)
                lead = people.create(first=first, last=last, sex=sex, birthplace=place)
            else:
                lead = people.create()
        team = [(lead, TeamMember.TeamRole.LEAD)]
        team += [(people.create(), TeamMember.TeamRole.MEMBER) for _ in range(rng.randint(1, 3))]
        legal_form, since = {
            ApplicantKind.INDIVIDUAL: (
                LegalForm.INFORMAL_GROUP,
                call.opens_at.date() - dt.timedelta(days=rng.randint(20, 300)),
            ),
            ApplicantKind.ASSOCIATION: (LegalForm.ASSOCIATION, dt.date(rng.randint(2012, 2023), rng.randint(1, 12), 1)),
            ApplicantKind.THIRD_SECTOR: (
                LegalForm.SOCIAL_COOPERATIVE,
                dt.date(rng.randint(2008, 2022), rng.randint(1, 12), 1),
            ),
        }[kind]
        title = titles[theme].pop()
        extra_theme = [rng.choice([t for t in themes if t != theme])] if rng.random() < 0.25 else []
        fields = {
            "programme": programme,
            "team": team,
            "legal_form": legal_form,
            "legal_form_since": since,
            "title": title,
            "summary": f"{title}: un servizio di prossimità nella {area}, costruito con i residenti.",
            "social_need": NEEDS[theme],
            "themes": [theme, *extra_theme],
            "target_area": area,
            "applicant_kind": kind,
        }
        # The participants register their own idea; the others were entered by the staff.
        venture = core_services.venture_create(actor=lead_user or coordinator, **fields)
        if kind == ApplicantKind.ASSOCIATION and rng.random() < 0.3:
            # An association that became a social enterprise before applying.
            core_services.venture_change_legal_form(
                actor=coordinator,
                venture=venture,
                legal_form=LegalForm.SOCIAL_ENTERPRISE,
                effective_on=call.opens_at.date() - dt.timedelta(days=rng.randint(30, 200)),
                registration_number=make_vat_number(rng),
                note="Trasformazione in impresa sociale (D.Lgs. 112/2017).",
            )
        idea = _Idea(venture=venture, quality=0.0, lead=lead, persona=persona)
        if persona == "participant":
            idea.scores = [Decimal("9.50")] * len(CRITERIA)  # 95: first places, always admitted
        elif persona == "participant2":
            idea.scores = [Decimal("5.00")] * len(CRITERIA)  # 50: rejected, referred to crowdfunding
        else:
            idea.quality = qualities.pop()
        ideas.append(idea)
    return ideas


def _submit(ctx: DemoContext, call, ideas: list[_Idea]) -> None:
    window = int((call.closes_at - call.opens_at).total_seconds())
    for idea in ideas:
        # Whole minutes, never in the call's last hour: applications come in during the window.
        idea.submitted_at = call.opens_at + dt.timedelta(minutes=ctx.rng.randint(60, window // 60 - 60))
    for idea in sorted(ideas, key=lambda i: i.submitted_at):
        actor = ctx.users[idea.persona] if idea.persona else ctx.users["coordinator"]
        idea.application = services.application_create(actor=actor, venture=idea.venture, call=call)
        services.application_submit(actor=actor, application=idea.application, at=idea.submitted_at)


def _check(ctx: DemoContext, call, ideas: list[_Idea]) -> list[_Idea]:
    """Eligibility and prefeasibility: four ineligible, one withdrawn after the check."""
    rng, coordinator = ctx.rng, ctx.users["coordinator"]
    items = {key: item for (key, _kind, _q), item in zip(CHECKLIST, call.checklist.order_by("order"), strict=True)}
    candidates = [i for i in ideas if not i.persona]
    weak = sorted((i for i in candidates if i.quality < STRONG_BAND[0]), key=lambda i: i.quality)
    ineligible = {
        id(i): reason for i, reason in zip(rng.sample(weak, len(INELIGIBLE_REASONS)), INELIGIBLE_REASONS, strict=True)
    }
    withdrawn = rng.choice([i for i in weak if id(i) not in ineligible])
    evaluated = []
    for idea in ideas:
        failed = ineligible.get(id(idea))
        answers = []
        for key, item in items.items():
            ok = not (failed and failed[0] == key)
            note = failed[1] if not ok else ""
            if key == "experience" and not failed and rng.random() < 0.2:
                ok, note = False, "Team alla prima esperienza: compensata dal tutoraggio."
            answers.append({"item": item, "answer": ok, "note": note})
        services.application_check(
            actor=coordinator,
            application=idea.application,
            answers=answers,
            eligible=failed is None,
            reason=failed[1] if failed else "",
        )
        if idea is withdrawn:
            services.application_withdraw(
                actor=coordinator,
                application=idea.application,
                reason="Rinuncia comunicata dal capofila via PEC per sopraggiunti impegni lavorativi.",
            )
        elif failed is None:
            evaluated.append(idea)
    return evaluated


def _evaluate(ctx: DemoContext, call, ideas: list[_Idea]) -> None:
    """Two evaluators per application in rotation; evaluator2 declares a conflict on one
    and is replaced; two strong ideas receive identical scores (the tie-break shows)."""
    coordinator = ctx.users["coordinator"]
    panel = [ctx.users["evaluator"], ctx.users["evaluator2"], ctx.users["evaluator3"]]
    for idea in ideas:
        if not idea.scores:
            idea.scores = _score_plan(ctx, idea.quality)
    first, second = ctx.rng.sample([i for i in ideas if not i.persona and i.quality >= STRONG_BAND[0]], 2)
    second.scores = list(first.scores)
    criteria = list(call.criteria.order_by("order", "id"))
    conflict_done = False
    for index, idea in enumerate(ideas):
        pair = [panel[index % 3], panel[(index + 1) % 3]]
        evaluations: list[Evaluation] = [
            services.evaluator_assign(actor=coordinator, application=idea.application, evaluator=e) for e in pair
        ]
        if not conflict_done and not idea.persona and ctx.users["evaluator2"] in pair:
            recused = next(e for e in evaluations if e.evaluator_id == ctx.users["evaluator2"].pk)
            services.evaluation_declare_conflict(
                actor=ctx.users["evaluator2"],
                evaluation=recused,
                note="Ho collaborato con il capofila in un progetto del Terzo settore negli ultimi due anni.",
            )
            substitute = next(e for e in panel if e not in pair)
            evaluations = [e for e in evaluations if e is not recused]
            evaluations.append(
                services.evaluator_assign(actor=coordinator, application=idea.application, evaluator=substitute)
            )
            conflict_done = True
        for evaluation in evaluations:
            values = idea.scores
            services.evaluation_submit_scores(
                actor=evaluation.evaluator,
                evaluation=evaluation,
                scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
                comment=_comment(idea),
            )


def _comment(idea: _Idea) -> str:
    total = sum(v * Decimal(c["weight"]) for v, c in zip(idea.scores, CRITERIA, strict=True))
    if total >= 80:
        return "Idea solida, team credibile, piano finanziario ben costruito."
    if total >= PASS_THRESHOLD:
        return "Idea valida; da rafforzare il piano di sostenibilità nei primi mesi."
    return "Idea interessante ma ancora immatura: consigliato il percorso di crowdfunding civico."


def _incorporate(ctx: DemoContext, call, enrolment_start: dt.date) -> None:
    """Admitted informal groups incorporate during the first months of the path."""
    rng, coordinator = ctx.rng, ctx.users["coordinator"]
    admitted = Venture.objects.filter(applications__call=call, applications__state=ApplicationState.ADMITTED).order_by(
        "applications__rank"
    )
    latest_possible = max(enrolment_start, ctx.today - dt.timedelta(days=1))
    for venture in admitted:
        current = venture.legal_forms.order_by("-effective_on").first()
        if current.legal_form != LegalForm.INFORMAL_GROUP or rng.random() < 0.25:
            continue
        effective_on = min(enrolment_start + dt.timedelta(days=rng.randint(20, 120)), latest_possible)
        core_services.venture_change_legal_form(
            actor=coordinator,
            venture=venture,
            legal_form=rng.choice([LegalForm.ASSOCIATION, LegalForm.SOCIAL_COOPERATIVE, LegalForm.SOCIAL_ENTERPRISE]),
            effective_on=effective_on,
            registration_number=make_vat_number(rng),
            note="Costituzione con atto notarile durante il percorso di accompagnamento.",
        )


DEMO_STEPS = [(10, build_selection)]
