"""Translations: Italian is what users see by default, so its catalogue must be complete,
compiled and current; English (the source language) is one request header or cookie away."""

import ast
import gettext
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from config.settings import base as base_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
IT_PO = LOCALE / "it" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file (header included, as the entry with an empty msgid), each
    with its flags, context, msgid, plural msgid and translations (``msgstr`` is a dict
    index -> text, index 0 for a singular entry). Obsolete (``#~``) lines are counted apart."""
    entries: list[dict] = []
    entry: dict | None = None
    field = None

    def start():
        return {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "obsolete": False}

    def close():
        nonlocal entry
        if entry is not None and entry["msgid"] is not None:
            entries.append(entry)
        entry = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            close()
            continue
        if entry is None:
            entry = start()
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            value = ast.literal_eval(rest)
            if keyword.startswith("msgstr["):
                field = ("msgstr", int(keyword[7:-1]))
            elif keyword == "msgstr":
                field = ("msgstr", 0)
            else:
                field = (keyword, None)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] = ""
            else:
                entry[field[0]] = ""
        if field[0] == "msgstr":
            entry["msgstr"][field[1]] += value
        else:
            entry[field[0]] += value
    close()
    return entries


def messages(path: Path) -> list[dict]:
    return [e for e in parse_po(path) if e["msgid"] != "" and not e["obsolete"]]


def key(entry: dict) -> tuple:
    return (entry["msgctxt"], entry["msgid"], entry["msgid_plural"])


# --- the catalogues ------------------------------------------------------------------------


def test_italian_catalogue_has_every_message_translated_and_nothing_fuzzy():
    entries = messages(IT_PO)
    assert len(entries) > 1000  # the whole product, not a stub
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in parse_po(IT_PO) if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    plural = [e for e in entries if e["msgid_plural"]]
    assert plural and all(set(e["msgstr"]) == {0, 1} for e in plural)


def test_italian_catalogue_header_declares_the_language_and_plural_rule():
    header = next(e for e in parse_po(IT_PO) if e["msgid"] == "")
    assert "Language: it\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    assert "charset=UTF-8" in header["msgstr"][0]


def test_placeholders_survive_translation():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
    wrong = []
    for e in messages(IT_PO):
        sources = [e["msgid"]] + ([e["msgid_plural"]] if e["msgid_plural"] else [])
        allowed = set().union(*(placeholder.findall(s) for s in sources))
        for index, text in e["msgstr"].items():
            found = set(placeholder.findall(text))
            # The singular of a plural may say "one" in words instead of %(n)s.
            expected = set(placeholder.findall(sources[min(index, len(sources) - 1)]))
            if not found <= allowed or (not e["msgid_plural"] and found != expected):
                wrong.append((e["msgid"], text))
    assert wrong == []


def test_english_catalogue_holds_the_same_messages():
    assert EN_PO.exists()
    assert {key(e) for e in messages(EN_PO)} == {key(e) for e in messages(IT_PO)}


