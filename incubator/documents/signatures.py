"""Verification of a digitally signed grant act (PAdES inside the PDF, or CAdES ``.p7m``)
with pyHanko, against the trust anchors configured in ``SIGNATURE_TRUST_ROOTS``.

What is accepted, in this order (the first failure is the reason given, on ``file``):

1. the file is a PDF or a CMS envelope (DER, PEM or base64 ``.p7m``) - else ``signed_act_type``;
2. it carries a signature - else ``signature_missing``;
3. every signature is intact and cryptographically valid: the bytes it covers hash to the
   signed digest - else ``signature_broken`` (the file was altered after signing, or the
   signature is damaged);
4. the signer's certificate chains to a configured trust anchor, is valid at the time of
   the check and has the non-repudiation usage - else ``signature_untrusted`` (naming the
   issuer);
5. PAdES: the last signature covers the whole file (nothing appended after signing) -
   else ``signature_modified``;
6. the signed content is the act the product issued for this grant - else
   ``signature_other_document``. The rule: the bytes of an issued act
   (``GeneratedDocument`` of kind ``grant_act`` for the grant) are exactly the start of the
   signed PDF and lie inside what the first signature covers (PAdES appends its signature
   as an incremental update, so the issued bytes stay untouched), or are exactly the
   content of the ``.p7m``. Signing software that rewrites the whole file breaks that; it
   is then accepted only if the text of the signed PDF equals the text of the issued act
   (whitespace aside), and recorded as ``same_bytes = False``.

Pure functions over bytes: no database (``services.signed_act_upload`` stores the result).
"""

import asyncio
import base64
import binascii
import io
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from incubator.exceptions import DomainError

CERTIFICATE_SUFFIXES = (".pem", ".crt", ".cer", ".der")
FIELD = "file"


@dataclass(frozen=True)
class Verified:
    signature_format: str  # SignatureFormat value
    signer_name: str
    issuer: str
    signed_at: datetime | None
    signed_content: bytes  # the document that was signed (the PDF itself for PAdES)
    issued_index: int  # which of the issued acts it matched
    same_bytes: bool


def refuse(message: str, code: str) -> DomainError:
    return DomainError(message, code=code, field=FIELD)


# --- trust anchors -------------------------------------------------------------------------


def load_trust_roots(directory: str | Path | None = None) -> list:
    """Every certificate in the directory's PEM/DER files (a PEM file may hold several).
    A missing directory trusts nothing."""
    from asn1crypto import pem, x509

    folder = Path(directory if directory is not None else settings.SIGNATURE_TRUST_ROOTS or "")
    if not str(folder) or not folder.is_dir():
        return []
    roots = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in CERTIFICATE_SUFFIXES or not path.is_file():
            continue
        data = path.read_bytes()
        blobs = [der for _kind, _headers, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
        roots.extend(x509.Certificate.load(der) for der in blobs)
    return roots


def validation_context(trust_roots: Sequence):
    from pyhanko_certvalidator import ValidationContext

    # An explicit (possibly empty) list: never the operating system's store.
    return ValidationContext(
        trust_roots=list(trust_roots),
        allow_fetching=settings.SIGNATURE_FETCH_REVOCATION,
        revocation_mode="soft-fail",
    )


# --- the signer's certificate --------------------------------------------------------------


def _person(name) -> str:
    native = name.native
    if native.get("common_name"):
        return str(native["common_name"])
    given, surname = native.get("given_name", ""), native.get("surname", "")
    return f"{given} {surname}".strip() or name.human_friendly


def _issuer(name) -> str:
    native = name.native
    parts = [native.get("common_name"), native.get("organization_name"), native.get("country_name")]
    return ", ".join(str(p) for p in parts if p) or name.human_friendly


def _check_status(status) -> None:
    if not status.intact or not status.valid:
        raise refuse(
            _(
                "The signature does not match the signed content: the file was changed after signing or the "
                "signature is damaged."
            ),
            "signature_broken",
        )
    if not status.trusted:
        raise refuse(
            _("The signer's certificate was issued by %(issuer)s, which is not a trusted certification authority.")
            % {"issuer": _issuer(status.signing_cert.issuer)},
            "signature_untrusted",
        )


def _signed_at(status) -> datetime | None:
    stamp = getattr(status, "timestamp_validity", None)
    if stamp is not None and getattr(stamp, "timestamp", None):
        return stamp.timestamp
    return status.signer_reported_dt


# --- the signed content against the issued act ---------------------------------------------


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages)).strip()


def _match(signed: bytes, issued: Sequence[bytes], *, covered_prefix: int | None) -> tuple[int, bool]:
    """(index of the issued act, same bytes?) or refused as another document."""
    for index, original in enumerate(issued):
        if covered_prefix is None:
            if signed == original:
                return index, True
        elif len(original) <= covered_prefix and signed[: len(original)] == original:
            return index, True
    try:
        text = _text(signed)
    except Exception:  # noqa: BLE001 - unreadable content is simply not the act issued
        text = ""
    if text:
        for index, original in enumerate(issued):
            if _text(original) == text:
                return index, False
    raise refuse(_("The signed document is not the grant act issued for this grant."), "signature_other_document")


