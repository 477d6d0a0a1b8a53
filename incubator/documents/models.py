from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incubator.documents.kinds import DocumentKind
from incubator.models import Programme

LANGUAGES = (("it", "Italiano"), ("en", "English"))


class DocumentTemplate(models.Model):
    """One version of a programme's text for a kind of document. Editing never changes a
    row: each save adds the next version, and generated documents name the version used."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="document_templates", verbose_name=_("programme")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES)
    version = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        app_label = "incubator"
        ordering = ["programme", "kind", "language", "-version"]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "language", "version"], name="doctemplate_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="doctemplate_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.get_kind_display()} ({self.language}) v{self.version}"


class GeneratedDocument(models.Model):
    """A PDF as issued: its bytes, their SHA-256 and the template version it came from
    (0 = the default shipped in code)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="generated_documents", verbose_name=_("programme")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES)
    # The record the document is about, e.g. "application:12", "grant:3", "call:4".
    subject = models.CharField(_("subject"), max_length=60)
    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    template_version = models.PositiveIntegerField(_("template version"))
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True, verbose_name=_("issued at"))

    class Meta:
        app_label = "incubator"
        ordering = ["-issued_at", "-id"]
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject", "language", "sha256"], name="gendoc_unique_content"),
        ]
        indexes = [models.Index(fields=["subject", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject} ({self.sha256[:12]})"


class Certificate(models.Model):
    """A certificate of attendance as issued, checkable by anyone holding its code. The
    public page shows only what is printed on it: name, course, hours, date."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    # The participation it certifies, e.g. "cohort:3:person:9": one certificate each.
    subject = models.CharField(_("subject"), max_length=60, unique=True)
    code = models.CharField(_("verification code"), max_length=24, unique=True)
    holder_name = models.CharField(_("name"), max_length=200)
    course = models.CharField(_("course"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=1)
    issued_on = models.DateField(_("issued on"))
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        app_label = "incubator"
        ordering = ["-issued_on", "-id"]
        verbose_name = _("certificate of attendance")
        verbose_name_plural = _("certificates of attendance")
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="certificate_hours_not_negative")]

    def __str__(self) -> str:
        return f"{self.code} {self.course}"


class SignatureFormat(models.TextChoices):
    PADES = "pades", _("PAdES (signature inside the PDF)")
    CADES = "cades", _("CAdES (.p7m envelope)")


class SignedAct(models.Model):
    """A grant concession act signed by the beneficiary and uploaded back, kept only once
    its signature was verified: intact, made with a certificate that chains to a configured
    trust anchor, nothing added after signing, and the signed content the act the product
    issued (``document``). ``same_bytes`` says how it matched: the issued PDF's exact bytes
    (PAdES appended to it, or inside the .p7m), or only its text (software that rewrote the
    file when signing)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    grant = models.ForeignKey(
        "incubator.Grant", on_delete=models.PROTECT, related_name="signed_acts", verbose_name=_("grant")
    )
    document = models.ForeignKey(
        GeneratedDocument, on_delete=models.PROTECT, related_name="signed_acts", verbose_name=_("act as issued")
    )
    signature_format = models.CharField(_("signature format"), max_length=5, choices=SignatureFormat.choices)
    file_name = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("signed file"))
    sha256 = models.CharField(_("SHA-256 of the signed file"), max_length=64)
    signer_name = models.CharField(_("signer"), max_length=300)
    issuer = models.CharField(_("certificate issuer"), max_length=500)
    signed_at = models.DateTimeField(_("signing time"), null=True, blank=True)
    same_bytes = models.BooleanField(_("exactly the document issued"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    verified_at = models.DateTimeField(_("verified at"), auto_now_add=True)

    class Meta:
        app_label = "incubator"
        ordering = ["-verified_at", "-id"]
        verbose_name = _("signed act")
        verbose_name_plural = _("signed acts")
        constraints = [
            models.UniqueConstraint(fields=["grant", "sha256"], name="signedact_unique_file"),
            models.CheckConstraint(
                condition=Q(signature_format__in=[SignatureFormat.PADES, SignatureFormat.CADES]),
                name="signedact_format_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer_name} ({self.get_signature_format_display()}) {self.sha256[:12]}"
