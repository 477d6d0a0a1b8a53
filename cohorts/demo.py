"""Demo step 20: one cohort of the demo programme with the admitted enrolments of step 10,
the seven INNESCO modules (60 hours), 30 two-hour lessons over six months (most already
held, four ahead, one cancelled) plus one outreach event, and realistic registers in
which a few participants stay below the completion threshold. Everything through the
services, with ``ctx.rng`` for every random choice."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from cohorts import services
from cohorts.models import AttendanceStatus, TrainingSession
from cohorts.selectors import session_roster
from incubator import access
from incubator import services as incubator_services
from incubator.demo_context import DemoContext
from incubator.models import Role

ROME = ZoneInfo("Europe/Rome")
LESSONS = 30
AHEAD = 4
LESSON_MINUTES = 120
HUB = "Napoli, Hub per l'innovazione sociale – via Santa Teresa degli Scalzi 42"
CLASSROOM_URL = "https://aula.innesco.example/coorte-1"
TOPICS = {
    1: ["Bilancio di competenze", "Il mercato del lavoro locale", "Reti e servizi per l'impiego"],
    2: [
        "Dall'idea all'impresa sociale",
        "Forme giuridiche del Terzo settore",
        "Il team imprenditoriale",
        "Modelli di business a impatto",
        "Testimonianze di imprese sociali napoletane",
    ],
    3: [
        "Struttura del business plan",
        "Analisi del bisogno sociale",
        "Piano di marketing",
        "Piano economico-finanziario",
        "Misurare l'impatto sociale",
        "Revisione dei piani in gruppo",
    ],
    4: ["Microcredito e garanzie", "Il rapporto con la banca", "Finanza etica", "Simulazione di un colloquio"],
    5: ["Incentivi nazionali e regionali", "Resto al Sud e autoimpiego", "Leggere un avviso pubblico"],
    6: ["Cos'è il crowdfunding civico", "Costruire la campagna", "Ricompense e comunità", "Piano di comunicazione"],
    7: [
        "Strumenti digitali di base",
        "Social media per il Terzo settore",
        "Donne e tecnologia",
        "Sicurezza e privacy online",
        "Strumenti di collaborazione",
    ],
}


def _weekday(day: dt.date) -> dt.date:
    """The next working day (lessons are never on a weekend)."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


def _lesson_days(first: dt.date, last_held: dt.date, today: dt.date) -> list[dt.date]:
    """``LESSONS - AHEAD`` days spread from ``first`` to ``last_held``, then ``AHEAD`` weekly
    days from next week: distinct working days in order."""
    held = LESSONS - AHEAD
    span = max((last_held - first).days, held)
    days: list[dt.date] = []
    for i in range(held):
        day = _weekday(first + dt.timedelta(days=round(i * span / max(held - 1, 1))))
        while days and day <= days[-1]:
            day = _weekday(day + dt.timedelta(days=1))
        days.append(day)
    days += [_weekday(today + dt.timedelta(days=7 * (i + 1))) for i in range(AHEAD)]
    return days


def _ensure_trainer(ctx: DemoContext, username: str) -> None:
    user, programme = ctx.users[username], ctx.programme
    if programme.pk not in access.programmes(user, Role.TUTOR):
        incubator_services.role_grant(actor=ctx.users["admin"], user=user, programme=programme, role=Role.TUTOR)


