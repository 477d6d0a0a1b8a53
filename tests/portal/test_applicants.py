"""Who applies, frozen at submission and shown: the applying organisation and the partners
of a partnership in the snapshot (and so under its SHA-256), the receipt (page, text,
PDF) and the office's page read from the snapshot; the applicant's draft page sets them
(only organisations the user acts for; refusals name the field, nothing changes)."""

import hashlib
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from incubator.documents import builders
from incubator.organisations.models import OrganisationMember
from incubator.selection import partnerships, services, submission
from incubator.selection.models import ApplicationPartner, ApplicationState, SubmissionSnapshot
from tests.documents.helpers import pdf_text
from tests.organisations.helpers import organisation
from tests.portal.conftest import client_for, complete, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs(world, applicant):
    """A municipality (lead) and a third-sector body, both acting through ``applicant``,
    and a company the applicant does not act for."""
    lead = organisation(world.programme, "municipality", name="Comune di Bari", population=320000)
    partner = organisation(world.programme, "third_sector", name="APS Quartieri", runts_number="RUNTS-777")
    foreign = organisation(world.programme, "company", name="Altra Srl")
    for org in (lead, partner):
        OrganisationMember.objects.create(organisation=org, user=applicant)
    return lead, partner, foreign


def _partnership(applicant, application, lead, partner, lead_share="70", partner_share="30"):
    partnerships.application_set_organisation(actor=applicant, application=application, organisation=lead)
    partnerships.partnership_set(
        actor=applicant,
        application=application,
        partners=[
            {"organisation": lead, "budget_share": lead_share, "activity": "Coordinamento"},
            {"organisation": partner, "budget_share": partner_share, "activity": "Animazione"},
        ],
    )


@pytest.fixture
def submitted(form, applicant, orgs):
    lead, partner, _foreign = orgs
    application = start(applicant, form.call)
    complete(applicant, application, form)
    _partnership(applicant, application, lead, partner)
    return services.application_submit(actor=applicant, application=application)


