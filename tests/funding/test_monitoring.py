"""The budget page and the monitoring files for the managing authority: who reaches them
(the programme's coordinators and administrators; anyone else 404), the figures against
hand-computed ones, the ESF+ completeness rule, query counts that do not grow with rows,
and a programme whose measure has no incubation (no cohort anywhere)."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse

from cohorts.reports import monitoring
from incubator.funding import services
from incubator.models import Fund
from incubator.participants import services as participants
from incubator.participants.models import SensitiveDataRead
from tests import factories as f
from tests.funding import helpers as h

pytestmark = pytest.mark.django_db


def _status(client, user, url) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


def scenario(world, *, incubation=True):
    """Measure 3.2 (FESR, 200,000; the call's share 150,000); a grant of 100,000 running
    with an advance of 30,000 paid on 10/04/2026; the venture's team: the participant
    (entry data: woman, 30 at entry, long-term unemployed, ISCED 3-4) and a second member
    without entry data."""
    measure = services.measure_create(
        actor=world.coordinator,
        programme=world.programme,
        code="3.2",
        title="Hub",
        fund=Fund.FESR,
        action="3.2",
        budget="200000.00",
        incubation=incubation,
    )
    services.call_budget_set(actor=world.coordinator, call=world.call, shares={measure: "150000.00"})
    h.admitted(world)
    grant = h.running(world, "100000.00")
    tranche = services.tranche_request(
        actor=world.coordinator, grant=grant, kind="advance", amount="30000.00", guarantee_reference="FID-9"
    )
    services.tranche_pay(actor=world.coordinator, tranche=tranche, paid_on=dt.date(2026, 4, 10))
    participants.entry_data_create(
        actor=world.coordinator,
        person=world.participant_person,
        entered_on=dt.date(2026, 1, 15),
        gender="female",
        birth_date=dt.date(1995, 6, 1),
        labour_status="long_term_unemployed",
        isced="isced_3_4",
    )
    f.TeamMemberFactory(venture=world.venture, person=f.PersonFactory(programme=world.programme))
    return measure, grant


def files(content: bytes, code: str) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name.removeprefix(f"{code}_").removesuffix(".csv"): list(
                csv.reader(io.StringIO(archive.read(name).decode()), delimiter=";")
            )
            for name in archive.namelist()
        }


def test_who_reaches_the_budget_page_and_the_monitoring_files(client, world, other, admin_user):
    for name in ("cohorts:coordinator-budget", "cohorts:coordinator-monitoring"):
        url = reverse(name)
        assert _status(client, world.coordinator, f"{url}?programme={world.programme.pk}") == 200, name
        assert _status(client, admin_user, f"{url}?programme={other.programme.pk}") == 200, name
        assert _status(client, world.coordinator, f"{url}?programme={other.programme.pk}") == 404, name
        for user in (world.tutor, world.participant, world.evaluator, other.coordinator):
            assert _status(client, user, f"{url}?programme={world.programme.pk}") == 404, (name, user.username)
        assert _status(client, None, url) == 302, name


def test_the_budget_page_is_reached_from_home_and_shows_the_figures(client, world, italian_default):
    scenario(world)
    client.force_login(world.coordinator)
    home = client.get(reverse("cohorts:coordinator")).content.decode()
    assert f'href="{reverse("cohorts:coordinator-budget")}?programme={world.programme.pk}"' in home
    page = client.get(reverse("cohorts:coordinator-budget"), {"programme": world.programme.pk})
    row = page.context["budget"].measures[0]
    assert (row.budget, row.allocated, row.committed, row.paid, row.available) == (
        Decimal("200000.00"),
        Decimal("150000.00"),
        Decimal("100000.00"),
        Decimal("30000.00"),
        Decimal("100000.00"),
    )
    html = page.content.decode()
    assert "30.000,00" in html and "150.000,00" in html  # Italian by default


def test_the_monitoring_files_against_hand_computed_figures(client, world):
    _measure, grant = scenario(world)
    client.force_login(world.coordinator)
    response = client.get(reverse("cohorts:coordinator-monitoring"), {"programme": world.programme.pk})
    assert response["Content-Type"] == "application/zip"
    data = files(response.content, world.programme.code)
    assert set(data) == set(monitoring.STRUCTURES)
    for name, rows in data.items():
        assert tuple(rows[0]) == monitoring.STRUCTURES[name], name
    project = f"G{grant.pk}"
    (progetto,) = data["progetti"][1:]
    assert progetto[:2] == [project, "B61H26000010006"] and progetto[4:6] == ["3.2", "FESR"]
    assert progetto[-1] == "100000.00" and progetto[9] == "in_progress"
    call = [f"P{world.call.pk}", world.call.title, world.programme.code, *progetto_dates(world)]
    assert data["procedure"][1:] == [[*call, "3.2", "FESR", "150000.00"]]
    assert data["impegni"][1:] == [[project, grant.cup, "3.2", "FESR", "2026-03-02", "100000.00", "concessione"]]
    (payment,) = data["pagamenti"][1:]
    assert payment[5:] == ["2026-04-10", "30000.00", "anticipo"]
    assert data["piano_finanziario"][1][4:] == ["200000.00", "150000.00", "100000.00", "30000.00", "100000.00"]
    indicators = {row[0]: row[2:] for row in data["indicatori_fse"][1:]}
    # one woman with data; the second member, without, counts only in the total
    assert indicators["long_term_unemployed"] == ["1", "0", "0", "1"]
    assert indicators["age_30_54"] == ["1", "0", "0", "1"]
    assert indicators["isced_3_4"] == ["1", "0", "0", "1"]
    assert indicators["participants"] == ["1", "0", "0", "1"]
    assert indicators["all_participants"][-1] == "2" and indicators["missing_data"][-1] == "1"
    people = {row[2]: row for row in data["partecipanti"][1:]}
    assert people[world.participant_person.tax_code][3:] == [
        "2026-01-15",
        "female",
        "30_54",
        "long_term_unemployed",
        "isced_3_4",
        "S",
    ]
    assert [row[-1] for row in people.values()].count("N") == 1
    (aid,) = data["aiuti"][1:]
    assert aid[:6] == ["1234567", project, grant.cup, grant.undertaking, "2026-03-02", "100000.00"]
    assert aid[7:9] == ["0.00", "300000.00"]
    assert SensitiveDataRead.objects.filter(reader=world.coordinator, channel="export").count() == 2


def test_the_aid_file_lists_every_undertaking_of_a_partnership(client, world):
    """A grant of 100,000.01 to a partnership (lead 33.33 %, coop 33.33 %, APS 33.34 %),
    revoked with COVAR V7: one aid row per undertaking, its amount (the lead's with the
    cent left over), its own check and the same COR and COVAR."""
    h.admitted(world)
    lead, coop, aps = h.partnership(world)
    grant = h.awarded(world, "100000.01")
    services.grant_revoke(actor=world.coordinator, grant=grant, reason="Rinuncia", on=dt.date(2026, 6, 1), covar="V7")
    client.force_login(world.coordinator)
    response = client.get(reverse("cohorts:coordinator-monitoring"), {"programme": world.programme.pk})
    rows = {row[3]: row for row in files(response.content, world.programme.code)["aiuti"][1:]}
    expected = {lead.tax_code: "33330.01", coop.tax_code: "33330.00", aps.tax_code: "33340.00"}
    assert {code: row[5] for code, row in rows.items()} == expected
    for code in expected:
        assert rows[code][:3] == ["1234567", f"G{grant.pk}", grant.cup] and rows[code][4] == "2026-03-02"
        # each undertaking's own check: nothing in its window, the whole ceiling free
        assert rows[code][7:] == ["0.00", "300000.00", "V7", "2026-06-01"]


def progetto_dates(world):
    return [world.call.opens_at.date().isoformat(), world.call.closes_at.date().isoformat()]


@pytest.mark.parametrize("rows", [1, 50])
def test_the_monitoring_files_cost_the_same_queries_for_1_and_50_grants(world, rows, django_assert_num_queries):
    measure = services.measure_create(
        actor=world.coordinator, programme=world.programme, code="M", title="M", fund="FESR", budget="2000000"
    )
    services.call_budget_set(actor=world.coordinator, call=world.call, shares={measure: "1000000"})
    grants = h.many_grants(world, rows)
    from incubator.funding.models import Grant

    Grant.objects.filter(pk__in=[g.pk for g in grants]).update(measure=measure, fund="FESR")
    h.partnership_entries(grants)  # two register entries per grant (a lead and a partner)
    # progetti 1, procedure 1, impegni 2 (paid by grant, grants), pagamenti 1, piano 1,
    # indicatori 1, partecipanti 1 (these ventures have no team: no read to log), aiuti 2
    # (the entries, their variations)
    with django_assert_num_queries(10):
        content = monitoring.monitoring_zip(world.programme, world.coordinator)
    data = files(content, world.programme.code)
    assert len(data["progetti"]) == rows + 1 and len(data["aiuti"]) == 2 * rows + 1


def test_a_measure_without_incubation_runs_without_cohorts(client, world):
    """No cohort, no register: the grant is awarded and paid, and the coordinator's pages
    and the monitoring files work."""
    _measure, grant = scenario(world, incubation=False)
    assert grant.state == "in_progress"
    client.force_login(world.coordinator)
    for name in ("cohorts:coordinator", "cohorts:coordinator-grants", "cohorts:coordinator-budget"):
        assert client.get(reverse(name), {"programme": world.programme.pk}).status_code == 200, name
    response = client.get(reverse("cohorts:coordinator-monitoring"), {"programme": world.programme.pk})
    assert len(files(response.content, world.programme.code)["progetti"]) == 2
