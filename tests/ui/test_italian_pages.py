"""Every persona's pages in Italian carry no English left untranslated.

The demo data (seed_demo, Italian) is built once; each demo persona starts at home and
follows the links of the pages (what a person can click: same site, GET), the back office
included for staff, up to a bound. Each page must answer 200 and its visible text (text
nodes, and the button values, labels and placeholders people read or hear) must not hold
an English string from the catalogues - ours, Django's, its admin's and the libraries' -
unless its Italian translation is the same word ("Password", "Email")."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.utils import translation

from incubator.models import User

pytestmark = pytest.mark.django_db

CATALOGUES = [
    Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES" / "django.po",
    Path(django.__file__).parent / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po",
    Path(django.__file__).parent / "contrib" / "admin" / "locale" / "en" / "LC_MESSAGES" / "django.po",
    Path(django.__file__).parent / "contrib" / "auth" / "locale" / "en" / "LC_MESSAGES" / "django.po",
]
SKIP_PATH = re.compile(
    r"(logout|/data\.|\.ics$|\.csv|\.xlsx|\.txt$|\.json|/download|/export|/evidence/$|/delete/|/history/|"
    r"/password/|/i18n/|/api/|/calendar|/static/|/media/|\?.*(o=|_changelist_filters|p=|all=)|"
    # Permission names and user names are data Django stores in English, not interface text.
    r"^/admin/auth/|^/admin/authtoken/)"
)
PAGES_PER_PERSONA = 45
ADMIN_PAGES_PER_PERSONA = 25
# Words and names that are the same in both languages or are data, not interface text.
SAME_IN_ITALIAN = {"OK", "Email", "E-mail", "Password", "Home", "Budget", "Tutor", "Mentor", "Standard", "Online"}


def _unquote(chunks: list[str]) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', "\n".join(chunks))).replace('\\"', '"').replace("\\n", "\n")


def catalogue_msgids() -> set[str]:
    """The singular msgids (no context) of the catalogues, as plain text."""
    found: set[str] = set()
    for path in CATALOGUES:
        text = path.read_text(encoding="utf-8")
        for block in text.split("\n\n"):
            if "#~" in block or "msgctxt" in block:
                continue
            match = re.search(r"^msgid (\"(?:.|\n)*?)(?=^msgid_plural|^msgstr)", block, re.M)
            if match:
                msgid = _unquote(match.group(1).splitlines())
                if msgid:
                    found.add(msgid)
    return found


def leftovers_of(msgids: set[str]) -> dict[str, re.Pattern]:
    """msgid -> a pattern finding it as interface text, for the msgids Italian changes. A
    msgid with placeholders is looked for by its longest literal part (>= 12 characters)."""
    patterns: dict[str, re.Pattern] = {}
    with translation.override("it"):
        for msgid in msgids:
            if msgid in SAME_IN_ITALIAN or "\n" in msgid or msgid in italian_texts():
                continue
            italian = translation.gettext(msgid)
            if italian == msgid and msgid in _identical_on_purpose():
                continue
            parts = [p.strip() for p in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", msgid)]
            literal = max(parts, key=len)
            if literal != msgid.strip() and len(literal) < 12:
                continue
            if len(literal) < 3 or not re.search(r"[A-Za-z]{3}", literal):
                continue
            words = len(literal.split())
            escaped = re.escape(literal)
            # One word only counts as a whole text of its own (a button, a cell, a heading);
            # a phrase counts anywhere, between word boundaries.
            patterns[msgid] = re.compile(rf"^{escaped}$" if words == 1 else rf"(?<![\w-]){escaped}(?![\w-])")
    return patterns


_IDENTICAL: set[str] | None = None
_ITALIAN: set[str] = set()


def italian_texts() -> set[str]:
    """The Italian translations in the catalogues: "Note" is Italian too."""
    if not _ITALIAN:
        root = Path(django.__file__).parent
        for path in (
            CATALOGUES[0],
            root / "conf" / "locale" / "it" / "LC_MESSAGES" / "django.po",
            root / "contrib" / "admin" / "locale" / "it" / "LC_MESSAGES" / "django.po",
        ):
            _ITALIAN.update(re.findall(r'^msgstr(?:\[\d\])? "(.+)"$', path.read_text(encoding="utf-8"), re.M))
    return _ITALIAN


def _identical_on_purpose() -> set[str]:
    """Entries of our Italian catalogue translated by the same text (e.g. "Budget")."""
    global _IDENTICAL
    if _IDENTICAL is None:
        _IDENTICAL = set()
        text = CATALOGUES[0].read_text(encoding="utf-8")
        for block in text.split("\n\n"):
            msgid = re.search(r'^msgid "(.+)"$', block, re.M)
            msgstr = re.search(r'^msgstr "(.+)"$', block, re.M)
            if msgid and msgstr and msgid.group(1) == msgstr.group(1):
                _IDENTICAL.add(msgid.group(1))
    return _IDENTICAL


class Page(HTMLParser):
    """A page's interface texts and its links."""

    READ_ATTRS = ("aria-label", "placeholder", "title", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template", "textarea"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])
        for name in self.READ_ATTRS:
            if attrs.get(name):
                self.texts.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "textarea") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def crawl(client: Client, *, limit: int, admin_limit: int) -> dict[str, Page]:
    seen: dict[str, Page] = {}
    queue = ["/"]
    admin_pages = 0
    while queue and len(seen) < limit + admin_limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        assert response.status_code == 200, f"{url} -> {final}: {response.status_code}"
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = Page()
        page.feed(response.content.decode())
        seen[url] = page
        if final != url:
            seen[final] = page
        for href in page.links:
            href = href.split("#")[0]
            if not href.startswith("/") or href.startswith("//") or SKIP_PATH.search(href) or href in seen:
                continue
            if href.startswith("/admin/"):
                if admin_pages >= admin_limit:
                    continue
                admin_pages += 1
            elif len([u for u in seen if not u.startswith("/admin/")]) >= limit:
                continue
            queue.append(href)
    return seen


