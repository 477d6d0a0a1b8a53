"""The back office of the participant's path: enrolments and their actions (dates, status,
suspension, milestone plan), milestone templates and milestones."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The rest of the incubator's back office, built on the classes above.
from incubator.admin import BOTH, CHOICE_LABELS, BackOfficeAdmin, BackOfficeInline, RelatedOnly
from incubator.forms import (
    DateForm,
    ReasonDateForm,
)
from incubator.path import services
from incubator.path import services as services_path
from incubator.path.forms import EnrolmentForm
from incubator.path.models import Enrolment, EnrolmentStatus, Milestone, MilestoneTemplate

CHOICE_LABELS["status"] = EnrolmentStatus


class MilestoneInline(BackOfficeInline):
    model = Milestone
    fields = ("title", "due_on", "state", "achieved_on", "verified_at")


@admin.register(Enrolment)
class EnrolmentAdmin(BackOfficeAdmin):
    """Created by admission. The end date is changed with ``enrolment_update_dates``;
    suspension, resumption, completion and withdrawal are actions."""

    programme_path = "application__call__programme"
    form = EnrolmentForm
    writable = True
    show_history = True
    list_display = ("venture", "call", "starts_on", "ends_on", "status", "exited_on")
    list_filter = ("status", ("application__call", RelatedOnly), ("application__call__programme", RelatedOnly))
    search_fields = ("application__venture__title",)
    list_select_related = ("application__venture", "application__call")
    autocomplete_fields = ("application",)
    readonly_fields = ("application", "starts_on", "max_months", "status", "exited_on", "exit_reason")
    inlines = [MilestoneInline]
    actions = ["suspend", "resume", "complete", "withdraw"]

    @admin.display(description=_("venture"), ordering="application__venture__title")
    def venture(self, enrolment):
        return enrolment.application.venture

    @admin.display(description=_("call"), ordering="application__call__title")
    def call(self, enrolment):
        return enrolment.application.call

    def has_change_permission(self, request, obj=None):
        open_states = (EnrolmentStatus.ACTIVE, EnrolmentStatus.SUSPENDED)
        return super().has_change_permission(request, obj) and (obj is None or obj.status in open_states)

    def save_with_services(self, request, obj, form, formsets, change):
        if "ends_on" not in form.changed_data:
            return obj
        return services.enrolment_update_dates(
            actor=request.user,
            enrolment=obj,
            ends_on=form.cleaned_data["ends_on"],
            reason=form.cleaned_data["change_reason"],
        )

    @admin.action(description=_("Suspend (asks the reason)"), location=BOTH)
    def suspend(self, request, queryset):
        form = ReasonDateForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Suspend"))
        self.run_services(
            request,
            queryset,
            lambda enrolment: services_path.enrolment_suspend(
                actor=request.user, enrolment=enrolment, reason=form.cleaned_data["reason"], on=form.cleaned_data["on"]
            ),
            gettext("%(n)s enrolments suspended."),
        )

    @admin.action(description=_("Resume"), location=BOTH)
    def resume(self, request, queryset):
        form = DateForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Resume"))
        self.run_services(
            request,
            queryset,
            lambda enrolment: services_path.enrolment_resume(
                actor=request.user, enrolment=enrolment, on=form.cleaned_data["on"]
            ),
            gettext("%(n)s enrolments resumed."),
        )

    def _close(self, request, queryset, *, status: str, title, reason_required: bool, done: str):
        form = ReasonDateForm(self.posted(request), reason_required=reason_required)
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=title)
        self.run_services(
            request,
            queryset,
            lambda enrolment: services.enrolment_change_status(
                actor=request.user,
                enrolment=enrolment,
                status=status,
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["on"],
            ),
            done,
        )

    @admin.action(description=_("Complete the path"), location=BOTH)
    def complete(self, request, queryset):
        return self._close(
            request,
            queryset,
            status=EnrolmentStatus.COMPLETED,
            title=_("Complete the path"),
            reason_required=False,
            done=gettext("%(n)s enrolments completed."),
        )

    @admin.action(description=_("Withdraw (asks the reason)"), location=BOTH)
    def withdraw(self, request, queryset):
        return self._close(
            request,
            queryset,
            status=EnrolmentStatus.WITHDRAWN,
            title=_("Withdraw from the path"),
            reason_required=True,
            done=gettext("%(n)s enrolments withdrawn."),
        )


@admin.register(MilestoneTemplate)
class MilestoneTemplateAdmin(BackOfficeAdmin):
    addable = True
    writable = True
    list_display = ("title", "programme", "offset_months", "order", "crowdfunding_only")
    list_filter = (("programme", RelatedOnly), "crowdfunding_only")
    search_fields = ("title",)
    list_select_related = ("programme",)
    autocomplete_fields = ("programme",)

    def get_readonly_fields(self, request, obj=None):
        return ("programme",) if obj is not None else ()

    def save_with_services(self, request, obj, form, formsets, change):
        fields = dict(form.cleaned_data)
        if not change:
            return services_path.milestone_template_create(
                actor=request.user, programme=fields.pop("programme"), **fields
            )
        changed = {name: fields[name] for name in form.changed_data}
        return services_path.milestone_template_update(actor=request.user, template=obj, **changed) if changed else obj


@admin.register(Milestone)
class MilestoneAdmin(BackOfficeAdmin):
    """Read-only: milestones are planned, achieved and verified on the path pages."""

    programme_path = "enrolment__application__call__programme"
    list_display = ("title", "venture", "due_on", "state", "achieved_on", "verified_by")
    list_filter = ("state", ("enrolment__application__call__programme", RelatedOnly))
    search_fields = ("title", "enrolment__application__venture__title")
    list_select_related = ("enrolment__application__venture", "verified_by")
    autocomplete_fields = ("enrolment", "template", "verified_by")

    @admin.display(description=_("venture"), ordering="enrolment__application__venture__title")
    def venture(self, milestone):
        return milestone.enrolment.application.venture