def _mark_register(ctx: DemoContext, session: TrainingSession, reliability: dict[int, float]) -> None:
    rng = ctx.rng
    marks = []
    for person_id in session_roster(session).values_list("pk", flat=True):
        if person_id not in reliability:
            # Most people come to most lessons; a few struggle (care duties, work shifts).
            reliability[person_id] = rng.uniform(0.45, 0.65) if rng.random() < 0.18 else rng.uniform(0.9, 1.0)
        draw = rng.random()
        if draw < reliability[person_id]:
            if rng.random() < 0.1:
                minutes = rng.choice([45, 60, 75, 90, 100])
                marks.append({"person": person_id, "status": AttendanceStatus.PARTIAL, "minutes_attended": minutes})
            else:
                marks.append({"person": person_id, "status": AttendanceStatus.PRESENT})
        elif rng.random() < 0.35:
            reason = rng.choice(["Certificato medico", "Visita specialistica", "Colloquio di lavoro"])
            marks.append({"person": person_id, "status": AttendanceStatus.JUSTIFIED, "note": reason})
        else:
            marks.append({"person": person_id, "status": AttendanceStatus.ABSENT})
    if marks:
        services.attendance_mark_bulk(actor=session.trainers.first(), session=session, marks=marks)


def seed_cohorts(ctx: DemoContext) -> None:
    coordinator = ctx.users["coordinator"]
    for username in ("trainer", "tutor"):
        _ensure_trainer(ctx, username)
    trainer, tutor = ctx.users["trainer"], ctx.users["tutor"]
    today = ctx.today
    enrolment_start = min((e.starts_on for e in ctx.enrolments), default=today - dt.timedelta(days=183))
    cohort = services.cohort_create(
        actor=coordinator,
        programme=ctx.programme,
        call=ctx.call,
        name=f"Coorte 1 – {enrolment_start:%m/%Y}",
        starts_on=enrolment_start,
        ends_on=today + dt.timedelta(days=60),
    )
    ctx.extra["cohort"] = cohort
    for enrolment in ctx.enrolments:
        services.cohort_add_enrolment(actor=coordinator, cohort=cohort, enrolment=enrolment)

    modules = list(cohort.modules.order_by("order"))
    # Two-hour lessons in curriculum order, as many per module as its planned hours allow.
    plan = [module for module in modules for _ in range(round(module.planned_hours * 60 / LESSON_MINUTES))]
    plan = plan[:LESSONS] + [modules[-1]] * (LESSONS - len(plan))
    days = _lesson_days(enrolment_start + dt.timedelta(days=7), today - dt.timedelta(days=2), today)
    topic_index: dict[int, int] = {}
    sessions = []
    for day, module in zip(days, plan, strict=True):
        topics = TOPICS.get(module.order) or [module.title]
        index = topic_index.get(module.pk, 0)
        topic_index[module.pk] = index + 1
        online = module.mode == "e_learning"
        start = _at(day, 15 if online else 9, 0 if online else 30)
        sessions.append(
            services.session_create(
                actor=coordinator,
                cohort=cohort,
                module=module,
                topic=topics[index % len(topics)],
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=LESSON_MINUTES),
                place="" if online else HUB,
                online_url=CLASSROOM_URL if online else "",
                trainers=[tutor] if module.order in (3, 4) else [trainer],
            )
        )
    held = [s for s in sessions if s.ends_at <= timezone.now()]
    cancelled = held[len(held) // 2] if held else sessions[0]
    services.session_cancel(
        actor=coordinator, session=cancelled, reason="Allerta meteo: sede chiusa per ordinanza comunale."
    )
    event_day = _weekday(enrolment_start + dt.timedelta(days=100))
    event = services.session_create(
        actor=coordinator,
        cohort=cohort,
        kind=TrainingSession.Kind.OUTREACH,
        topic="Le idee INNESCO si presentano alla città",
        starts_at=_at(event_day, 17),
        ends_at=_at(event_day, 20),
        place="Napoli, Piazza del Gesù Nuovo",
        trainers=[trainer],
    )

    # The personas tell both stories: "participant" completes the path, "participant2" falls short.
    reliability: dict[int, float] = {}
    for username, rate in (("participant", 0.97), ("participant2", 0.55)):
        person = getattr(ctx.users.get(username), "person", None)  # no person: not a participant
        if person is not None:
            reliability[person.pk] = rate
    for session in [*held, event]:
        if session.pk != cancelled.pk and session.ends_at <= timezone.now():
            _mark_register(ctx, session, reliability)


DEMO_STEPS = [(20, seed_cohorts)]
