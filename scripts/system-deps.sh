#!/usr/bin/env bash
# System tools the tests use beside the virtualenv: Debian's chromium (browser tests,
# driven by Playwright with CHROMIUM_PATH) and gettext's msgfmt (compilemessages).
# Source it for the functions, or run it to install both where missing.
# Installs only as root with apt-get; otherwise says what will be skipped.

_apt_missing=()

_want_package() {
  # $1 package, $2 command that shows it is there
  if ! command -v "$2" >/dev/null 2>&1; then _apt_missing+=("$1"); fi
}

_apt_install_missing() {
  [ ${#_apt_missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Not installing ${_apt_missing[*]}: needs root and apt-get."
    return 0
  fi
  echo "Installing Debian packages: ${_apt_missing[*]}"
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${_apt_missing[@]}" >/dev/null; }; then
    echo "WARNING: apt-get could not install ${_apt_missing[*]}."
  fi
  _apt_missing=()
}

ensure_chromium() {
  if [ -z "${CHROMIUM_PATH:-}" ] || [ ! -x "${CHROMIUM_PATH}" ]; then
    if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
      _want_package chromium chromium
      _apt_install_missing
    fi
    CHROMIUM_PATH=$(command -v chromium || command -v chromium-browser || true)
  fi
  if [ -n "$CHROMIUM_PATH" ]; then
    export CHROMIUM_PATH
    echo "Chromium: $CHROMIUM_PATH"
  else
    unset CHROMIUM_PATH
    echo "Chromium not found: browser tests will be skipped."
  fi
}

ensure_gettext() {
  if ! command -v msgfmt >/dev/null 2>&1; then
    _want_package gettext msgfmt
    _apt_install_missing
  fi
  if command -v msgfmt >/dev/null 2>&1; then
    echo "gettext: $(command -v msgfmt)"
  else
    echo "msgfmt not found: translations will not be recompiled (the committed .mo files are used)."
  fi
}

# Both at once: one apt-get update for everything missing.
ensure_system_tools() {
  if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    _want_package chromium chromium
  fi
  _want_package gettext msgfmt
  _apt_install_missing
  ensure_chromium
  ensure_gettext
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ensure_system_tools
fi
