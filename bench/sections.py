"""The benchmark's sections in the order they run and print."""

from collections.abc import Callable

from bench import backoffice, documents, exports, feeds, imports, lists, notifications, pages, portal, report
from bench.common import Settings

Section = Callable[[Settings, Callable[[str], None]], object]

SECTIONS: dict[str, Section] = {
    "lists": lists.run,
    "report": report.run,
    "imports": imports.run,
    "feeds": feeds.run,
    "pages": pages.run,
    "exports": exports.run,
    "admin": backoffice.run,
    "notifications": notifications.run,
    "documents": documents.run,
    "portal": portal.run,
}
