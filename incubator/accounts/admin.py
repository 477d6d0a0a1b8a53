"""Back office: the e-mail addresses of logins (allauth's admin) and the privacy notice
acceptances, for administrators only (they belong to no programme: for anyone else every
id looks missing, as for the core's users and tokens in ``incubator.admin_security``).

Loaded by ``IncubatorConfig.ready()``, after the admin's autodiscovery has registered
allauth's ``EmailAddressAdmin``."""

from allauth.account.models import EmailAddress
from django.contrib import admin

from incubator.accounts.models import PrivacyAcceptance
from incubator.admin_security import administrators_only

if admin.site.is_registered(EmailAddress):
    current = type(admin.site.get_model_admin(EmailAddress))
    admin.site.unregister(EmailAddress)
    admin.site.register(EmailAddress, administrators_only(current))


@admin.register(PrivacyAcceptance)
@administrators_only
class PrivacyAcceptanceAdmin(admin.ModelAdmin):
    list_display = ("user", "version", "accepted_at", "client_address")
    list_select_related = ("user",)
    list_filter = ("version",)
    search_fields = ("user__username", "user__email")
    readonly_fields = ("user", "version", "accepted_at", "client_address")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