@override_settings(LANGUAGE_CODE="it")
class ItalianPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", seed=2026, stdout=open("/dev/null", "w"))  # noqa: SIM115

    def setUp(self):
        self.patterns = leftovers_of(catalogue_msgids())

    def assert_italian(self, username: str) -> dict[str, Page]:
        client = Client(headers={"accept-language": "it"})
        client.force_login(User.objects.get(username=username))
        pages = crawl(client, limit=PAGES_PER_PERSONA, admin_limit=ADMIN_PAGES_PER_PERSONA)
        found: dict[str, set[str]] = {}
        for url, page in pages.items():
            for text in page.texts:
                for msgid, pattern in self.patterns.items():
                    if pattern.search(text):
                        found.setdefault(msgid, set()).add(url)
        report = "\n".join(f"  {msgid!r} on {sorted(urls)[:3]}" for msgid, urls in sorted(found.items()))
        self.assertFalse(found, f"English left on {username}'s Italian pages:\n{report}")
        return pages

    def test_participant(self):
        pages = self.assert_italian("participant")
        self.assertIn("/my-path/", pages)

    def test_rejected_applicant(self):
        self.assert_italian("participant2")

    def test_tutor(self):
        pages = self.assert_italian("tutor")
        self.assertIn("/tutor/", pages)

    def test_trainer(self):
        self.assert_italian("trainer")

    def test_evaluator(self):
        self.assert_italian("evaluator")

    def test_coordinator(self):
        pages = self.assert_italian("coordinator")
        self.assertIn("/dashboard/", pages)
        self.assertTrue(any(url.startswith("/admin/") for url in pages))

    def test_administrator(self):
        pages = self.assert_italian("admin")
        self.assertTrue(any(url.startswith("/admin/") for url in pages))


def test_the_check_finds_english_left_in_a_page():
    """The detector itself: an untranslated Django string and an English phrase of ours."""
    patterns = leftovers_of({"- Select an option -", "Run", "Log a session", "Password"})
    texts = ["- Select an option -", "Run", "Registra una sessione", "Password"]
    hits = {m for m, p in patterns.items() for t in texts if p.search(t)}
    assert "Password" not in hits and "Log a session" not in hits
    page = Page()
    page.feed('<p>Ciao</p><button>Log a session</button><input type="submit" value="Run"><script>Run</script>')
    hits = {m for m, p in patterns.items() for t in page.texts if p.search(t)}
    assert hits == {"Log a session", "Run"}
