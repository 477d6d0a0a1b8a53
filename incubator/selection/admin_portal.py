"""The back office of the applicant portal: the call's form builder (sections, questions
with Italian and English labels), its public documents and FAQ, and the integration
requests. Writes go through ``incubator.selection.office``; the form of a call with a
submitted application is read-only (and the service refuses edits anyway)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from incubator.admin import BackOfficeAdmin, BackOfficeInline, RelatedOnly
from incubator.selection import office
from incubator.selection.models import CallDocument, CallFaq, FormSection, IntegrationRequest, Question


class QuestionInline(BackOfficeInline):
    model = Question
    fields = ("order", "kind", "label_it", "label_en", "required", "identifying")
    readonly_fields = fields
    show_change_link = True


@admin.register(FormSection)
class FormSectionAdmin(BackOfficeAdmin):
    programme_path = "call__programme"
    addable = True
    writable = True
    list_display = ("title_it", "title_en", "call", "order")
    list_filter = (("call", RelatedOnly),)
    list_select_related = ("call",)
    fields = ("call", "title_it", "title_en", "order")
    inlines = [QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None and office.form_frozen(obj.call) else ()

    def save_with_services(self, request, obj, form, formsets, change):
        return office.section_save(actor=request.user, section=obj)


@admin.register(Question)
class QuestionAdmin(BackOfficeAdmin):
    programme_path = "section__call__programme"
    addable = True
    writable = True
    list_display = ("label_it", "kind", "required", "identifying", "section", "order")
    list_filter = ("kind", ("section__call", RelatedOnly))
    list_select_related = ("section",)
    fields = (
        "section",
        "order",
        "kind",
        "label_it",
        "label_en",
        "help_it",
        "help_en",
        "required",
        "identifying",
        "max_chars",
        "choices",
        "file_types",
        "max_file_mb",
    )

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None and office.form_frozen(obj.section.call) else ()

    def save_with_services(self, request, obj, form, formsets, change):
        return office.question_save(actor=request.user, question=obj)


@admin.register(CallDocument)
class CallDocumentAdmin(BackOfficeAdmin):
    programme_path = "call__programme"
    addable = True
    list_display = ("title", "call", "order", "uploaded_at")
    list_filter = (("call", RelatedOnly),)
    list_select_related = ("call",)
    fields = ("call", "title", "file", "order")

    def save_with_services(self, request, obj, form, formsets, change):
        return office.document_add(
            actor=request.user,
            call=form.cleaned_data["call"],
            title=form.cleaned_data["title"],
            file=form.cleaned_data["file"],
            order=form.cleaned_data["order"],
        )


@admin.register(CallFaq)
class CallFaqAdmin(BackOfficeAdmin):
    programme_path = "call__programme"
    addable = True
    writable = True
    list_display = ("question", "call", "order")
    list_filter = (("call", RelatedOnly),)
    list_select_related = ("call",)
    fields = ("call", "question", "answer", "order")

    def save_with_services(self, request, obj, form, formsets, change):
        return office.faq_save(actor=request.user, faq=obj)


@admin.register(IntegrationRequest)
class IntegrationRequestAdmin(BackOfficeAdmin):
    """Read here; requests are made and answered on the office's and applicant's pages."""

    programme_path = "application__call__programme"
    list_display = ("application", "state", "requested_at", "deadline", "answered_at")
    list_filter = ("state",)
    list_select_related = ("application__venture", "application__call")
    readonly_fields = ("application", "items", "deadline", "state", "answer_text", "answered_at", "requested_at")
    fields = readonly_fields

    @admin.display(description=_("application"))
    def application_label(self, obj):
        return str(obj.application)