# --- PAdES ---------------------------------------------------------------------------------


def _verify_pades(content: bytes, issued: Sequence[bytes], trust_roots: Sequence) -> Verified:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import SuspiciousModification
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - hostile or broken input of any shape: refused, never a 500
        raise refuse(_("The file is not a readable PDF."), "signed_act_type") from exc
    if not signatures:
        raise refuse(_("The file carries no digital signature: sign the act and upload it again."), "signature_missing")
    statuses = []
    for signature in signatures:
        try:
            status = validate_pdf_signature(signature, validation_context(trust_roots))
        except Exception as exc:  # noqa: BLE001 - SignatureValidationError, PdfError and any malformed structure
            raise refuse(_("The signature cannot be read: it is damaged."), "signature_broken") from exc
        _check_status(status)
        statuses.append(status)
    # Earlier signatures (several signers) may be followed by further signatures, which the
    # difference analysis allows; anything else after a signature is a modification.
    if statuses[-1].coverage != SignatureCoverageLevel.ENTIRE_FILE or any(
        status.docmdp_ok is False or isinstance(status.diff_result, SuspiciousModification) for status in statuses
    ):
        raise refuse(_("The document was modified after it was signed."), "signature_modified")
    first_range = signatures[0].byte_range
    index, same = _match(content, issued, covered_prefix=first_range[1])
    status = statuses[0]
    return Verified(
        signature_format="pades", signer_name=_person(status.signing_cert.subject),
        issuer=_issuer(status.signing_cert.issuer), signed_at=_signed_at(status), signed_content=content,
        issued_index=index, same_bytes=same,
    )  # fmt: skip


# --- CAdES (.p7m) --------------------------------------------------------------------------


def _envelope(content: bytes):
    from asn1crypto import cms, pem

    data = content
    if pem.detect(data):
        _kind, _headers, data = pem.unarmor(data)
    elif not data.startswith(b"\x30"):
        try:
            data = base64.b64decode(b"".join(data.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise refuse(_("The file is neither a PDF nor a signed .p7m envelope."), "signed_act_type") from exc
    try:
        info = cms.ContentInfo.load(data, strict=True)
        if info["content_type"].native != "signed_data":
            raise ValueError("not signed data")
        signed_data = info["content"]
        signed_data.native  # noqa: B018 - parses the whole structure now, not during validation
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises several kinds on malformed DER
        raise refuse(_("The file is neither a PDF nor a signed .p7m envelope."), "signed_act_type") from exc
    return signed_data


def _verify_cades(content: bytes, issued: Sequence[bytes], trust_roots: Sequence) -> Verified:
    from pyhanko.sign.validation.generic_cms import async_validate_cms_signature, extract_self_reported_ts
    from pyhanko.sign.validation.status import StandardCMSSignatureStatus

    signed_data = _envelope(content)
    inner = signed_data["encap_content_info"]["content"].native
    if not inner:
        raise refuse(_("The .p7m envelope does not contain the signed document."), "signature_other_document")
    if not signed_data["signer_infos"].native:
        raise refuse(_("The file carries no digital signature: sign the act and upload it again."), "signature_missing")
    try:
        status = asyncio.run(
            async_validate_cms_signature(
                signed_data, status_cls=StandardCMSSignatureStatus, validation_context=validation_context(trust_roots)
            )
        )
    except Exception as exc:  # noqa: BLE001 - SignatureValidationError and any malformed structure
        raise refuse(_("The signature cannot be read: it is damaged."), "signature_broken") from exc
    _check_status(status)
    # The CMS check leaves out the signer's claimed time: read it from the signed attributes.
    signed_at = _signed_at(status) or extract_self_reported_ts(signed_data["signer_infos"][0])
    index, same = _match(inner, issued, covered_prefix=None)
    return Verified(
        signature_format="cades", signer_name=_person(status.signing_cert.subject),
        issuer=_issuer(status.signing_cert.issuer), signed_at=signed_at, signed_content=inner,
        issued_index=index, same_bytes=same,
    )  # fmt: skip


def off_event_loop(function, /, *args, **kwargs):
    """Calls ``function`` (pyHanko's synchronous API, which runs ``asyncio.run`` inside) where
    it can work: here, or in a worker thread when this thread already runs an event loop (an
    ASGI server, or Playwright's synchronous API in the same test process). Pure functions
    only: the worker thread has no database connection of the caller's."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def verify(content: bytes, issued: Iterable[bytes], trust_roots: Sequence | None = None) -> Verified:
    """Verify a signed act against the acts issued for the grant; refused (DomainError on
    ``file``) with the reason otherwise."""
    return off_event_loop(_verify, content, issued, trust_roots)


def _verify(content: bytes, issued: Iterable[bytes], trust_roots: Sequence | None) -> Verified:
    issued = [bytes(document) for document in issued]
    roots = load_trust_roots() if trust_roots is None else trust_roots
    if not content:
        raise refuse(_("The file is empty."), "signed_act_empty")
    if content.lstrip()[:5] == b"%PDF-":
        return _verify_pades(content, issued, roots)
    return _verify_cades(content, issued, roots)
