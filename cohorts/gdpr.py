"""What the cohorts app holds about a person, for the access export and the erasure
(``incubator.privacy.registry``): the attendance marks. Registered from ``CohortsConfig.ready``."""

from cohorts.models import Attendance
from incubator.privacy import registry as gdpr


@gdpr.section("attendance", 200)
def _attendance(subject: gdpr.Subject):
    if subject.person is None:
        return []
    return list(
        Attendance.objects.filter(person=subject.person)
        .order_by("session__starts_at", "pk")
        .values("session__topic", "session__starts_at", "status", "minutes_attended", "note")
    )


@gdpr.anonymiser
def _attendance_notes(subject: gdpr.Subject) -> list[str]:
    """The marks stay (completion and unit costs are computed from them); the free-text
    note about the person goes."""
    changed = Attendance.objects.filter(person=subject.person).exclude(note="").update(note="")
    return ["attendance.note"] if changed else []
