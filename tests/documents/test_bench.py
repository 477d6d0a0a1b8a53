from unittest import mock

from bench import documents


def test_benchmark_section_runs_on_small_data():
    lines = []
    with mock.patch.object(documents, "SESSIONS", 2):
        result = documents.run(None, lines.append)
    assert result["pages"] >= 2 and result["pages_per_s"] > 0
    assert "pages/s" in "\n".join(lines)
    assert result["cpu_seconds"] > 0 and "Goal: 40 pages in 5 s" in "\n".join(lines)
