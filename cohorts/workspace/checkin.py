"""QR self check-in: the code a trainer shows during a session, and the service that marks
the participant who scans it present.

A code is ``<window>-<signature>``: ``window`` counts ``WINDOW_SECONDS`` since the epoch,
``signature`` is an HMAC of the session and the window under the site's secret
(``salted_hmac``), so nothing is stored, a code names its session and its moment, and
nobody can make one without the secret. A code is accepted during its window and the
next one (the screen changes every 30 s; a participant who scanned it just before it
changed still gets in), so it expires 30 to 60 s after it was shown."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from cohorts.models import Attendance, AttendanceStatus, TrainingSession
from cohorts.selectors import session_roster
from incubator import audit
from incubator.exceptions import DomainError
from incubator.models import Person

WINDOW_SECONDS = 30
GRACE_WINDOWS = 1
# Check-in opens a little before the start (people arrive early) and closes at the end.
OPENS_BEFORE = dt.timedelta(minutes=15)
SALT = "cohorts.workspace.checkin"


def _window(at: dt.datetime) -> int:
    return int(at.timestamp()) // WINDOW_SECONDS


def _signature(session_id: int, window: int) -> str:
    return salted_hmac(SALT, f"{session_id}:{window}", algorithm="sha256").hexdigest()[:20]


def checkin_code(session: TrainingSession, *, at: dt.datetime | None = None) -> str:
    """The code to show now for this session."""
    window = _window(at or timezone.now())
    return f"{window}-{_signature(session.pk, window)}"


def seconds_left(*, at: dt.datetime | None = None) -> int:
    """Seconds until the code on screen changes."""
    at = at or timezone.now()
    return WINDOW_SECONDS - int(at.timestamp()) % WINDOW_SECONDS


def check_code(session_id: int, code: str, *, at: dt.datetime | None = None) -> None:
    """Refuses (``DomainError`` on the field ``code``) a code that is not this session's,
    or whose time is over."""
    window_text, _sep, signature = (code or "").partition("-")
    if not window_text.isdigit() or not constant_time_compare(signature, _signature(session_id, int(window_text))):
        raise DomainError(
            _("This code is not valid for this session: scan the code shown by your trainer."),
            code="wrong_code",
            field="code",
        )
    now = _window(at or timezone.now())
    window = int(window_text)
    if window > now:
        raise DomainError(
            _("This code is not valid for this session: scan the code shown by your trainer."),
            code="wrong_code",
            field="code",
        )
    if window < now - GRACE_WINDOWS:
        raise DomainError(
            _("This code has expired: scan the code on the trainer's screen again."), code="expired", field="code"
        )


def is_open(session: TrainingSession, at: dt.datetime) -> bool:
    return not session.is_cancelled and session.starts_at - OPENS_BEFORE <= at <= session.ends_at


@dataclass(frozen=True)
class CheckIn:
    mark: Attendance
    created: bool


def _person_on_roster(actor, session: TrainingSession) -> Person:
    person = Person.objects.filter(user_id=getattr(actor, "pk", None), anonymised_at__isnull=True).first()
    if person is None or not session_roster(session).filter(pk=person.pk).exists():
        raise DomainError(
            _("You are not on this session's register: ask the trainer to check."), code="not_on_roster", field="code"
        )
    return person


def check_in_allowed(
    *, actor, session_id: int, code: str, at: dt.datetime | None = None, lock: bool = False
) -> tuple[TrainingSession, Person]:
    """The session and the actor's person if ``actor`` may check in with ``code`` now;
    otherwise ``DomainError`` with the reason, checked in this order: the code
    (``wrong_code``, ``expired``), the roster (``not_on_roster``), the time (``closed``)."""
    at = at or timezone.now()
    check_code(session_id, code, at=at)
    sessions = TrainingSession.objects.select_related("cohort")
    session = (sessions.select_for_update() if lock else sessions).get(pk=session_id)
    person = _person_on_roster(actor, session)
    if not is_open(session, at):
        raise DomainError(
            _("Check-in is open only during the session, from 15 minutes before its start to its end."),
            code="closed",
            field="code",
        )
    return session, person


@transaction.atomic
def attendance_check_in(*, actor, session_id: int, code: str, at: dt.datetime | None = None) -> CheckIn:
    """Marks ``actor``'s person present at the session, with the time, once. Refused for a
    wrong or expired code, for someone not on its roster, or outside the session's time.
    Scanning again changes nothing; a mark already on the register (the trainer's, maybe a
    correction) is kept as it is. The session row is locked as for the bulk marking, so a
    check-in and a trainer's save are applied one after the other."""
    at = at or timezone.now()
    session, person = check_in_allowed(actor=actor, session_id=session_id, code=code, at=at, lock=True)
    existing = Attendance.objects.filter(session=session, person=person).first()
    if existing is not None:
        return CheckIn(mark=existing, created=False)
    mark = Attendance.objects.create(
        session=session,
        person=person,
        status=AttendanceStatus.PRESENT,
        note="",
        marked_by=actor,
        marked_at=at,
    )
    audit.record(
        actor=actor,
        verb="attendance.check_in",
        target=session,
        programme_id=session.cohort.programme_id,
        after={"marks": {person.pk: [AttendanceStatus.PRESENT, None]}},
    )
    return CheckIn(mark=mark, created=True)
