"""The coordinators' back office (``/admin/``).

- Reach: every queryset is ``access.back_office_scope`` (``access.visible`` narrowed to
  the programmes the user coordinates), so another programme's record is not listed and
  its URL answers 404. Staff users who coordinate nothing see nothing; administrators
  see everything. No Django model permissions are involved: roles decide.
- Writes: forms collect input and ``save_with_services`` hands it to the services;
  state changes are admin actions calling the services. A service's refusal comes back
  as form errors (the whole save is rolled back and the form shown again) or, for
  actions, as error messages with nothing changed.
- History: change pages of applications, calls, ventures, enrolments and people list
  their audit events; the audit trail has its own read-only list.
- Import and export: people and applications (``incubator.resources``).
"""

import json
from collections.abc import Callable, Iterable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incubator import (
    access,
    admin_security,  # noqa: F401  (Django's history pages answer 404 out of reach)
    audit,
    audit_labels,
    services,
)
from incubator.access import back_office_scope
from incubator.admin_tables import CappedCountPaginator, RelatedChoicesFilter
from incubator.exceptions import NotPermitted
from incubator.forms import (
    ProgrammeForm,
    UserChangeForm,
    UserCreationForm,
    VentureChangeForm,
    VentureForm,
    with_refusal,
)
from incubator.imports.admin import ServiceImportExportMixin
from incubator.models import (
    AuditEvent,
    LegalFormChange,
    Person,
    Programme,
    Role,
    RoleAssignment,
    TeamMember,
    User,
    Venture,
)
from incubator.resources import PersonResource

BOTH = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]


APPLY = "_apply"


# Foreign-key filters read their choices from the related table, not from every row of
# the list (see incubator.admin_tables).
RelatedOnly = RelatedChoicesFilter


