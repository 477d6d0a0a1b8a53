"""The back office's pages on measures and the state-aid register codes, added to the
selection's and funding's admin pages (imported by ``incubator.funding.admin``):

- the call's change page gets its **budget split by measure** (one amount per measure of
  the programme), written through ``call_budget_set``, never by the model admin's save;
  the service's refusals (over a measure's budget, a measure the call's grants commit
  against) come back as form errors naming the section;
- proposing a grant asks the **measure** when a call in reach draws on more than one
  (``measure_for_grant`` decides; its refusal lands on the field);
- revoking a grant asks the register's **COVAR**, passed to ``grant_revoke`` (recorded as a
  variation of the aid); the service's refusals come back on the action's form.

The Call admin is the selection's, extended here: selection may not import funding."""

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incubator.access import back_office_scope
from incubator.exceptions import DomainError
from incubator.forms import ReasonDateForm
from incubator.funding import services
from incubator.funding.common import eur
from incubator.funding.models import CallBudget
from incubator.models import Measure
from incubator.selection.admin import CallAdmin
from incubator.selection.models import Call

PREFIX = "measure_"


def measure_field(measure: Measure) -> str:
    return f"{PREFIX}{measure.pk}"


# --- the call's budget split -------------------------------------------------------------


def _budget_fields(call: Call) -> dict[str, forms.Field]:
    """One optional amount per measure of the call's programme, with what is left on it."""
    current = dict(CallBudget.objects.filter(call=call).values_list("measure_id", "amount"))
    drawn = dict(
        CallBudget.objects.filter(measure__programme_id=call.programme_id)
        .exclude(call=call)
        .values_list("measure_id")
        .annotate(total=Sum("amount"))
    )
    fields = {}
    for measure in Measure.objects.filter(programme_id=call.programme_id).order_by("code", "pk"):
        left = measure.budget - (drawn.get(measure.pk) or 0)
        fields[measure_field(measure)] = forms.DecimalField(
            label=f"{measure.code} · {measure.title} ({measure.fund})",
            max_digits=14,
            decimal_places=2,
            min_value=0,
            required=False,
            initial=current.get(measure.pk),
            help_text=_("EUR. Left for this call on the measure: %(left)s EUR. Empty: the call does not draw on it.")
            % {"left": eur(left)},
        )
    return fields


def budget_form(base: type[forms.ModelForm], call: Call, readonly) -> type[forms.ModelForm]:
    # Declared fields shown read-only leave the form, as ModelAdmin.get_form does for its own.
    attrs = {name: None for name in readonly if name in base.declared_fields}
    form = type(base.__name__, (base,), {**attrs, **_budget_fields(call)})
    return form


class CallBudgetAdmin(CallAdmin):
    """The selection's call pages, with the budget split by measure on the change page."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = budget_form(self.form, obj, self.get_readonly_fields(request, obj))
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        split = [name for _title, options in fieldsets for name in options["fields"] if name.startswith(PREFIX)]
        rest = [
            (title, {**options, "fields": [n for n in options["fields"] if not n.startswith(PREFIX)]})
            for title, options in fieldsets
        ]
        description = (
            _("The programme has no measures yet: add them under Measures.")
            if not split
            else _("The amount this call draws on each measure (and so each fund).")
        )
        return [*rest, (_("Budget by measure"), {"fields": split, "description": description})]

    def save_with_services(self, request, obj, form, formsets, change):
        call = super().save_with_services(request, obj, form, formsets, change)
        if change and any(name.startswith(PREFIX) for name in form.changed_data):
            shares = {
                int(name[len(PREFIX) :]): value
                for name, value in form.cleaned_data.items()
                if name.startswith(PREFIX) and value is not None
            }
            try:
                services.call_budget_set(actor=request.user, call=call, shares=shares)
            except DomainError as refusal:
                if refusal.field != "measures":
                    raise
                label = gettext("Budget by measure")
                raise ValidationError({NON_FIELD_ERRORS: [f"{label}: {m}" for m in refusal.messages]}) from refusal
        return call


admin.site.unregister(Call)
admin.site.register(Call, CallBudgetAdmin)


# --- grants: the measure when proposing, the COVAR when revoking --------------------------


def split_calls(user):
    """The calls in the user's reach that draw on more than one measure."""
    calls = back_office_scope(user, Call.objects.all(), "programme")
    return calls.annotate(split=Count("budget_split")).filter(split__gt=1)


class GrantMeasureMixin:
    """For ``GrantAdmin``: the measure on the proposal form when a call in reach is split
    over several measures, and on the grant's page."""

    def measure_asked(self, request) -> bool:
        return split_calls(request.user).exists()

    def with_measure(self, request, obj, fields) -> list[str]:
        """``fields`` with the measure after the amount (for ``get_fields``)."""
        fields = list(fields)
        if obj is not None or self.measure_asked(request):
            fields.insert(fields.index("amount") + 1, "measure")
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None and "measure" in form.base_fields:
            field = form.base_fields["measure"]
            field.required = False
            field.help_text = gettext(
                "Required when the call draws on several measures (%(calls)s); otherwise the call's only measure."
            ) % {"calls": ", ".join(c.reference or c.title for c in split_calls(request.user)[:5])}
        return form


class RevokeForm(ReasonDateForm):
    covar = forms.CharField(
        label=_("COVAR (variation code)"),
        max_length=20,
        required=False,
        help_text=_(
            "The variation code the state-aid register (RNA) gave the revocation: recorded as a variation of the aid."
        ),
    )


def revoke(model_admin, request, queryset):
    form = RevokeForm(model_admin.posted(request))
    if not form.is_valid():
        return model_admin.action_page(request, queryset, form, title=_("Revoke"))
    data = form.cleaned_data
    return model_admin.run_services(
        request,
        queryset,
        lambda grant: services.grant_revoke(
            actor=request.user, grant=grant, reason=data["reason"], on=data["on"], covar=data["covar"]
        ),
        gettext("%(n)s grants revoked."),
        form=form,
        title=_("Revoke"),
    )
