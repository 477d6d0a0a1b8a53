"""``notifications_unread``: the signed-in person's unread count for the bell on every page
(``notifications/_bell.html``). Lazy: a page that does not show it runs no query."""

from django.utils.functional import SimpleLazyObject


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        from incubator.notifications.models import Notification

        return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()

    return {"notifications_unread": SimpleLazyObject(count)}
