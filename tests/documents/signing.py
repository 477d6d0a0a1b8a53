"""Helpers of the signed-act tests (the fixtures are in conftest.py)."""

import io
from dataclasses import dataclass

from incubator.documents import builders, services, signing_ca
from incubator.documents.kinds import DocumentKind


@dataclass
class Signing:
    grant: object
    act: bytes  # the grant act as issued
    signer: signing_ca.SignerIdentity
    stranger: signing_ca.SignerIdentity  # certified by an untrusted CA


def issue_act(world, grant) -> bytes:
    document = services.document_issue(
        actor=world.coordinator, programme_id=world.programme.pk, kind=DocumentKind.GRANT_ACT,
        subject=services.grant_act_subject(grant.pk), language="it", values=builders.grant_act(grant),
    )  # fmt: skip
    return bytes(document.content)


def appended_update(signed: bytes) -> bytes:
    """An incremental update added after signing (what an editor saving the file does)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def flipped(data: bytes, marker: bytes) -> bytes:
    """The same file with one byte changed inside ``marker`` (in what the signature covers)."""
    at = data.index(marker)
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
