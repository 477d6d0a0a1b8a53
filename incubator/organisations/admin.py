"""Back office for organisations: coordinators register them (through the service) and
see their members. Built on ``incubator.admin.BackOfficeAdmin``."""

from django.contrib import admin

from incubator.admin import BackOfficeAdmin
from incubator.organisations import services
from incubator.organisations.models import Organisation, OrganisationMember


class OrganisationMemberInline(admin.TabularInline):
    model = OrganisationMember
    fields = ("user", "position")
    readonly_fields = ("user", "position")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(BackOfficeAdmin):
    programme_path = "programme"
    addable = True
    fields = ("programme", *services.FIELDS)
    list_display = ["name", "kind", "tax_code", "istat_code", "population", "runts_number", "company_size"]
    list_filter = ["kind", "company_size"]
    search_fields = ["name", "tax_code", "istat_code", "runts_number"]
    list_select_related = ["programme"]
    inlines = [OrganisationMemberInline]
    show_history = True

    def save_with_services(self, request, obj, form, formsets, change):
        data = dict(form.cleaned_data)
        programme = data.pop("programme")
        return services.organisation_create(
            actor=request.user, programme=programme, **{k: data.get(k) for k in services.FIELDS}
        )
