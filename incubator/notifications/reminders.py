"""Time-based reminders and the scheduler run (``manage.py send_reminders``).

Subjects register sources with ``@reminder``: ``fn(now) -> Iterable[services.Event]``,
each a few queries whatever the number of people (the recipients are read with the
records, not one query per record). The run is safe every few minutes and with two runs at
once: an event's key makes the same reminder for the same person one row for ever, digests
are one per person and day, and an e-mail is sent only by whoever claims it."""

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

from incubator.notifications import delivery, services

log = logging.getLogger(__name__)

Source = Callable[[dt.datetime], Iterable[services.Event]]
_sources: list[Source] = []


def reminder(fn: Source) -> Source:
    _sources.append(fn)
    return fn


def sources() -> list[Source]:
    return list(_sources)


@dataclass
class RunResult:
    events: int = 0
    instant: int = 0
    digests: int = 0
    stale: int = 0

    def __str__(self) -> str:
        return (
            f"{self.events} reminder events, {self.instant} e-mails to send at once, "
            f"{self.digests} digests made, {self.stale} stale sends marked failed"
        )


def run_scheduler(now: dt.datetime | None = None, *, send: bool = True) -> RunResult:
    """One scheduler run: reminders due now, the day's digests, stale sends; then asks the
    worker to send what is due (``send=False`` leaves that to the next run or worker)."""
    now = now or timezone.now()
    result = RunResult()
    events: list[services.Event] = []
    for source in _sources:
        events.extend(source(now))
    result.events = len(events)
    result.instant = services.deliver(events, now)
    result.digests = delivery.make_digests(now)
    result.stale = delivery.fail_stale(now)
    if send:
        from incubator.notifications.tasks import send_emails_task

        send_emails_task.enqueue()
    return result