def _errors(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


# --- the snapshot ---------------------------------------------------------------------


def test_the_snapshot_of_a_partnership_lists_the_organisation_and_the_partners(submitted, orgs):
    lead, partner, _ = orgs
    content = SubmissionSnapshot.objects.get(application=submitted).content
    assert content["organisation"] == {
        "id": lead.pk,
        "kind": "municipality",
        "name": "Comune di Bari",
        "tax_code": lead.tax_code,
        "istat_code": "072006",
        "population": 320000,
    }
    assert [(p["organisation"]["name"], p["role"], p["budget_share"], p["activity"]) for p in content["partners"]] == [
        ("Comune di Bari", "lead", "70.00", "Coordinamento"),
        ("APS Quartieri", "partner", "30.00", "Animazione"),
    ]
    assert content["partners"][1]["organisation"]["runts_number"] == "RUNTS-777"


def test_the_hash_covers_the_partners_and_a_later_change_leaves_the_snapshot(submitted):
    snapshot = SubmissionSnapshot.objects.get(application=submitted)
    assert hashlib.sha256(snapshot.canonical.encode()).hexdigest() == submitted.content_sha256
    assert '"budget_share":"30.00"' in snapshot.canonical and "APS Quartieri" in snapshot.canonical
    # The same content with another share would hash differently: the shares are covered.
    changed = dict(snapshot.content)
    changed["partners"] = [dict(p) for p in changed["partners"]]
    changed["partners"][1]["budget_share"] = "40.00"
    assert hashlib.sha256(submission.canonical_json(changed).encode()).hexdigest() != submitted.content_sha256
    # The services refuse to change a submitted application's partners ...
    with pytest.raises(ValidationError):
        partnerships.partnership_set(actor=submitted.venture.team.get().person.user, application=submitted, partners=[])
    # ... and a change made anyway (the database) does not reach the frozen snapshot.
    ApplicationPartner.objects.filter(application=submitted, role="partner").update(budget_share=Decimal("40"))
    snapshot.refresh_from_db()
    assert [p["budget_share"] for p in snapshot.content["partners"]] == ["70.00", "30.00"]
    assert hashlib.sha256(snapshot.canonical.encode()).hexdigest() == submitted.content_sha256


def test_people_applying_have_no_organisation_in_the_snapshot(form, applicant):
    application = start(applicant, form.call)
    complete(applicant, application, form)
    done = services.application_submit(actor=applicant, application=application)
    content = SubmissionSnapshot.objects.get(application=done).content
    assert content["organisation"] is None and content["partners"] == []
    assert builders.receipt(done)["applicants_table"] == ""


# --- what shows the snapshot ------------------------------------------------------------


def test_receipt_page_text_and_pdf_show_who_applies_from_the_snapshot(submitted, applicant):
    ApplicationPartner.objects.filter(application=submitted, role="partner").update(activity="Cambiata dopo")
    client = client_for(applicant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("selection:receipt", args=[submitted.pk])).content.decode()
    assert "Comune di Bari" in page and "APS Quartieri" in page and "30.00 %" in page
    assert "Animazione" in page and "Cambiata dopo" not in page
    text = client.get(reverse("selection:receipt-download", args=[submitted.pk])).content.decode()
    assert "Applying organisation: Comune di Bari" in text and "APS Quartieri" in text and "30.00 %" in text
    pdf = client.get(reverse("documents:application-document", args=[submitted.pk, "receipt"]))
    words = " ".join(pdf_text(pdf.content).split())  # table cells wrap
    assert "Comune di Bari" in words and "APS Quartieri" in words and "Animazione" in words
    assert "Cambiata dopo" not in words


def test_the_applicants_summary_shows_the_partners_and_another_applicant_gets_404(submitted, applicant, applicant2):
    url = reverse("selection:application", args=[submitted.pk])
    page = client_for(applicant).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and submitted.state == ApplicationState.SUBMITTED
    body = page.content.decode()
    assert 'data-testid="partners"' in body and "APS Quartieri" in body and "70.00 %" in body
    assert client_for(applicant2).get(url).status_code == 404
    assert client_for(applicant2).get(reverse("selection:receipt", args=[submitted.pk])).status_code == 404


def test_the_office_page_shows_the_partners_to_the_coordinator_only(submitted, world, other):
    url = reverse("selection:office-application", args=[submitted.pk])
    body = client_for(world.coordinator).get(url).content.decode()
    assert "APS Quartieri" in body and "RUNTS-777" in body
    assert client_for(other.coordinator).get(url).status_code == 404


# --- the draft's "who applies" step -------------------------------------------------------


def test_the_draft_offers_the_organisations_the_applicant_acts_for(form, applicant, applicant2, orgs):
    lead, partner, foreign = orgs
    application = start(applicant, form.call)
    url = reverse("selection:application", args=[application.pk])
    page = client_for(applicant).get(url)
    choices = list(page.context["organisation_form"].fields["organisation"].queryset)
    assert choices == sorted([lead, partner], key=lambda o: (o.name, o.pk))
    assert foreign.name not in page.content.decode()
    assert client_for(applicant2).get(url).status_code == 404


def test_setting_the_organisation_and_the_partnership_from_the_draft(form, applicant, orgs):
    lead, partner, _ = orgs
    application = start(applicant, form.call)
    client = client_for(applicant)
    client.post(reverse("selection:organisation", args=[application.pk]), {"organisation": lead.pk})
    application.refresh_from_db()
    assert application.organisation == lead
    rows = {
        "organisation_0": lead.pk,
        "budget_share_0": "60",
        "activity_0": "Coordinamento",
        "organisation_1": partner.pk,
        "budget_share_1": "40",
        "activity_1": "Laboratori",
    }
    response = client.post(reverse("selection:partners", args=[application.pk]), rows)
    assert _errors(response) == []
    assert sorted(application.partners.values_list("organisation__name", "role", "budget_share")) == [
        ("APS Quartieri", "partner", Decimal("40.00")),
        ("Comune di Bari", "lead", Decimal("60.00")),
    ]
    page = client.get(reverse("selection:application", args=[application.pk])).content.decode()
    assert 'data-testid="partners"' in page and "Laboratori" in page


def test_bad_applicants_input_names_the_field_and_changes_nothing(form, applicant, applicant2, orgs):
    lead, partner, foreign = orgs
    application = start(applicant, form.call)
    client = client_for(applicant)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    # An organisation the applicant does not act for is not a choice.
    response = client.post(reverse("selection:organisation", args=[application.pk]), {"organisation": foreign.pk})
    assert any(e.startswith("Applying organisation:") for e in _errors(response)), _errors(response)
    application.refresh_from_db()
    assert application.organisation is None
    # Partners before the lead: refused, naming the organisation.
    rows = {"organisation_0": partner.pk, "budget_share_0": "100"}
    response = client.post(reverse("selection:partners", args=[application.pk]), rows)
    assert any("Applying organisation" in e for e in _errors(response)), _errors(response)
    partnerships.application_set_organisation(actor=applicant, application=application, organisation=lead)
    # Shares not adding up to 100 %: the share is named; nothing saved.
    rows = {"organisation_0": lead.pk, "budget_share_0": "60", "organisation_1": partner.pk, "budget_share_1": "30"}
    response = client.post(reverse("selection:partners", args=[application.pk]), rows)
    assert any(e.startswith("Budget share (%)") and "90" in e for e in _errors(response)), _errors(response)
    # A partner without its share: the row's share field is named.
    rows = {"organisation_0": lead.pk, "budget_share_0": "100", "organisation_1": partner.pk}
    response = client.post(reverse("selection:partners", args=[application.pk]), rows)
    assert any("Budget share (%) of partner 2" in e for e in _errors(response)), _errors(response)
    assert not application.partners.exists()
    # Another applicant's draft answers 404 and is not touched.
    other = client_for(applicant2)
    assert other.post(reverse("selection:organisation", args=[application.pk]), {"organisation": ""}).status_code == 404
    assert other.post(reverse("selection:partners", args=[application.pk]), rows).status_code == 404
    application.refresh_from_db()
    assert application.organisation == lead


def test_a_call_for_organisations_says_so_on_the_draft(form, applicant2):
    form.call.eligible_organisation_kinds = ["municipality"]
    form.call.save()
    application = start(applicant2, form.call)
    page = client_for(applicant2).get(
        reverse("selection:application", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    body = page.content.decode()
    assert page.context["organisation_required"] is True
    assert "This call is open to organisations" in body and "You act for no organisation" in body
