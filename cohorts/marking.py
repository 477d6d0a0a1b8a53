"""Attendance marks: a register's rules (the session held and not cancelled, who may mark
it, people on its roster, each person once, minutes only for a partial attendance and
never over the session's length), checked for one register or for many at once.

``attendance_mark_registers`` is the import's path: the rules are checked in batches - the
sessions locked in one query, their marks read in one, each roster once - and every mark
is written by one upsert, all or nothing. ``attendance_mark_bulk`` is the same function
for one register (the register page, the API, the admin)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts import access as cohort_access
from cohorts.models import Attendance, AttendanceStatus, TrainingSession
from cohorts.selectors import session_day, session_rosters
from incubator import audit
from incubator.exceptions import DomainError, NotPermitted
from incubator.models import Person


@dataclass
class MarkingResult:
    """What a bulk marking changed, by person id (``unchanged`` marks were not rewritten)."""

    session: TrainingSession
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


class MarkError(DomainError):
    """A refused mark: ``field`` is ``marks`` with the mark's position in the message (as the
    API shows it); ``position``, ``column`` and ``detail`` let an importer name the file's
    row and column instead."""

    def __init__(self, position: int, column: str, detail: str, code: str):
        super().__init__(_("Row %(row)s: %(message)s") % {"row": position, "message": detail}, code=code, field="marks")
        self.position, self.column, self.detail = position, column, detail


class RegistersRefused(DomainError):
    """Some of the registers were refused (nothing was written): ``refusals`` maps each
    refused register's position (from 0) to its error - a MarkError, another DomainError of
    the session, or NotPermitted."""

    def __init__(self, refusals: dict[int, Exception]):
        first = next(iter(refusals.values()))
        super().__init__(str(getattr(first, "message", first)), code="registers_refused", field="marks")
        self.refusals = refusals


def _person_id(value) -> int | None:
    if isinstance(value, Person):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _whole_minutes(raw) -> int | None | bool:
    """``None`` for no minutes, the whole number given, or ``False`` if it is not one."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        return False
    if isinstance(raw, int):
        return raw
    try:
        number = Decimal(str(raw).strip())
    except InvalidOperation:
        return False
    if not number.is_finite() or number != number.to_integral_value():
        return False
    return int(number)


STATUSES = frozenset(AttendanceStatus.values)


def _clean_mark(index: int, item: Mapping[str, Any], session_minutes: int) -> tuple[int, str, int | None, str]:
    """One requested mark as (person id, status, minutes, note), or a MarkError."""
    person_id = _person_id(item.get("person"))
    if person_id is None:
        raise MarkError(index, "person", _("say who the mark is for."), "required")
    status = item.get("status")
    if status not in STATUSES:
        raise MarkError(
            index,
            "status",
            _("the status must be one of %(choices)s.") % {"choices": ", ".join(AttendanceStatus.values)},
            "invalid",
        )
    minutes = _whole_minutes(item.get("minutes_attended"))
    if minutes is False:
        raise MarkError(index, "minutes_attended", _("minutes must be a whole number."), "invalid")
    if status == AttendanceStatus.PARTIAL:
        if minutes is None or minutes <= 0:
            raise MarkError(
                index, "minutes_attended", _("a partial attendance needs the minutes attended."), "minutes_required"
            )
        if minutes > session_minutes:
            raise MarkError(
                index,
                "minutes_attended",
                _("%(minutes)s minutes is more than the session's %(length)s.")
                % {"minutes": minutes, "length": session_minutes},
                "minutes_over_length",
            )
    elif minutes is not None:
        raise MarkError(
            index, "minutes_attended", _("minutes are recorded only for a partial attendance."), "minutes_not_partial"
        )
    note = (item.get("note") or "").strip()
    if len(note) > 300:
        raise MarkError(index, "note", _("the note is longer than 300 characters."), "too_long")
    return person_id, status, minutes, note


def _check_session(actor, session: TrainingSession, now) -> None:
    """Who may mark the register (``cohorts.access``: the programme's coordinators, no
    query; the session's trainers while they hold the role) and whether it can be marked."""
    if not cohort_access.may_take_attendance(actor, session):
        raise NotPermitted()
    if session.is_cancelled:
        raise DomainError(
            _("The session was cancelled: it has no register."), code="session_cancelled", field="session"
        )
    if session.starts_at > now:
        raise DomainError(
            _("The session has not started yet: mark attendance from %(start)s.")
            % {"start": timezone.localtime(session.starts_at).strftime("%d/%m/%Y %H:%M")},
            code="not_started",
            field="session",
        )