@pytest.mark.parametrize("language", ["it", "en"])
def test_compiled_catalogue_matches_its_source(language):
    """The .mo files are committed so that a machine without gettext still shows Italian:
    each must say exactly what its .po says."""
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    with open(po.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for e in messages(po):
        msgid = f"{e['msgctxt']}\x04{e['msgid']}" if e["msgctxt"] is not None else e["msgid"]
        if e["msgid_plural"]:
            for index, text in e["msgstr"].items():
                if text:
                    expected[(msgid, index)] = text
        elif e["msgstr"].get(0):
            expected[msgid] = e["msgstr"][0]
    compiled = {k: v for k, v in compiled.items() if k != ""}
    assert compiled == expected


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext tools are not installed")
def test_catalogue_covers_every_translatable_string_in_the_source(tmp_path, monkeypatch):
    """Extract the messages again, from a copy of the sources, and compare: a string added to
    the code without updating the catalogues would show in English to Italian users."""
    base = Path(settings.BASE_DIR)
    skip = {".venv", "staticfiles", "tests", "locale", "media", "node_modules", ".git", "test-artifacts"}
    for source in base.rglob("*"):
        relative = source.relative_to(base)
        if relative.parts[0] in skip or any(part.startswith(".") for part in relative.parts):
            continue
        if source.is_file() and source.suffix in (".py", ".html", ".txt"):
            target = tmp_path / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("makemessages", locale=["it"], verbosity=0, no_obsolete=True)
    extracted = {key(e) for e in messages(tmp_path / "locale" / "it" / "LC_MESSAGES" / "django.po")}
    catalogue = {key(e) for e in messages(IT_PO)}
    assert sorted(extracted - catalogue, key=str) == [], "run makemessages and translate the new strings"
    assert sorted(catalogue - extracted, key=str) == [], "run makemessages --no-obsolete"


# --- what people see ----------------------------------------------------------------------


def test_the_product_speaks_italian_by_default():
    assert base_settings.LANGUAGE_CODE == "it"
    assert [code for code, _name in base_settings.LANGUAGES] == ["it", "en"]


@pytest.fixture
def product_default_language(settings):
    """The product's default (config.settings.base): the test profile may read the English
    source strings by default, these tests check what a user actually sees."""
    settings.LANGUAGE_CODE = base_settings.LANGUAGE_CODE
    yield
    # A request leaves its language active in this thread: later tests start from none.
    translation.deactivate()


@pytest.mark.usefixtures("italian_default")
@pytest.mark.django_db
@pytest.mark.usefixtures("product_default_language")
def test_login_page_is_italian_by_default(client):
    response = client.get(reverse("account_login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="it">' in html
    assert "Accedi" in html and "Password dimenticata?" in html and "Vai al contenuto" in html
    assert "Sign In" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("product_default_language")
def test_login_page_is_english_on_request(client):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert "Sign In" in html and "Forgot your password?" in html and "Accedi" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("product_default_language")
def test_language_cookie_wins_over_the_browser(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Sign In" in html and "Accedi" not in html


@pytest.mark.django_db
@pytest.mark.usefixtures("product_default_language")
def test_language_switch_sets_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("account_login")})
    assert response.status_code == 302
    assert "Sign In" in client.get(reverse("account_login")).content.decode()


@pytest.mark.usefixtures("italian_default")
@pytest.mark.django_db
@pytest.mark.usefixtures("product_default_language")
def test_participant_portal_speaks_italian_then_english(client, world):
    client.force_login(world.participant)
    italian = client.get(reverse("cohorts:my-path")).content.decode()
    assert "Il mio percorso" in italian and "I miei dati" in italian and "Esci" in italian
    assert "My path" not in italian
    english = client.get(reverse("cohorts:my-path"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My path" in english and "Log out" in english and "Il mio percorso" not in english


@pytest.mark.usefixtures("italian_default")
@pytest.mark.django_db
@pytest.mark.usefixtures("product_default_language")
def test_api_domain_error_is_in_the_requesters_language(api, world):
    body = {
        "programme": world.programme.pk,
        "call": world.call.pk,
        "name": "Coorte",
        "starts_on": "2026-03-01",
        "ends_on": "2026-01-01",
    }
    client = api.as_(world.coordinator)
    italian = client.post("/api/v1/cohorts/", body, format="json")
    assert italian.status_code == 400
    assert italian.json()["ends_on"] == ["La coorte deve terminare il giorno dell'inizio o dopo."]
    english = client.post("/api/v1/cohorts/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert english.json()["ends_on"] == ["The cohort must end on or after its start."]


# --- the scripts' catalogue (djangojs) -----------------------------------------------------

IT_JS = LOCALE / "it" / "LC_MESSAGES" / "djangojs.po"
EN_JS = LOCALE / "en" / "LC_MESSAGES" / "djangojs.po"


def test_the_scripts_italian_catalogue_is_complete_and_english_holds_the_same():
    entries = messages(IT_JS)
    assert len(entries) >= 4
    assert [e["msgid"] for e in entries if not all(e["msgstr"].values())] == []
    assert [e["msgid"] for e in parse_po(IT_JS) if "fuzzy" in e["flags"]] == []
    assert {key(e) for e in messages(EN_JS)} == {key(e) for e in entries}


@pytest.mark.parametrize("po", [IT_JS, EN_JS], ids=["it", "en"])
def test_the_scripts_compiled_catalogue_matches_its_source(po):
    with open(po.with_suffix(".mo"), "rb") as handle:
        compiled = {k: v for k, v in gettext.GNUTranslations(handle)._catalog.items() if k != ""}
    assert compiled == {e["msgid"]: e["msgstr"][0] for e in messages(po) if e["msgstr"].get(0)}


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext tools are not installed")
def test_the_scripts_catalogue_covers_every_gettext_in_our_scripts(tmp_path, monkeypatch):
    """Our scripts (not the vendored ones) extracted again: a ``gettext("...")`` added to a
    script without updating djangojs.po would show in English to Italian users."""
    base = Path(settings.BASE_DIR)
    skip = {".venv", "staticfiles", "tests", "locale", "media", "node_modules", ".git", "test-artifacts"}
    copied = 0
    for source in base.rglob("*.js"):
        relative = source.relative_to(base)
        if relative.parts[0] in skip or "vendor" in relative.parts:
            continue
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copied += 1
    assert copied >= 5
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("makemessages", locale=["it"], domain="djangojs", verbosity=0, no_obsolete=True)
    extracted = {key(e) for e in messages(tmp_path / "locale" / "it" / "LC_MESSAGES" / "djangojs.po")}
    catalogue = {key(e) for e in messages(IT_JS)}
    assert (None, "Table", None) in extracted
    assert sorted(extracted - catalogue, key=str) == [], "run makemessages -d djangojs and translate"
    assert sorted(catalogue - extracted, key=str) == [], "run makemessages -d djangojs --no-obsolete"


@pytest.mark.django_db
@pytest.mark.usefixtures("italian_default", "product_default_language")
def test_the_scripts_speak_italian_by_default_and_english_on_request(client):
    page = client.get(reverse("accessibility")).content.decode()
    assert f'src="{reverse("javascript-catalog")}"' in page
    italian = client.get(reverse("javascript-catalog")).content.decode()
    assert '"Table": "Tabella"' in italian and "Non salvato: controlla la connessione" in italian
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("javascript-catalog")).content.decode()
    assert "Tabella" not in english
