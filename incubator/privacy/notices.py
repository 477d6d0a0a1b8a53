"""What data-subject rights tell people (``incubator.notifications``): an erasure asked for
and carried out is reported to whoever asked and to the programme's coordinators, naming
the record only (the person's name is gone by then, and stays out of the text)."""

from incubator.notifications import recipients
from incubator.notifications.kinds import Kind
from incubator.notifications.links import page
from incubator.notifications.models import Digest, Notification
from incubator.notifications.services import notify
from incubator.privacy.models import ErasureRequest


def erasure_done(request: ErasureRequest, *, erased_user_id: int | None) -> None:
    users = set(recipients.coordinators(request.programme_id))
    if request.requested_by_id:
        users.add(request.requested_by_id)
    users.discard(erased_user_id)
    notify(
        Kind.ERASURE_DONE,
        sorted(users),
        about=request,
        context={"programme": request.programme.code, "record": request.pk},
        link=page("admin:incubator_erasurerequest_change", request.pk),
    )


def forget_recipient(user) -> None:
    """An erased account keeps no notifications (their texts name its venture, sessions...)."""
    Notification.objects.filter(recipient=user).delete()
    Digest.objects.filter(recipient=user).delete()
