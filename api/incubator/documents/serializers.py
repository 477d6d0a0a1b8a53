from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.representation import ModelSerializer, Serializer
from incubator.documents.models import SignedAct


class SignedActSerializer(ModelSerializer):
    """What the verification recorded; the signed file itself is at ``file_url``."""

    signature_format_label = serializers.CharField(source="get_signature_format_display", read_only=True)
    document_sha256 = serializers.CharField(source="document.sha256", read_only=True)
    document_template_version = serializers.IntegerField(source="document.template_version", read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = SignedAct
        fields = [
            "id", "grant", "signature_format", "signature_format_label", "file_name", "sha256", "signer_name",
            "issuer", "signed_at", "same_bytes", "document", "document_sha256", "document_template_version",
            "verified_at", "file_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_file_url(self, act) -> str:
        from django.urls import reverse

        return reverse("documents:signed-act-file", args=[act.pk])


class SignedActUploadSerializer(Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        help_text=_("The grant act signed digitally: a PDF with a PAdES signature or a CAdES .p7m envelope."),
    )