@transaction.atomic
def attendance_mark_registers(
    *, actor, registers: Sequence[tuple[TrainingSession, Iterable[Mapping[str, Any]]]]
) -> list[MarkingResult]:
    """Marks several registers, in order, all or nothing: each is ``(session, marks)`` with
    the marks of ``attendance_mark_bulk``; a session may come again later (its marks are
    then applied after the earlier ones). Refused with ``RegistersRefused`` naming every
    refused register, and then nothing is written.

    The sessions are locked first, in id order, so that two markings of the same
    registers are applied one after the other; the upsert on the (session, person) unique
    constraint is the second line of defence."""
    registers = [(session, list(marks)) for session, marks in registers]
    ids = sorted({session.pk for session, _marks in registers})
    locked = {
        s.pk: s
        for s in TrainingSession.objects.select_for_update(of=("self",))
        .select_related("cohort")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    # (session, person) -> (status, minutes, note): the marks as they stand, then as marked.
    state = {
        (session_id, person_id): (status, minutes, note or "")
        for session_id, person_id, status, minutes, note in Attendance.objects.filter(session_id__in=ids).values_list(
            "session_id", "person_id", "status", "minutes_attended", "note"
        )
    }
    marked: dict[int, set[int]] = {}
    for session_id, person_id in state:
        marked.setdefault(session_id, set()).add(person_id)
    # Every register's roster in one query (sessions of a cohort on one day share it).
    rosters = session_rosters(locked.values())
    now = timezone.now()
    refusals: dict[int, Exception] = {}
    results: list[MarkingResult] = []
    rows: dict[tuple[int, int], Attendance] = {}
    audits = []
    for position, (given, marks) in enumerate(registers):
        session = locked.get(given.pk)
        try:
            if session is None:
                raise NotPermitted()
            _check_session(actor, session, now)
            if not marks:
                raise DomainError(_("Give at least one mark."), code="required", field="marks")
            # Sessions of a cohort on the same day share the roster.
            # People marked earlier stay correctable even if their enrolment has since ended.
            allowed = rosters[(session.cohort_id, session_day(session))] | marked.get(session.pk, set())
            seen: set[int] = set()
            cleaned = []
            for index, item in enumerate(marks, start=1):
                person_id, status, minutes, note = _clean_mark(index, item, session.duration_minutes)
                if person_id not in allowed:
                    raise MarkError(
                        index,
                        "person",
                        _("person %(id)s is not on this session's roster.") % {"id": person_id},
                        "not_on_roster",
                    )
                if person_id in seen:
                    raise MarkError(
                        index, "person", _("person %(id)s is given twice.") % {"id": person_id}, "duplicate"
                    )
                seen.add(person_id)
                cleaned.append((person_id, status, minutes, note))
        except (DomainError, NotPermitted) as exc:
            refusals[position] = exc
            continue
        result = MarkingResult(session=session)
        before, after = {}, {}
        for person_id, status, minutes, note in cleaned:
            key = (session.pk, person_id)
            old = state.get(key)
            if old == (status, minutes, note):
                result.unchanged.append(person_id)
                continue
            (result.updated if old else result.created).append(person_id)
            if old:
                before[person_id] = [old[0], old[1]]
            after[person_id] = [status, minutes]
            state[key] = (status, minutes, note)
            marked.setdefault(session.pk, set()).add(person_id)
            rows[key] = Attendance(
                session=session,
                person_id=person_id,
                status=status,
                minutes_attended=minutes,
                note=note,
                marked_by=actor,
                marked_at=now,
            )
        if after:
            audits.append((session, before, after))
        results.append(result)
    if refusals:
        raise RegistersRefused(refusals)
    if rows:
        Attendance.objects.bulk_create(
            list(rows.values()),
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["session", "person"],
            update_fields=["status", "minutes_attended", "note", "marked_by", "marked_at"],
        )
    # Person ids and statuses only: notes may hold health reasons and stay out of the trail.
    audit.record_many(
        {
            "actor": actor,
            "verb": "attendance.mark",
            "target": session,
            "programme_id": session.cohort.programme_id,
            "before": {"marks": before},
            "after": {"marks": after},
        }
        for session, before, after in audits
    )
    return results


def attendance_mark_bulk(*, actor, session: TrainingSession, marks: Iterable[Mapping[str, Any]]) -> MarkingResult:
    """Marks any part of a session's roster in one go: each item is ``{"person", "status",
    "minutes_attended" (partial only), "note"}``. Marking again with the same values
    changes nothing (idempotent). Refused whole, naming the row, for: a cancelled or
    not yet started session, someone not on the roster, minutes over the session's
    length, a person given twice."""
    try:
        (result,) = attendance_mark_registers(actor=actor, registers=[(session, marks)])
    except RegistersRefused as refused:
        raise refused.refusals[0] from None
    return result
