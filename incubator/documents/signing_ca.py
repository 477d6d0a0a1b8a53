"""A throw-away certification authority and signer, made at runtime: the demo data signs
its grant act with it (``demo_signing``) and the tests sign with it. Never a trust
anchor of a real deployment: ``SIGNATURE_TRUST_ROOTS`` holds only the certificates an office
has loaded (docs/signed-acts.md)."""

import asyncio
import datetime as dt
import io
from dataclasses import dataclass

from asn1crypto import cms, keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from incubator.documents.signatures import off_event_loop

VALID_FROM = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
VALID_UNTIL = dt.datetime(2036, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Authority:
    name: str
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class SignerIdentity:
    name: str
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    authority: Authority


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test CA"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def authority(name: str = "Test Qualified CA") -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_UNTIL)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(name=name, key=key, certificate=certificate)


def signer(ca: Authority, name: str) -> SignerIdentity:
    """A signer certificate as a qualified signature device carries: non-repudiation."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"), x509.NameAttribute(NameOID.COMMON_NAME, name)])
        )
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID_FROM)
        .not_valid_after(VALID_UNTIL)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return SignerIdentity(name=name, key=key, certificate=certificate, authority=ca)


def _pyhanko_signer(identity: SignerIdentity):
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der_key = identity.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(identity.certificate.public_bytes(serialization.Encoding.DER)),
        signing_key=keys.PrivateKeyInfo.load(der_key),
        cert_registry=SimpleCertificateStore.from_certs([identity.authority.asn1]),
    )


def sign_pdf(identity: SignerIdentity, pdf: bytes) -> bytes:
    """PAdES: the signature appended to the PDF as an incremental update (the bytes of the
    document as issued stay, unchanged, at the start of the file)."""
    return off_event_loop(_sign_pdf, identity, pdf)


def _sign_pdf(identity: SignerIdentity, pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name="Firma", subfilter=fields.SigSeedSubFilter.PADES)
    return signers.sign_pdf(writer, meta, signer=_pyhanko_signer(identity)).getvalue()


def sign_p7m(identity: SignerIdentity, content: bytes, signed_at: dt.datetime | None = None) -> bytes:
    """CAdES-BES with the document inside (the ``.p7m`` envelope), DER encoded."""
    return off_event_loop(_sign_p7m, identity, content, signed_at)


def _sign_p7m(identity: SignerIdentity, content: bytes, signed_at: dt.datetime | None) -> bytes:
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

    attributes = PdfCMSSignedAttributes(signing_time=signed_at or dt.datetime.now(dt.UTC))
    signed: cms.ContentInfo = asyncio.run(
        _pyhanko_signer(identity).async_sign_general_data(
            content, "sha256", detached=False, use_cades=True, signed_attr_settings=attributes
        )
    )
    return signed.dump()
