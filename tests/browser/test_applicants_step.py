"""The draft's "who applies" step on a phone, in Italian and in English: an applicant who
acts for a municipality and a third-sector body reaches their draft by clicks from home,
names the applying organisation and sets a partnership (shares adding up to 100 %), with
axe-core clean on every page shown; a partnership that does not add up is refused with the
field named and nothing saved."""

import pytest

from incubator.models import ApplicantKind
from incubator.organisations.models import OrganisationMember
from incubator.selection import applying
from incubator.selection.models import ApplicationPartner
from tests import factories as f
from tests.browser.test_personas import walk  # noqa: F401 (the fixture)
from tests.organisations.helpers import organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["it", "en"])
def test_applicant_names_the_organisation_and_the_partnership_on_a_phone(
    world,
    walk,  # noqa: F811
    live_server,
    language,
    italian_default,
):
    call = f.CallFactory(
        programme=world.programme, title="Hub di innovazione", eligible_organisation_kinds=["municipality"]
    )
    applicant = f.UserFactory(username=f"sindaco-{language}")
    municipality = organisation(world.programme, "municipality", name="Comune di Lecce", population=95000)
    partner = organisation(world.programme, "third_sector", name="APS Quartieri Connessi")
    for org in (municipality, partner):
        OrganisationMember.objects.create(organisation=org, user=applicant)
    application = applying.draft_start(
        actor=applicant,
        call=call,
        title="Hub Lecce",
        applicant_kind=ApplicantKind.INDIVIDUAL,
        first_name="Anna",
        last_name="Rossi",
        tax_code=f.tax_code(),
    )
    w = walk(applicant, f"applicants-{language}", language)
    w.home()
    w.follow(f'main a[href="/my-applications/{application.pk}/"]')
    page = w.page
    page.locator("#id_organisation").select_option(str(municipality.pk))
    w.follow('form[action$="/organisation/"] button[type="submit"]')
    assert "Comune di Lecce" in page.locator('[data-testid="applying-organisation"]').inner_text()
    assert not ApplicationPartner.objects.exists()

    def send_partnership(partner_share: str) -> None:
        page.locator("#applicants details summary").click()
        page.locator("#id_organisation_0").select_option(str(municipality.pk))
        page.locator("#id_budget_share_0").fill("70")
        page.locator("#id_organisation_1").select_option(str(partner.pk))
        page.locator("#id_budget_share_1").fill(partner_share)
        w.follow('form[action$="/partners/"] button[type="submit"]')

    send_partnership("20")
    assert not ApplicationPartner.objects.exists()  # 90 %: refused whole
    assert "90" in page.locator(".alert-danger, .callout.danger, [role=alert]").first.inner_text()

    send_partnership("30")
    shares = dict(ApplicationPartner.objects.values_list("organisation__name", "budget_share"))
    assert {name: int(share) for name, share in shares.items()} == {"Comune di Lecce": 70, "APS Quartieri Connessi": 30}
    assert "APS Quartieri Connessi" in page.locator('[data-testid="partners"]').inner_text()
    w.finish()
