"""Coordinators edit their programme's document texts here. A save never changes a row:
it adds the next version (``services.template_save``), refused when the text uses an
unknown placeholder (named in the error)."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from incubator.admin import BackOfficeAdmin
from incubator.documents import services
from incubator.documents.kinds import PLACEHOLDERS
from incubator.documents.models import DocumentTemplate, GeneratedDocument, SignedAct


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(BackOfficeAdmin):
    addable = True
    writable = True
    list_display = ("programme", "kind", "language", "version", "created_at")
    list_select_related = ("programme",)
    list_filter = ("kind", "language")
    fields = ("programme", "kind", "language", "body", "placeholders")
    readonly_fields = ("placeholders",)

    @admin.display(description=_("placeholders you may use"))
    def placeholders(self, obj):
        kinds = [obj.kind] if obj and obj.kind else list(PLACEHOLDERS)
        return format_html_join(
            "",
            "<p><strong>{}</strong>: {}</p>",
            ((k, ", ".join("{{ " + n + " }}" for n in PLACEHOLDERS[k])) for k in kinds),
        )

    def save_with_services(self, request, obj, form, formsets, change):
        data = form.cleaned_data
        return services.template_save(
            actor=request.user,
            programme=data["programme"],
            kind=data["kind"],
            language=data["language"],
            body=data["body"],
        )


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(BackOfficeAdmin):
    list_display = ("kind", "subject", "language", "template_version", "sha256", "issued_at")
    list_select_related = ()  # the list shows no related record
    list_filter = ("kind",)
    fields = ("programme", "kind", "subject", "language", "template_version", "sha256", "issued_by", "issued_at")
    readonly_fields = fields


@admin.register(SignedAct)
class SignedActAdmin(BackOfficeAdmin):
    """Read-only: signed acts arrive verified through the page or the API."""

    list_display = ("grant", "signer_name", "issuer", "signed_at", "signature_format", "same_bytes", "verified_at")
    list_select_related = ("grant__venture",)
    list_filter = ("signature_format", "same_bytes")
    search_fields = ("signer_name", "issuer", "sha256")
    fields = (
        "programme", "grant", "document", "signature_format", "file_name", "sha256", "signer_name", "issuer",
        "signed_at", "same_bytes", "uploaded_by", "verified_at",
    )  # fmt: skip
    readonly_fields = fields
