"""Back office of notifications, for administrators only: what was sent, what waits and
what failed (with the error and the attempts), and "send again" for failed e-mails.
Others see no row: a notification is its recipient's, and the texts are in the inbox."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incubator import access
from incubator.notifications import delivery
from incubator.notifications.models import Digest, Notification


class AdministratorsOnly(admin.ModelAdmin):
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if access.is_admin(request.user) else queryset.none()

    def has_module_permission(self, request):
        return access.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the failed e-mails again"))
    def send_again(self, request, queryset):
        count = delivery.retry(queryset)
        if count:
            from incubator.notifications.tasks import send_emails_task

            send_emails_task.enqueue()
        messages.success(request, gettext("%(n)s e-mails queued again.") % {"n": count})

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.is_admin(request.user):
            return {}
        return actions


@admin.register(Notification)
class NotificationAdmin(AdministratorsOnly):
    list_display = ("created_at", "recipient", "kind", "email_state", "email_attempts", "email_next_at", "read_at")
    list_filter = ("email_state", "kind")
    search_fields = ("recipient__username", "key")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = (
        "recipient",
        "kind",
        "key",
        "language",
        "subject",
        "body",
        "link",
        "created_at",
        "read_at",
        "email_state",
        "email_attempts",
        "email_next_at",
        "email_sent_at",
        "email_error",
        "digest",
        "attachment_name",
    )
    readonly_fields = fields


@admin.register(Digest)
class DigestAdmin(AdministratorsOnly):
    list_display = ("day", "recipient", "email_state", "email_attempts", "email_next_at", "email_sent_at")
    list_filter = ("email_state", "day")
    list_select_related = ("recipient",)
    actions = ["send_again"]
    fields = ("recipient", "day", "email_state", "email_attempts", "email_next_at", "email_sent_at", "email_error")
    readonly_fields = fields
