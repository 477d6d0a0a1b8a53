"""Every write of documents: a new template version, an issued document, a signed act
verified and kept."""

import secrets
from collections.abc import Callable

from django.db import transaction
from django.db.models import Max
from django.utils import formats, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from incubator import access, audit
from incubator.documents import engine
from incubator.documents.kinds import DEFAULTS, DocumentKind
from incubator.documents.models import Certificate, DocumentTemplate, GeneratedDocument, SignedAct
from incubator.exceptions import NotPermitted
from incubator.funding.models import Grant
from incubator.models import Programme, Role


def template_save(*, actor, programme: Programme, kind: str, language: str, body: str) -> DocumentTemplate:
    """Add the next version of a programme's template (checked: unknown placeholders are
    refused naming them). Earlier versions stay, so issued documents keep their source."""
    access.require_role(actor, programme.pk, Role.COORDINATOR)
    engine.check(kind, body)
    with transaction.atomic():
        # Lock the programme row so that two editors never take the same version number.
        Programme.objects.select_for_update().filter(pk=programme.pk).first()
        latest = DocumentTemplate.objects.filter(programme=programme, kind=kind, language=language).aggregate(
            v=Max("version")
        )["v"]
        template = DocumentTemplate.objects.create(
            programme=programme, kind=kind, language=language, version=(latest or 0) + 1, body=body, created_by=actor
        )
        audit.record(
            actor=actor, verb="document_template.saved", target=template, programme_id=programme.pk,
            after={"kind": kind, "language": language, "version": template.version},
        )  # fmt: skip
    return template


def current_template(programme_id: int, kind: str, language: str) -> DocumentTemplate | None:
    return (
        DocumentTemplate.objects.filter(programme_id=programme_id, kind=kind, language=language)
        .order_by("-version")
        .first()
    )


def render(*, programme_id: int, kind: str, language: str, values: dict) -> tuple[bytes, DocumentTemplate | None]:
    language = language if language in ("it", "en") else "it"
    template = current_template(programme_id, kind, language)
    body = template.body if template else DEFAULTS[(kind, language)]
    with translation.override(language):
        title = str(DocumentKind(kind).label)
    html = engine.page(title, engine.fill(kind, body, values), language)
    return engine.to_pdf(html), template


def document_issue(
    *, actor, programme_id: int, kind: str, subject: str, language: str, values: dict
) -> GeneratedDocument:
    """Render and store the document; the same data and template version give the same
    bytes, so issuing again returns the stored row instead of a duplicate."""
    content, template = render(programme_id=programme_id, kind=kind, language=language, values=values)
    digest = engine.sha256(content)
    language = language if language in ("it", "en") else "it"
    with transaction.atomic():
        document, created = GeneratedDocument.objects.get_or_create(
            kind=kind,
            subject=subject,
            language=language,
            sha256=digest,
            defaults={
                "programme_id": programme_id,
                "template": template,
                "template_version": template.version if template else 0,
                "content": content,
                "issued_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        if created:
            audit.record(
                actor=actor, verb="document.issued", target=document, programme_id=programme_id,
                after={"kind": kind, "subject": subject, "sha256": digest, "version": document.template_version},
            )  # fmt: skip
    return document


def certificate_issue(
    *, actor, programme_id: int, subject: str, holder_name: str, course: str, hours, issued_on, language: str,
    url_of: Callable[[str], str], values: dict,
) -> tuple[Certificate, GeneratedDocument]:  # fmt: skip
    """The certificate of a participation (one code per participation, kept when issued
    again) and its PDF with the code and a QR code opening the public verification page."""
    # Imported here: importing segno while the apps load breaks allauth's startup check.
    import segno

    with transaction.atomic():
        certificate, created = Certificate.objects.get_or_create(
            subject=subject,
            defaults={
                "programme_id": programme_id, "code": secrets.token_hex(6).upper(), "holder_name": holder_name,
                "course": course, "hours": hours, "issued_on": issued_on,
            },
        )  # fmt: skip
        if created:
            audit.record(
                actor=actor, verb="certificate.issued", target=certificate, programme_id=programme_id,
                after={"code": certificate.code, "hours": str(certificate.hours)},
            )  # fmt: skip
    url = url_of(certificate.code)
    values = {
        **values,
        "holder_name": certificate.holder_name,
        "course": certificate.course,
        "hours": formats.number_format(certificate.hours, 1),
        "issued_on": certificate.issued_on.strftime("%d/%m/%Y"),
        "verification_code": certificate.code,
        "verification_url": url,
        "qr_table": segno.make(url, error="m").svg_inline(scale=3),
    }
    document = document_issue(
        actor=actor, programme_id=programme_id, kind=DocumentKind.CERTIFICATE, subject=subject, language=language,
        values=values,
    )  # fmt: skip
    return certificate, document


def grant_act_subject(grant_id: int) -> str:
    return f"grant:{grant_id}"


def signed_act_upload(*, actor, grant, file_name: str, content: bytes, trust_roots=None) -> SignedAct:
    """Verify the grant act signed by the beneficiary (``signatures.verify``) and keep it
    with the signer, the certificate issuer, the signing time and the act it matches.
    Anything that fails verification is refused on ``file`` with the reason, and nothing is
    stored. Uploading the same file again returns the stored row. ``trust_roots`` replaces
    the configured anchors (the demo's own CA); pages and the API never pass it."""
    from django.conf import settings

    from incubator.documents import signatures

    programme_id = grant.venture.programme_id
    # The grant's venture team (the beneficiary) and the programme's coordinators.
    if not access.visible(actor, Grant).filter(pk=grant.pk).exists():
        raise NotPermitted()
    if len(content) > settings.SIGNED_ACT_MAX_BYTES:
        raise signatures.refuse(
            _("The file is larger than %(mb)s MB.") % {"mb": settings.SIGNED_ACT_MAX_BYTES // (1024 * 1024)},
            "signed_act_too_large",
        )
    issued = list(
        GeneratedDocument.objects.filter(kind=DocumentKind.GRANT_ACT, subject=grant_act_subject(grant.pk)).order_by(
            "pk"
        )
    )
    if not issued:
        raise signatures.refuse(_("No grant act has been issued for this grant yet."), "signed_act_not_issued")
    result = signatures.verify(content, [document.content for document in issued], trust_roots)
    digest = engine.sha256(content)
    with transaction.atomic():
        act, created = SignedAct.objects.get_or_create(
            grant=grant,
            sha256=digest,
            defaults={
                "programme_id": programme_id, "document": issued[result.issued_index],
                "signature_format": result.signature_format, "file_name": get_valid_filename(file_name)[:200] or "act",
                "content": content, "signer_name": result.signer_name[:300], "issuer": result.issuer[:500],
                "signed_at": result.signed_at, "same_bytes": result.same_bytes,
                "uploaded_by": actor if getattr(actor, "pk", None) else None,
            },
        )  # fmt: skip
        if created:
            audit.record(
                actor=actor, verb="signed_act.verified", target=act, programme_id=programme_id,
                after={
                    "grant": grant.pk, "format": act.signature_format, "signer": act.signer_name, "issuer": act.issuer,
                    "signed_at": act.signed_at.isoformat() if act.signed_at else None, "sha256": digest,
                    "document": act.document_id, "same_bytes": act.same_bytes,
                },
            )  # fmt: skip
    return act
