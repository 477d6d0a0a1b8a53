"""axe-core in the browser tests: ``assert_no_axe_violations(page)`` runs the pinned axe-core
(package.json; installed into node_modules/ by scripts/assets.sh) on the page as it is now
and fails listing every WCAG 2.1 A/AA violation, with the elements at fault.

The script is evaluated from the file through the DevTools protocol: ``add_script_tag`` would
add an inline <script>, which the site's strict Content-Security-Policy refuses (as it
should), and turning the policy off for the test would hide the violations it exists to catch."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from django.conf import settings

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@functools.cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_results(page, *, context: str | None = None) -> dict:
    """axe-core's full result for the page (or for the CSS selector ``context``)."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run scripts/assets.sh (npm ci) first.")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source() + "\n;true")
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    return page.evaluate(
        "([context, options]) => axe.run(context || document, options)",
        [context, options],
    )


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} [{v.get('helpUrl', '')}]")
        for node in v.get("nodes", [])[:10]:
            target = ", ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}: {node.get('failureSummary', '').splitlines()[-1].strip()}")
        if len(v.get("nodes", [])) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, context: str | None = None) -> None:
    """Fails with the list of WCAG 2.1 A/AA violations axe-core finds on the page."""
    violations = axe_results(page, context=context)["violations"]
    if violations:
        pytest.fail(f"axe-core found {len(violations)} violation(s) on {page.url}:\n{format_violations(violations)}")
