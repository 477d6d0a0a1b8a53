import pytest
from django.utils import translation

from incubator.documents import signing_ca
from tests.documents.signing import Signing, issue_act
from tests.funding import helpers as funding
from tests.funding.fixtures import without_attendance_check  # noqa: F401


@pytest.fixture(autouse=True)
def italian(italian_default):
    with translation.override("it"):
        yield


# Signed acts: a test CA trusted through SIGNATURE_TRUST_ROOTS (a temporary directory), a
# second CA nobody trusts, the grant and its issued act.
@pytest.fixture(scope="session")
def authorities():
    trusted = signing_ca.authority("Test Qualified CA")
    untrusted = signing_ca.authority("Rogue CA")
    return trusted, untrusted


@pytest.fixture
def signing(world, authorities, tmp_path, settings) -> Signing:
    trusted, untrusted = authorities
    (tmp_path / "test-ca.pem").write_bytes(trusted.pem)
    (tmp_path / "readme.txt").write_text("not a certificate")
    settings.SIGNATURE_TRUST_ROOTS = str(tmp_path)
    funding.admitted(world)
    grant = funding.awarded(world, amount="100000.00")
    return Signing(
        grant=grant, act=issue_act(world, grant), signer=signing_ca.signer(trusted, "Maria Rossi"),
        stranger=signing_ca.signer(untrusted, "Mario Bianchi"),
    )  # fmt: skip
