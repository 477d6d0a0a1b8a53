"""Uploads: one validator (size, type by content AND extension, sanitised names) used by
evidence and expense documents; spreadsheet imports read safely (size cap, zip-bomb
check, openpyxl parsing XML through defusedxml); stored files served only by views that
check access, never from MEDIA_URL."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from incubator import uploads
from incubator.exceptions import DomainError
from incubator.funding import expenses
from incubator.imports import files as importing
from incubator.path import services as services_path
from tests.funding.helpers import PDF, vat
from tests.path.conftest import JPEG, PNG, docx_bytes, odt_bytes
from tests.trust.helpers import body_of, browser

pytestmark = pytest.mark.django_db

POLICY = uploads.Policy(kinds=("pdf", "png", "jpeg", "docx", "odt"), max_bytes=1024)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")  # what the browser claims is ignored


# --- the validator ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, extension",
    [
        ("plan.pdf", PDF, "pdf"),
        ("PHOTO.PNG", PNG, "png"),
        ("photo.jpeg", JPEG, "jpeg"),
        ("photo.jpg", JPEG, "jpg"),
        ("plan.docx", docx_bytes(), "docx"),
        ("plan.odt", odt_bytes(), "odt"),
    ],
)
def test_accepted_when_content_and_extension_agree(name, content, extension):
    assert uploads.validate_upload(upload(name, content), POLICY) == extension


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("big.pdf", PDF + b"0" * 1024, "file_too_large"),
        ("empty.pdf", b"", "file_empty"),
        ("page.html", b"<html><script>alert(1)</script>", "file_type"),
        ("image.svg", b"<svg onload='alert(1)'/>", "file_type"),
        ("virus.exe", b"MZ\x90\x00", "file_type"),
        ("no-extension", PDF, "file_type"),
        ("plan.pdf.exe", PDF, "file_type"),
        ("page.pdf", b"<html><script>alert(1)</script>", "file_content"),  # the name lies
        ("photo.png", JPEG, "file_content"),
        ("photo.png", PDF, "file_content"),
        ("plan.docx", odt_bytes(), "file_content"),
        ("plan.docx", b"PK\x03\x04 not a zip", "file_content"),
        ("sheet.pdf", b"PK\x03\x04" + b"\x00" * 40, "file_content"),
    ],
)
def test_refused_with_the_reason(name, content, code):
    with pytest.raises(DomainError) as error:
        uploads.validate_upload(upload(name, content), POLICY)
    assert (error.value.code, error.value.field) == (code, "file")


def test_a_missing_file_and_custom_codes():
    with pytest.raises(DomainError) as error:
        uploads.validate_upload(None, POLICY, field="document")
    assert (error.value.code, error.value.field) == ("file_missing", "document")
    custom = uploads.Policy(kinds=("pdf",), max_bytes=10, code_prefix="document", codes={"content": "document_type"})
    with pytest.raises(DomainError) as error:
        uploads.validate_upload(upload("x.pdf", b"<html>"), custom)
    assert error.value.code == "document_type"


@pytest.mark.parametrize(
    "name, stem",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\maria\\Desktop\\piano d'impresa.pdf", "piano_dimpresa.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),  # "/" splits: the last part only
        ("....pdf", "evidence.pdf"),
        ("a" * 300 + ".pdf", "a" * 80 + ".pdf"),
    ],
)
def test_names_are_sanitised(name, stem):
    safe = uploads.safe_filename(name, "pdf", default="evidence")
    prefix, rest = safe.split("-", 1)
    assert len(prefix) == 16 and rest == stem
    assert "/" not in safe and "\\" not in safe and ".." not in rest.replace("....", "")
    assert uploads.shown_name(f"evidence/2026/01/{safe}") == stem


def test_path_and_funding_use_the_shared_validator():
    assert services_path.EVIDENCE_UPLOADS.kinds == ("pdf", "png", "jpeg", "odt", "docx")
    assert expenses.DOCUMENT_UPLOADS.kinds == ("pdf", "png", "jpeg")
    source = "\n".join(Path(module.__file__).read_text() for module in (services_path, expenses))
    assert "uploads.validate_upload(" in source and 'startswith(b"%PDF' not in source


# --- stored where nobody can fetch them without the access check -----------------------------


def test_evidence_is_stored_under_a_sanitised_name_and_served_only_with_access(full_a, full_b, media, settings):
    milestone = full_a.milestone
    services_path.milestone_attach_evidence(
        actor=full_a.world.participant, milestone=milestone, file=upload("../../../etc/passwd.pdf", PDF)
    )
    milestone.refresh_from_db()
    stored = Path(settings.MEDIA_ROOT) / milestone.evidence_file.name
    assert stored.is_file() and stored.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert milestone.evidence_file.name.startswith("evidence/") and milestone.evidence_file.name.endswith("-passwd.pdf")
    url = f"/path/milestones/{milestone.pk}/evidence/"
    response = browser(full_a.world.participant).get(url)
    assert response.status_code == 200 and body_of(response) == PDF
    assert response["Content-Disposition"].startswith('attachment; filename="passwd.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
    for user in (full_b.world.coordinator, full_b.world.participant, full_b.world.tutor, full_a.world.evaluator):
        assert browser(user).get(url).status_code == 404, user
        assert browser(user).get(f"/api/v1/milestones/{milestone.pk}/evidence/").status_code == 404, user
    # Nothing answers at the media URL, under any prefix.
    for prefix in (settings.MEDIA_URL, "/media/"):
        assert browser(full_a.world.coordinator).get(prefix + milestone.evidence_file.name).status_code == 404


def test_expense_documents_are_checked_renamed_and_served_only_with_access(full_a, full_b):
    from incubator.funding import services as services_funding

    item = services_funding.expense_item_add(
        actor=full_a.world.participant,
        report=full_a.expense_report,
        category="equipment",
        supplier="Tipografia",
        supplier_tax_id=vat(777),
        invoice_number="FT-upload",
        invoice_date=full_a.expense_report.period_start,
        amount="12.00",
        invoice_has_cup=True,
        document=upload("../fattura <1>.pdf", PDF),
    )
    assert item.document.name.startswith(f"grants/{full_a.grant.pk}/expenses/")
    assert item.document.name.endswith("-fattura_1.pdf")
    url = f"/api/v1/grants/{full_a.grant.pk}/expenses/{item.pk}/document/"
    assert browser(full_a.world.coordinator).get(url).status_code == 200
    for user in (full_b.world.coordinator, full_b.world.participant, full_a.world.tutor, full_a.world.evaluator):
        assert browser(user).get(url).status_code == 404, user
    with pytest.raises(DomainError) as error:
        services_funding.expense_item_add(
            actor=full_a.world.participant,
            report=full_a.expense_report,
            category="equipment",
            supplier="Tipografia",
            supplier_tax_id=vat(778),
            invoice_number="FT-upload-2",
            invoice_date=full_a.expense_report.period_start,
            amount="12.00",
            invoice_has_cup=True,
            document=upload("fattura.pdf", b"<html><script>alert(1)</script></html>"),
        )
    assert error.value.code == "document_type"


# --- spreadsheets read safely ---------------------------------------------------------------------


def test_openpyxl_parses_xml_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def _xlsx_with(sheet_xml: bytes | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    book = Workbook()
    book.active.append(["tax_code", "first_name"])
    book.active.append(["X", "Maria"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml" and sheet_xml is not None:
                data = sheet_xml
            archive.writestr(name, data)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def _sheet(doctype: str, text: str) -> bytes:
    return (
        f'<?xml version="1.0"?>{doctype}'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>tax_code</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{text}</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)
EXTERNAL_ENTITY = '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    "doctype, text", [(BILLION_LAUGHS, "&lol4;"), (EXTERNAL_ENTITY, "&secret;")], ids=["xml-bomb", "external-entity"]
)
def test_xml_bombs_and_external_entities_are_refused(doctype, text):
    with pytest.raises(importing.UnreadableFile):
        importing.read_xlsx(_xlsx_with(_sheet(doctype, text)))


def test_a_plain_workbook_still_reads():
    assert importing.read_xlsx(_xlsx_with()).dict == [{"tax_code": "X", "first_name": "Maria"}]


def test_zip_bombs_and_oversized_files_are_refused(monkeypatch):
    monkeypatch.setattr(importing, "XLSX_MAX_EXPANDED_BYTES", 1024 * 1024)
    bomb = _xlsx_with(extra={"xl/media/zeros.bin": b"\0" * (2 * 1024 * 1024)})
    assert len(bomb) < 50 * 1024  # small on the wire, 2 MB once expanded
    with pytest.raises(importing.UnreadableFile):
        importing.read_xlsx(bomb)
    monkeypatch.setattr(importing, "IMPORT_MAX_BYTES", 100)
    with pytest.raises(importing.UnreadableFile, match="too large"):
        importing.read_csv(b"tax_code;first_name\n" + b"X;Maria\n" * 20)
    with pytest.raises(importing.UnreadableFile):
        importing.read_xlsx(_xlsx_with())


def test_a_csv_that_is_not_text_and_a_sheet_of_blank_lines_are_refused(monkeypatch):
    with pytest.raises(importing.UnreadableFile):
        importing.read_csv(b"tax_code;name\nX;\x00\x01\x02")
    monkeypatch.setattr(importing, "MAX_LINES", 50)
    with pytest.raises(importing.UnreadableFile):
        importing.read_csv(b"tax_code;name\n" + b";\n" * 100)


def test_the_back_office_import_answers_a_hostile_workbook_with_a_form_error(world):
    client = browser(world.coordinator)
    bomb = _xlsx_with(_sheet(EXTERNAL_ENTITY, "&secret;"))
    response = client.post(
        "/admin/incubator/person/import/",
        {"format": "1", "resource": "0", "import_file": SimpleUploadedFile("people.xlsx", bomb)},
    )
    assert response.status_code == 200
    assert "root:" not in response.content.decode()
    assert response.context["form"].errors.get("import_file"), response.context["form"].errors
