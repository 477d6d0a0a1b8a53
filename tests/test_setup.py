"""The README's commands: the interpreter finder, the scripts and CI's entry point."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIND_PYTHON = ROOT / "scripts" / "find-python.sh"
BASH = shutil.which("bash")


def _fake_machine(tmp_path: Path, *, pyenv_versions: dict[str, Path] | None = None) -> dict[str, str]:
    """An environment like a fresh machine: PATH holds only the shell tools the script
    uses and a ``python3`` that is too old; PYENV_ROOT holds ``pyenv_versions``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "ls", "sort"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    old_python = bin_dir / "python3"
    old_python.write_text("#!/bin/sh\n# Python 3.11: refuses the version check\nexit 1\n")
    old_python.chmod(0o755)
    pyenv_root = tmp_path / "pyenv"
    for version, interpreter in (pyenv_versions or {}).items():
        folder = pyenv_root / "versions" / version / "bin"
        folder.mkdir(parents=True)
        (folder / "python3").symlink_to(interpreter)
    pyenv_root.mkdir(exist_ok=True)
    return {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path),
        "PYENV_ROOT": str(pyenv_root),
        "FIND_PYTHON_SYSTEM_DIRS": "",
    }


def _find_python(env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([BASH, str(FIND_PYTHON)], env=env, capture_output=True, text=True, timeout=60, check=False)


def test_find_python_prints_an_interpreter_of_3_12_or_newer():
    result = _find_python(dict(os.environ))
    assert result.returncode == 0, result.stderr
    interpreter = result.stdout.strip()
    version = subprocess.run(
        [interpreter, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True, check=True
    ).stdout
    assert tuple(int(n) for n in re.findall(r"\d+", version)) >= (3, 12)


def test_find_python_finds_a_pyenv_version_when_path_has_none(tmp_path):
    # The running interpreter (>= 3.12, as pyproject requires) stands for pyenv's 3.12.
    env = _fake_machine(tmp_path, pyenv_versions={"3.12.9": Path(sys.executable)})
    result = _find_python(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "pyenv" / "versions" / "3.12.9" / "bin" / "python3")


def test_find_python_fails_with_a_clear_message_when_there_is_none(tmp_path):
    env = _fake_machine(tmp_path)
    result = _find_python(env)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no Python 3.12 or newer found" in result.stderr
    assert str(tmp_path / "pyenv") in result.stderr
    assert "pyenv install 3.12" in result.stderr


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^CI=true exec \./scripts/test\.sh\s*$", ci, re.MULTILINE)
    readme = (ROOT / "README.md").read_text()
    assert "./scripts/test.sh" in readme and "./scripts/run.sh" in readme


@pytest.mark.parametrize(
    "script",
    [
        "scripts/find-python.sh",
        "scripts/setup.sh",
        "scripts/run.sh",
        "scripts/test.sh",
        "scripts/system-deps.sh",
        "scripts/postgres-url.sh",
        ".ci/run",
    ],
)
def test_scripts_are_executable_and_parse(script):
    path = ROOT / script
    assert os.access(path, os.X_OK), f"{script} must be executable (git update-index --chmod=+x)"
    result = subprocess.run([BASH, "-n", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("target", "script"), [("run", "./scripts/run.sh"), ("test", "./scripts/test.sh")])
def test_make_targets_are_aliases_of_the_scripts(target, script):
    result = subprocess.run(
        ["make", "-n", "-C", str(ROOT), target], capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert script in result.stdout


UNREACHABLE = "postgres://postgres:secret@127.0.0.1:1/nothing"


def _postgres_url(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "DATABASE_URL", "PG_DEFAULT_URL")}
    return subprocess.run(
        [BASH, str(ROOT / "scripts" / "postgres-url.sh")],
        env={**clean, "PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_unreachable_postgresql_fails_under_ci_with_a_clear_message():
    result = _postgres_url(CI="true", PG_DEFAULT_URL=UNREACHABLE)
    assert result.returncode == 1
    assert "ERROR: PostgreSQL not reachable at postgres://postgres:***@127.0.0.1:1/nothing" in result.stderr
    assert "secret" not in result.stderr


def test_unreachable_default_postgresql_is_skipped_outside_ci_but_an_explicit_url_fails():
    skipped = _postgres_url(PG_DEFAULT_URL=UNREACHABLE)
    assert skipped.returncode == 2 and "not reachable" in skipped.stderr
    explicit = _postgres_url(DATABASE_URL=UNREACHABLE)
    assert explicit.returncode == 1 and "ERROR" in explicit.stderr


def test_a_non_postgres_database_url_skips_the_postgresql_run():
    result = _postgres_url(DATABASE_URL="sqlite:///elsewhere.sqlite3", CI="true")
    assert result.returncode == 2 and "not a postgres:// URL" in result.stderr


def test_a_reachable_postgresql_is_used():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("this run is not on PostgreSQL")
    result = _postgres_url(DATABASE_URL=url, CI="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == url


def test_the_test_script_runs_every_check():
    script = (ROOT / "scripts" / "test.sh").read_text()
    for command in (
        "ruff check .",
        "ruff format --check .",
        "makemigrations --check --dry-run",
        "compilemessages",
        "scripts/postgres-url.sh",
        "ensure_system_tools",
    ):
        assert command in script, command


def _system_deps(tmp_path: Path, *, uid: int) -> tuple[subprocess.CompletedProcess, Path]:
    """``ensure_system_tools`` on a machine without chromium and msgfmt, with a fake
    ``apt-get`` that records its calls and "installs" stand-ins, and a fake ``id``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "apt-calls"
    (bin_dir / "id").write_text(f"#!{BASH}\necho {uid}\n")
    (bin_dir / "apt-get").write_text(
        f"#!{BASH}\n"
        f'echo "$*" >> {calls}\n'
        'if [[ " $* " == *" install "* ]]; then\n'
        f"  for tool in chromium msgfmt; do printf '#!{BASH}\\n' > {bin_dir}/$tool; chmod +x {bin_dir}/$tool; done\n"
        "fi\n"
    )
    for tool in ("id", "apt-get"):
        (bin_dir / tool).chmod(0o755)
    script = f'. {ROOT / "scripts" / "system-deps.sh"}; ensure_system_tools; echo "CHROMIUM_PATH=${{CHROMIUM_PATH:-}}"'
    result = subprocess.run(
        [BASH, "-c", script],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result, calls


def test_system_tools_are_installed_with_one_apt_update_as_root(tmp_path):
    result, calls = _system_deps(tmp_path, uid=0)
    assert result.returncode == 0, result.stderr
    lines = calls.read_text().splitlines()
    assert lines[0] == "update -qq"
    assert len(lines) == 2 and "install" in lines[1] and "chromium" in lines[1] and "gettext" in lines[1]
    assert f"CHROMIUM_PATH={tmp_path / 'bin' / 'chromium'}" in result.stdout


def test_without_root_nothing_is_installed_and_browser_tests_are_skipped(tmp_path):
    result, calls = _system_deps(tmp_path, uid=1000)
    assert result.returncode == 0, result.stderr
    assert not calls.exists()
    assert "needs root" in result.stdout
    assert "browser tests will be skipped" in result.stdout
    assert "CHROMIUM_PATH=\n" in result.stdout