def is_back_office(user) -> bool:
    """Administrators, and staff users who coordinate at least one programme."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return False
    return access.is_admin(user) or bool(access.coordinated(user))


def new_rows(formset, fields: Iterable[str]) -> list[dict]:
    """The rows added in an inline formset (the existing ones are read-only)."""
    return [
        {name: form.cleaned_data.get(name) for name in fields}
        for form in formset.extra_forms
        if form.has_changed() and not form.cleaned_data.get("DELETE")
    ]


# Labels of the audited values that are choices, by key: the subjects' back offices add
# theirs (``"state"``: the application's states, ``"status"``: the enrolment's).
CHOICE_LABELS: dict[str, type[models.TextChoices]] = {}


def _show(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if key in CHOICE_LABELS and value in CHOICE_LABELS[key].values:
        return str(CHOICE_LABELS[key](value).label)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:119] + "…"


def describe_change(before: dict, after: dict) -> str:
    """``state: Submitted → Eligible``; values only after (a creation) read ``key: value``."""
    parts = []
    for key in [*after, *(k for k in before if k not in after)]:
        if key in before:
            parts.append(f"{key}: {_show(key, before[key])} → {_show(key, after.get(key))}")
        else:
            parts.append(f"{key}: {_show(key, after[key])}")
    return "; ".join(parts)


def history_rows(obj) -> list[dict]:
    return [
        {
            "at": event.at,
            "actor": event.actor,
            "verb": event.verb,
            "what": audit_labels.verb_label(event.verb, CHOICE_LABELS),
            "change": describe_change(event.before, event.after),
            "reason": event.reason,
        }
        for event in audit.history(obj)
    ]


class ScopedChoicesMixin:
    """Foreign-key choices are what the related model's admin shows this user."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if related_admin is not None and "queryset" not in kwargs:
            kwargs["queryset"] = related_admin.get_queryset(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BackOfficeAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    #: from the model to its programme, for the back office's reach
    programme_path = "programme"
    #: rows may be added (through ``save_with_services``)
    addable = False
    #: rows may be changed (through ``save_with_services``)
    writable = False
    #: the change page lists the record's audit events
    show_history = False
    show_full_result_count = False
    list_per_page = 50
    # Counts stop at CappedCountPaginator.CAP: no full count of a large table per page.
    paginator = CappedCountPaginator

    def get_queryset(self, request):
        return back_office_scope(request.user, super().get_queryset(request), self.programme_path)

    def get_object(self, request, object_id, from_field=None):
        # Out of reach and missing look the same: 404, never the admin's "does not exist".
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(gettext("No such record."))
        return obj

    # -- permissions: roles, not Django model permissions; the queryset holds the reach

    def has_module_permission(self, request):
        return is_back_office(request.user)

    def has_view_permission(self, request, obj=None):
        return is_back_office(request.user)

    def has_add_permission(self, request):
        return self.addable and is_back_office(request.user)

    def has_change_permission(self, request, obj=None):
        return self.writable and is_back_office(request.user)

    def has_delete_permission(self, request, obj=None):
        # Records of funded programmes are never deleted from here (no delete service).
        return False

    # -- writes through the services

    def save_with_services(self, request, obj, form, formsets, change):
        """Write the form (and the inline rows) with the services; return the record."""
        raise PermissionDenied

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from exc
        except ValidationError as refusal:
            # The service refused after the form was valid; Django's atomic block has
            # rolled everything back. Show the same form again with the refusal on it.
            if request.method != "POST" or hasattr(request, "_service_refusal"):
                raise
            request._service_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        return with_refusal(form, refusal) if refusal is not None else form

    def save_model(self, request, obj, form, change):
        """Nothing here: ``save_related`` writes, once the inline rows are known too."""

    def save_related(self, request, form, formsets, change):
        record = self.save_with_services(request, form.instance, form, formsets, change)
        form.instance.pk = record.pk
        form.instance._state.adding = False
        for formset in formsets:
            # What construct_change_message reads; the services wrote the rows.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.show_history:
            context["audit_history"] = history_rows(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # -- actions

    def run_services(self, request, objects: Iterable, operation: Callable, done: str, *, form=None, title=None):
        """``operation(obj)`` for each record, all or nothing; refusals become messages or,
        given the action's ``form``, errors on it (on the field the service names when the
        form has it) and the action's page again, with nothing changed."""
        objects = list(objects)
        errors = []
        refused: dict[str, list[str]] = {}
        with transaction.atomic():
            for obj in objects:
                try:
                    operation(obj)
                except ValidationError as exc:
                    errors.append(f"{obj}: {' '.join(exc.messages)}")
                    found = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
                    for field, texts in found.items():
                        refused.setdefault(field, []).extend(texts)
                except NotPermitted as exc:
                    errors.append(f"{obj}: {exc.message}")
                    refused.setdefault(NON_FIELD_ERRORS, []).append(str(exc.message))
            if errors:
                transaction.set_rollback(True)
        if errors and form is not None:
            for field, texts in refused.items():
                if field in form.fields:
                    form.add_error(field, texts)
                else:
                    named = field not in (NON_FIELD_ERRORS, "non_field_errors")
                    form.add_error(None, [f"{field}: {t}" if named else t for t in texts])
            return self.action_page(request, objects, form, title=title)
        if errors:
            for error in errors:
                self.message_user(request, error, messages.ERROR)
            self.message_user(request, gettext("Nothing was changed."), messages.ERROR)
        else:
            self.message_user(request, done % {"n": len(objects)}, messages.SUCCESS)
        return None

    def action_page(self, request, queryset, form, *, title):
        """The intermediate page of an action; it posts back to where the action came from."""
        change_form_field = f"{admin.ActionLocation.CHANGE_FORM.value}-action"
        action_field = change_form_field if change_form_field in request.POST else "action"
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "form": form,
            "sections": form.sections(),
            "objects": list(queryset),
            "action_field": action_field,
            "action_name": request.POST.get(action_field, ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "apply": APPLY,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/incubator/action_form.html", context)

    @staticmethod
    def posted(request):
        return request.POST if APPLY in request.POST else None


class BackOfficeInline(ScopedChoicesMixin, admin.TabularInline):
    """Existing rows are read-only; new rows, where allowed, go through the parent's
    ``save_with_services``."""

    extra = 0
    can_delete = False
    #: rows may be added on the parent's add page / change page
    add_on_create = False
    add_on_change = False

    def get_queryset(self, request):
        return access.visible(request.user, super().get_queryset(request))

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if self.has_add_permission(request, obj) else 0

    def has_view_permission(self, request, obj=None):
        return is_back_office(request.user)

    def has_add_permission(self, request, obj):
        return is_back_office(request.user) and (self.add_on_change if obj else self.add_on_create)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RolesInline(BackOfficeInline):
    """Roles are granted by administrators (``role_grant``); there is no revoke service yet."""

    model = RoleAssignment
    add_on_change = True
    add_on_create = True

    def has_add_permission(self, request, obj):
        return access.is_admin(request.user)


class UserRolesInline(RolesInline):
    fields = ("programme", "role")
    autocomplete_fields = ("programme",)


class ProgrammeRolesInline(RolesInline):
    fields = ("user", "role")
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts, for administrators only (no access rule covers users: see the report)."""

    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_staff", "is_superuser", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active")
    list_select_related = ()
    search_fields = ("username", "first_name", "last_name", "email")
    show_full_result_count = False
    paginator = CappedCountPaginator
    inlines = [UserRolesInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if access.is_admin(request.user) else queryset.none()

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_module_permission(self, request):
        return access.is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.is_admin(request.user)

    def has_add_permission(self, request):
        return access.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return access.is_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: actors stay named in the audit trail

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, [], change)
        for formset in formsets:
            for row in new_rows(formset, ("programme", "role")):
                services.role_grant(
                    actor=request.user, user=form.instance, programme=row["programme"], role=row["role"]
                )
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(Programme)
class ProgrammeAdmin(BackOfficeAdmin):
    """Administrators create programmes and grant roles; coordinators see theirs."""

    programme_path = "pk"
    form = ProgrammeForm
    list_display = ("code", "name", "fund", "action", "starts_on", "ends_on", "budget")
    list_filter = ("fund",)
    search_fields = ("code", "name", "cup")
    list_select_related = ()
    inlines = [ProgrammeRolesInline]

    def has_add_permission(self, request):
        return access.is_admin(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return is_back_office(request.user)
        return access.has_role(request.user, obj.pk, Role.COORDINATOR)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [f.name for f in Programme._meta.fields if f.name not in services.PROGRAMME_EDITABLE]

    def save_with_services(self, request, obj, form, formsets, change):
        if change:
            changed = {k: form.cleaned_data[k] for k in form.changed_data if k in services.PROGRAMME_EDITABLE}
            programme = services.programme_update(actor=request.user, programme=obj, **changed)
        else:
            programme = services.programme_create(actor=request.user, **form.cleaned_data)
        for formset in formsets:
            for row in new_rows(formset, ("user", "role")):
                services.role_grant(actor=request.user, user=row["user"], programme=programme, role=row["role"])
        return programme


@admin.register(Person)
class PersonAdmin(ServiceImportExportMixin, BackOfficeAdmin):
    addable = True
    writable = True
    show_history = True
    resource_classes = [PersonResource]
    list_display = ("last_name", "first_name", "tax_code", "email", "programme", "user", "anonymised_at")
    list_filter = (("programme", RelatedOnly),)
    search_fields = ("last_name", "first_name", "tax_code", "email")
    list_select_related = ("programme", "user")
    autocomplete_fields = ("programme", "user")
    fields = ("programme", "first_name", "last_name", "tax_code", "email", "phone", "user", "anonymised_at")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.anonymised_at is None)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["anonymised_at"]
        if obj is not None:
            readonly.append("programme")
        if not access.is_admin(request.user):
            readonly.append("user")  # linking an account needs the user list: administrators
        return readonly

    def save_with_services(self, request, obj, form, formsets, change):
        fields = dict(form.cleaned_data)
        if not change:
            return services.person_create(actor=request.user, programme=fields.pop("programme"), **fields)
        changed = {name: fields[name] for name in form.changed_data}
        return services.person_update(actor=request.user, person=obj, **changed) if changed else obj


class TeamMemberInline(BackOfficeInline):
    model = TeamMember
    fields = ("person", "role", "joined_on", "left_on")
    autocomplete_fields = ("person",)
    add_on_create = True
    add_on_change = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class LegalFormChangeInline(BackOfficeInline):
    model = LegalFormChange
    fields = ("legal_form", "effective_on", "registration_number", "note")
    add_on_change = True


@admin.register(Venture)
class VentureAdmin(BackOfficeAdmin):
    """Created with ``venture_create``; afterwards team members and legal form changes
    are added through their services (the venture's own fields have no update service)."""

    form = VentureForm
    addable = True
    writable = True
    show_history = True
    list_display = ("title", "programme", "applicant_kind", "target_area", "legal_form_now", "created_at")
    list_filter = (("programme", RelatedOnly), "applicant_kind")
    search_fields = ("title", "target_area")
    list_select_related = ("programme",)
    autocomplete_fields = ("programme",)
    inlines = [TeamMemberInline, LegalFormChangeInline]

    def get_queryset(self, request):
        latest = LegalFormChange.objects.in_force().filter(venture=OuterRef("pk")).order_by("-effective_on")
        return super().get_queryset(request).annotate(current_legal_form=Subquery(latest.values("legal_form")[:1]))

    @admin.display(description=_("legal form"), ordering="current_legal_form")
    def legal_form_now(self, venture):
        return (
            venture.current_legal_form
            and LegalFormChange(legal_form=venture.current_legal_form).get_legal_form_display()
        )

    def get_inlines(self, request, obj):
        # A new venture's legal form is on the form itself; later changes are rows here.
        return self.inlines if obj is not None else [TeamMemberInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ["programme", "created_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = VentureChangeForm
        return super().get_form(request, obj, change, **kwargs)

    def save_with_services(self, request, obj, form, formsets, change):
        if change:
            changed = {k: form.cleaned_data[k] for k in form.changed_data if k in services.VENTURE_EDITABLE}
            venture = services.venture_update(actor=request.user, venture=obj, **changed) if changed else obj
        else:
            fields = dict(form.cleaned_data)
            venture = services.venture_create(
                actor=request.user,
                programme=fields.pop("programme"),
                legal_form=fields.pop("legal_form"),
                legal_form_since=fields.pop("legal_form_since"),
                **fields,
            )
        rows = {formset.model: formset for formset in formsets}
        for row in new_rows(rows[TeamMember], ("person", "role", "joined_on")):
            services.team_member_add(actor=request.user, venture=venture, **row)
        if LegalFormChange in rows:
            for row in new_rows(rows[LegalFormChange], LegalFormChangeInline.fields):
                services.venture_change_legal_form(actor=request.user, venture=venture, **row)
        return venture


@admin.register(AuditEvent)
class AuditEventAdmin(BackOfficeAdmin):
    list_display = ("at", "actor", "what", "programme", "target", "reason")
    list_filter = ("verb", ("programme", RelatedOnly), ("actor", RelatedOnly), ("at", admin.DateFieldListFilter))
    search_fields = ("verb", "target_repr", "reason")
    list_select_related = ("actor", "programme", "target_type")
    fields = ("at", "actor", "what", "programme", "target", "change_summary", "reason")
    readonly_fields = fields

    @admin.display(description=_("what"), ordering="verb")
    def what(self, event):
        return audit_labels.verb_label(event.verb, CHOICE_LABELS)

    @admin.display(description=_("target"), ordering="target_repr")
    def target(self, event):
        try:
            url = reverse(
                f"admin:{event.target_type.app_label}_{event.target_type.model}_change", args=[event.target_id]
            )
        except NoReverseMatch:
            return event.target_repr
        return format_html('<a href="{}">{}</a>', url, event.target_repr)

    @admin.display(description=_("change"))
    def change_summary(self, event):
        return describe_change(event.before, event.after)
