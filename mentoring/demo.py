"""Demo data, step 30 ("mentoring"): unit-cost bands, tutor profiles for the personas
``tutor``, ``tutor2`` and ``trainer`` (an expert mentor) and for two external tutors
without a login, the ventures' tutoring needs, a conflict of interest, one lead tutor per
enrolment chosen among the matching's suggestions, a few expert mentors, and the
sessions of the months since the enrolments started, with shared and private notes and
action items (most done, some overdue), plus a couple booked ahead. Everything through
the services, with ``ctx.rng``."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from incubator import services as incubator_services
from incubator.demo_context import DemoContext
from incubator.models import Person, Role, User
from incubator.path.models import Enrolment
from mentoring import selectors, services
from mentoring.models import Activity, AssignmentRole, SessionMode, TutorKind, TutorProfile

# Users made here beside the personas carry the prefix ``seed_demo --reset`` looks for.
EXTRA_USERNAME_PREFIX = "demo-"
BANDS = [
    ("A", "Fascia A – senior (oltre 10 anni di esperienza)", Decimal("60.00")),
    ("B", "Fascia B – middle (5-10 anni)", Decimal("45.00")),
    ("C", "Fascia C – junior (fino a 5 anni)", Decimal("30.00")),
]
# username -> (first, last, kind, band, capacity, expertise, languages)
TUTORS: dict[str, tuple[str, str, str, str, int, list[str], list[str]]] = {
    "tutor": (
        "",
        "",
        TutorKind.INTERNAL,
        "A",
        6,
        ["social_cohesion", "new_poverty", "business plan", "terzo settore", "impresa sociale"],
        ["it", "en"],
    ),
    "tutor2": (
        "",
        "",
        TutorKind.EXTERNAL,
        "B",
        5,
        ["circular_economy", "heritage", "crowdfunding", "marketing", "comunicazione"],
        ["it", "fr"],
    ),
    "trainer": ("", "", TutorKind.INTERNAL, "B", 3, ["accesso al credito", "rendicontazione", "digitale"], ["it"]),
    "demo-tutor-ricci": (
        "Luca",
        "Ricci",
        TutorKind.EXTERNAL,
        "A",
        4,
        ["heritage", "turismo", "business plan", "crowdfunding"],
        ["it", "en", "es"],
    ),
    "demo-tutor-bruno": (
        "Elena",
        "Bruno",
        TutorKind.EXTERNAL,
        "C",
        4,
        ["social_vulnerability", "new_poverty", "imprenditoria femminile", "marketing"],
        ["it", "ar"],
    ),
}
LEADS = ("tutor", "tutor2", "demo-tutor-ricci", "demo-tutor-bruno")
NEEDS = [
    "business plan",
    "crowdfunding",
    "marketing",
    "accesso al credito",
    "comunicazione",
    "impresa sociale",
    "imprenditoria femminile",
    "turismo",
    "digitale",
    "rendicontazione",
]
TOPICS = {
    Activity.TUTORING: [
        "Stato di avanzamento e priorità del mese",
        "Organizzazione del team e ruoli",
        "Rapporti con la Municipalità e i partner",
        "Scelta della forma giuridica",
    ],
    Activity.BUSINESS_PLAN: [
        "Analisi dei costi e punto di pareggio",
        "Piano economico-finanziario a tre anni",
        "Analisi del mercato e dei beneficiari",
    ],
    Activity.CREDIT: ["Microcredito e fondi di garanzia", "Incentivi regionali per l'impresa sociale"],
    Activity.CROWDFUNDING: [
        "Preparazione della campagna di crowdfunding civico",
        "Ricompense e piano di comunicazione",
    ],
    Activity.REPORTING: ["Rendicontazione delle spese ammissibili", "Fatture, CUP e documenti di spesa"],
}
SHARED_NOTES = [
    "Buoni progressi: il gruppo ha chiarito obiettivi e tempi. Prossimo passo condiviso nelle azioni.",
    "Abbiamo rivisto insieme i numeri: il modello regge se si raggiungono 40 utenti al mese.",
    "Il team ha preparato una bozza solida; servono preventivi aggiornati per due voci di costo.",
    "Incontro utile con il partner di quartiere: disponibilità confermata per la sede.",
    "Rivista la comunicazione: messaggio più semplice e una pagina web essenziale.",
]
PRIVATE_NOTES = [
    "Tensione tra i due soci sulla ripartizione dei compiti: da seguire con attenzione.",
    "La capofila è molto carica di impegni familiari: proporre orari serali.",
    "Dubbi sulla sostenibilità oltre il secondo anno; valutare segnalazione al coordinamento.",
]
ACTIONS = [
    "Inviare i preventivi aggiornati",
    "Completare la tabella dei costi",
    "Fissare l'incontro con la banca",
    "Preparare la bozza dello statuto",
    "Aggiornare la pagina della campagna",
    "Raccogliere le lettere di sostegno dei partner",
]
DURATIONS = (45, 60, 60, 60, 90, 90, 120)
HOURS = (9, 10, 11, 14, 15, 16, 17)
LEAD_BUDGET = Decimal("60.00")
EXPERT_BUDGET = Decimal("8.00")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _users(ctx: DemoContext) -> dict[str, User]:
    """The persona tutors, and the extra tutors without a usable password."""
    coordinator, programme = ctx.users["coordinator"], ctx.programme
    users = {}
    for username, (first, last, *_rest) in TUTORS.items():
        user = ctx.users.get(username)
        if user is None:
            user = User.objects.create_user(
                username=username, first_name=first, last_name=last, email=f"{username}@example.org"
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            ctx.users[username] = user
        incubator_services.role_grant(actor=coordinator, user=user, programme=programme, role=Role.TUTOR)
        users[username] = user
    return users


def _profiles(ctx: DemoContext) -> dict[str, TutorProfile]:
    coordinator, programme = ctx.users["coordinator"], ctx.programme
    bands = {
        code: services.unit_cost_band_create(
            actor=coordinator, programme=programme, code=code, label=label, hourly_rate=rate
        )
        for code, label, rate in BANDS
    }
    ctx.extra["unit_cost_bands"] = bands
    profiles = {}
    for username, user in _users(ctx).items():
        _first, _last, kind, band, capacity, expertise, languages = TUTORS[username]
        profiles[username] = services.tutor_profile_create(
            actor=coordinator,
            programme=programme,
            user=user,
            unit_cost_band=bands[band],
            kind=kind,
            capacity=capacity,
            expertise=expertise,
            languages=languages,
        )
    return profiles


def _needs(ctx: DemoContext, enrolments: list[Enrolment]) -> None:
    coordinator = ctx.users["coordinator"]
    for enrolment in enrolments:
        languages = ["it", "en"] if ctx.rng.random() < 0.2 else ["it"]
        services.venture_needs_set(
            actor=coordinator,
            venture=enrolment.application.venture,
            keywords=ctx.rng.sample(NEEDS, 2),
            languages=languages,
            note="Esigenze emerse al colloquio di avvio del percorso.",
        )


def _participant_enrolment(ctx: DemoContext, enrolments: list[Enrolment]) -> Enrolment | None:
    participant = ctx.users.get("participant")
    if participant is None:
        return None
    return next(
        (e for e in enrolments if e.application.venture.team.filter(person__user=participant).exists()),
        None,
    )


def _assign(ctx: DemoContext, profiles: dict[str, TutorProfile], enrolments: list[Enrolment]) -> list:
    """A lead for each enrolment: the best suggestion among the lead tutors (the persona
    ``participant``'s venture goes to ``tutor``); then ``trainer`` as expert mentor of a
    few ventures for three months."""
    coordinator = ctx.users["coordinator"]
    leads = {profiles[name].pk: name for name in LEADS}
    first = _participant_enrolment(ctx, enrolments)
    ordered = ([first] if first else []) + [e for e in enrolments if e != first]
    assignments = []
    for enrolment in ordered:
        if enrolment == first:
            tutor = profiles["tutor"]
        else:
            candidates = [s.tutor for s in selectors.assignment_suggestions(enrolment=enrolment) if s.tutor.pk in leads]
            if not candidates:
                continue
            tutor = candidates[0]
        assignments.append(
            services.assignment_create(
                actor=coordinator,
                tutor=tutor,
                enrolment=enrolment,
                role=AssignmentRole.LEAD,
                starts_on=enrolment.starts_on,
                ends_on=enrolment.ends_on,
                hours_budget=LEAD_BUDGET,
            )
        )
    for enrolment in ctx.rng.sample(ordered, min(3, len(ordered))):
        start = enrolment.starts_on + dt.timedelta(days=30)
        assignments.append(
            services.assignment_create(
                actor=coordinator,
                tutor=profiles["trainer"],
                enrolment=enrolment,
                role=AssignmentRole.EXPERT,
                starts_on=start,
                ends_on=min(start + dt.timedelta(days=91), enrolment.ends_on),
                hours_budget=EXPERT_BUDGET,
            )
        )
    return assignments


class _Diary:
    """Free slots per tutor, so that the demo never asks for overlapping sessions."""

    def __init__(self):
        self.taken: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}

    def slot(self, ctx: DemoContext, tutor_id: int, day: dt.date, minutes: int) -> dt.datetime:
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        for hour in ctx.rng.sample(HOURS, len(HOURS)):
            start = _at(day, hour)
            end = start + dt.timedelta(minutes=minutes)
            if all(end <= s or start >= e for s, e in self.taken.get(tutor_id, [])):
                self.taken.setdefault(tutor_id, []).append((start, end))
                return start
        return self.slot(ctx, tutor_id, day + dt.timedelta(days=1), minutes)


def _activity(ctx: DemoContext, assignment) -> str:
    if assignment.role == AssignmentRole.EXPERT:
        return ctx.rng.choice([Activity.CREDIT, Activity.REPORTING])
    return ctx.rng.choice(
        [Activity.TUTORING, Activity.TUTORING, Activity.BUSINESS_PLAN, Activity.CROWDFUNDING, Activity.CREDIT]
    )


def _sessions(ctx: DemoContext, assignments: list) -> None:
    """Every two to three weeks from the start of each assignment to today, and a session
    booked in the next fortnight; action items due two weeks after their session, done by
    the team or the tutor unless recent (or, one in five, forgotten: overdue)."""
    today, diary = ctx.today, _Diary()
    now = timezone.now()
    for assignment in assignments:
        tutor_user = assignment.tutor.user
        team = list(
            Person.objects.filter(memberships__venture_id=assignment.enrolment.application.venture_id).order_by("pk")
        )
        milestones = list(assignment.enrolment.milestones.order_by("due_on"))
        day = assignment.starts_on + dt.timedelta(days=ctx.rng.randint(3, 10))
        last = min(assignment.ends_on, today + dt.timedelta(days=14))
        # The expert mentor is generous with a small budget: one assignment goes over it.
        gap = (7, 12) if assignment.role == AssignmentRole.EXPERT else (12, 21)
        while day <= last:
            minutes = ctx.rng.choice(DURATIONS)
            starts_at = diary.slot(ctx, assignment.tutor_id, day, minutes)
            if starts_at.date() > assignment.ends_on:
                break
            activity = _activity(ctx, assignment)
            due = starts_at.date() + dt.timedelta(days=14)
            items = [
                {
                    "text": ctx.rng.choice(ACTIONS),
                    "owner": ctx.rng.choice(team).pk if team and ctx.rng.random() < 0.8 else None,
                    "due_on": due,
                }
                for _ in range(ctx.rng.choice((0, 1, 1, 2)))
            ]
            linked = [m.pk for m in milestones if abs((m.due_on - starts_at.date()).days) <= 45][:1]
            session = services.tutoring_session_log(
                actor=tutor_user,
                assignment=assignment,
                starts_at=starts_at,
                minutes=minutes,
                mode=ctx.rng.choice(
                    [SessionMode.IN_PERSON, SessionMode.IN_PERSON, SessionMode.REMOTE, SessionMode.PHONE]
                ),
                activity=activity,
                topics=ctx.rng.choice(TOPICS[activity]),
                shared_notes=ctx.rng.choice(SHARED_NOTES),
                private_notes=ctx.rng.choice(PRIVATE_NOTES) if ctx.rng.random() < 0.3 else "",
                participants_present=[p.pk for p in ctx.rng.sample(team, min(len(team), ctx.rng.randint(1, 2)))],
                milestones=linked,
                action_items=items,
            )
            if starts_at < now:
                for item in session.action_items.all():
                    if item.due_on < today - dt.timedelta(days=3) and ctx.rng.random() < 0.8:
                        done_by = item.owner.user if item.owner and item.owner.user_id else tutor_user
                        services.action_item_set_done(actor=done_by, item=item, done=True)
            day = starts_at.date() + dt.timedelta(days=ctx.rng.randint(*gap))


def seed_mentoring(ctx: DemoContext) -> None:
    if ctx.programme is None:
        return
    enrolments = list(ctx.enrolments)
    profiles = _profiles(ctx)
    _needs(ctx, enrolments)
    participant_enrolment = _participant_enrolment(ctx, enrolments)
    others = [e for e in enrolments if e != participant_enrolment]
    if others:
        # tutor2 once worked for one of the ventures: the matching leaves them out there.
        services.tutor_conflict_declare(
            actor=profiles["tutor2"].user,
            tutor=profiles["tutor2"],
            venture=ctx.rng.choice(others).application.venture,
            note="Ho collaborato con la capofila in un progetto retribuito nel 2024.",
        )
    assignments = _assign(ctx, profiles, enrolments)
    _sessions(ctx, assignments)
    ctx.extra["tutor_profiles"] = profiles
    ctx.extra["tutor_assignments"] = assignments


DEMO_STEPS = [(30, seed_mentoring)]
