"""The selection's back office: calls with their criteria and checklist, applications with
their workflow actions (check, evaluators, decision), evaluations and scores."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The rest of the incubator's back office, built on the classes above.
from incubator import access
from incubator.admin import BOTH, CHOICE_LABELS, BackOfficeAdmin, BackOfficeInline, RelatedOnly, new_rows
from incubator.forms import ReasonForm
from incubator.imports.admin import ServiceImportExportMixin
from incubator.models import Role, RoleAssignment, User
from incubator.path.forms import StartDateForm
from incubator.selection import services
from incubator.selection.forms import CallForm, DecisionForm, EligibilityForm, EvaluatorsForm
from incubator.selection.models import (
    Application,
    ApplicationState,
    Call,
    ChecklistAnswer,
    ChecklistItem,
    Criterion,
    Evaluation,
    Score,
)
from incubator.selection.resources import ApplicationResource

CHOICE_LABELS["state"] = ApplicationState


class CriterionInline(BackOfficeInline):
    model = Criterion
    fields = ("name", "weight", "max_score", "order")
    add_on_create = True


class ChecklistItemInline(BackOfficeInline):
    model = ChecklistItem
    fields = ("kind", "question", "order")
    add_on_create = True


@admin.register(Call)
class CallAdmin(BackOfficeAdmin):
    """Calls are created with their criteria and checklist (``call_create``); afterwards the
    fields its stage allows change through ``call_update``; ranking and admission are actions."""

    form = CallForm
    addable = True
    writable = True
    show_history = True
    list_display = ("title", "reference", "programme", "opens_at", "closes_at", "places", "ranking_published_at")
    list_filter = (("programme", RelatedOnly),)
    search_fields = ("title", "reference")
    list_select_related = ("programme",)
    autocomplete_fields = ("programme",)
    inlines = [CriterionInline, ChecklistItemInline]
    actions = ["compute_ranking", "decide_ranking"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        editable = services.call_editable_fields(obj)
        return [name for name in CallForm.Meta.fields if name not in editable]

    def get_inlines(self, request, obj):
        # Criteria and checklist are fixed once the call exists: scores and checks rely on them.
        return self.inlines if obj is None else []

    def save_with_services(self, request, obj, form, formsets, change):
        if change:
            editable = services.call_editable_fields(obj)
            changed = {k: form.cleaned_data[k] for k in form.changed_data if k in editable}
            return services.call_update(actor=request.user, call=obj, **changed)
        fields = dict(form.cleaned_data)
        programme = fields.pop("programme")
        rows = {formset.model: formset for formset in formsets}
        return services.call_create(
            actor=request.user,
            programme=programme,
            criteria=new_rows(rows[Criterion], CriterionInline.fields),
            checklist=new_rows(rows[ChecklistItem], ChecklistItemInline.fields),
            **fields,
        )

    @admin.action(description=_("Compute the ranking"), location=BOTH)
    def compute_ranking(self, request, queryset):
        self.run_services(
            request,
            queryset,
            lambda call: services.call_compute_ranking(actor=request.user, call=call),
            gettext("Ranking computed for %(n)s calls."),
        )

    @admin.action(description=_("Decide the ranking: admit, waitlist, reject"), location=BOTH)
    def decide_ranking(self, request, queryset):
        form = StartDateForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Decide the ranking"))
        self.run_services(
            request,
            queryset,
            lambda call: services.call_decide_ranking(
                actor=request.user, call=call, starts_on=form.cleaned_data["starts_on"]
            ),
            gettext("Ranking decided for %(n)s calls."),
        )


class ChecklistAnswerInline(BackOfficeInline):
    model = ChecklistAnswer
    fields = ("item", "answer", "note")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item")


class EvaluationInline(BackOfficeInline):
    model = Evaluation
    fields = (
        "evaluator",
        "assigned_at",
        "conflict_declared",
        "conflict_note",
        "submitted_at",
        "weighted_total",
        "scores",
    )
    readonly_fields = ("assigned_at", "scores")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("evaluator").prefetch_related("scores__criterion")

    @admin.display(description=_("scores"))
    def scores(self, evaluation):
        return "; ".join(f"{s.criterion.name}: {s.value}" for s in evaluation.scores.all()) or "—"


@admin.register(Application)
class ApplicationAdmin(ServiceImportExportMixin, BackOfficeAdmin):
    """Created with ``application_create``; every later step is an action."""

    programme_path = "call__programme"
    addable = True
    show_history = True
    resource_classes = [ApplicationResource]
    list_display = ("venture", "call", "state", "submitted_at", "score", "rank", "crowdfunding_referral")
    list_filter = (
        "state",
        ("call", RelatedOnly),
        ("call__programme", RelatedOnly),
        "crowdfunding_referral",
    )
    search_fields = ("venture__title", "call__title", "call__reference")
    list_select_related = ("venture", "call")
    autocomplete_fields = ("venture", "call")
    inlines = [ChecklistAnswerInline, EvaluationInline]
    actions = [
        "submit",
        "mark_eligible",
        "mark_ineligible",
        "assign_evaluators",
        "decide",
        "refer_to_crowdfunding",
        "withdraw",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("venture", "call")
        return (
            "venture",
            "call",
            "state",
            "submitted_at",
            "score",
            "rank",
            "decision_reason",
            "crowdfunding_referral",
            "created_at",
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_with_services(self, request, obj, form, formsets, change):
        return services.application_create(
            actor=request.user, venture=form.cleaned_data["venture"], call=form.cleaned_data["call"]
        )

    @admin.action(description=_("Submit on the applicant's behalf"), location=BOTH)
    def submit(self, request, queryset):
        self.run_services(
            request,
            queryset,
            lambda application: services.application_submit(actor=request.user, application=application),
            gettext("%(n)s applications submitted."),
        )

    def _check(self, request, queryset, *, eligible: bool, title):
        applications = list(queryset.select_related("venture", "call").prefetch_related("call__checklist"))
        form = EligibilityForm(self.posted(request), applications=applications, eligible=eligible)
        if not form.is_valid():
            return self.action_page(request, applications, form, title=title)
        reason = form.cleaned_data["reason"]
        self.run_services(
            request,
            applications,
            lambda application: services.application_check(
                actor=request.user,
                application=application,
                answers=form.answers(application),
                eligible=eligible,
                reason=reason,
            ),
            gettext("%(n)s applications marked eligible.") if eligible else gettext("%(n)s applications ineligible."),
        )

    @admin.action(description=_("Mark eligible (answers the checklist)"), location=BOTH)
    def mark_eligible(self, request, queryset):
        return self._check(request, queryset, eligible=True, title=_("Mark eligible"))

    @admin.action(description=_("Mark ineligible (asks the reason)"), location=BOTH)
    def mark_ineligible(self, request, queryset):
        return self._check(request, queryset, eligible=False, title=_("Mark ineligible"))

    @admin.action(description=_("Assign evaluators"), location=BOTH)
    def assign_evaluators(self, request, queryset):
        programme_ids = set(queryset.values_list("call__programme", flat=True))
        evaluator_ids = (
            access.visible(request.user, RoleAssignment)
            .filter(role=Role.EVALUATOR, programme__in=programme_ids)
            .values("user")
        )
        evaluators = User.objects.filter(pk__in=evaluator_ids).order_by("last_name", "first_name", "username")
        form = EvaluatorsForm(self.posted(request), evaluators=evaluators)
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Assign evaluators"))

        def assign(application):
            for evaluator in form.cleaned_data["evaluators"]:
                services.evaluator_assign(actor=request.user, application=application, evaluator=evaluator)

        self.run_services(request, queryset, assign, gettext("Evaluators assigned to %(n)s applications."))

    @admin.action(description=_("Decide: admit, waitlist or reject"), location=BOTH)
    def decide(self, request, queryset):
        form = DecisionForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Decide"))
        self.run_services(
            request,
            queryset,
            lambda application: services.application_decide(
                actor=request.user,
                application=application,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                crowdfunding_referral=form.cleaned_data["crowdfunding_referral"],
                starts_on=form.cleaned_data["starts_on"],
            ),
            gettext("%(n)s applications decided."),
        )

    @admin.action(description=_("Refer to crowdfunding tutoring"), location=BOTH)
    def refer_to_crowdfunding(self, request, queryset):
        self.run_services(
            request,
            queryset,
            lambda application: services.application_refer_to_crowdfunding(actor=request.user, application=application),
            gettext("%(n)s applications referred to crowdfunding tutoring."),
        )

    @admin.action(description=_("Withdraw (asks the reason)"), location=BOTH)
    def withdraw(self, request, queryset):
        form = ReasonForm(self.posted(request))
        if not form.is_valid():
            return self.action_page(request, queryset, form, title=_("Withdraw"))
        self.run_services(
            request,
            queryset,
            lambda application: services.application_withdraw(
                actor=request.user, application=application, reason=form.cleaned_data["reason"]
            ),
            gettext("%(n)s applications withdrawn."),
        )


class ScoreInline(BackOfficeInline):
    model = Score
    fields = ("criterion", "value", "max_score")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion")


@admin.register(Evaluation)
class EvaluationAdmin(BackOfficeAdmin):
    """Read-only: evaluators score on their own pages; coordinators assign by action."""

    programme_path = "application__call__programme"
    list_display = ("application", "evaluator", "conflict_declared", "submitted_at", "weighted_total")
    list_filter = ("conflict_declared", ("application__call", RelatedOnly), ("evaluator", RelatedOnly))
    search_fields = ("application__venture__title", "evaluator__username", "evaluator__last_name")
    list_select_related = ("application__venture", "application__call", "evaluator")
    autocomplete_fields = ("application", "evaluator")
    inlines = [ScoreInline]


# The applicant portal: form builder, documents, FAQ, integration requests.
from incubator.selection import admin_portal  # noqa: E402, F401
