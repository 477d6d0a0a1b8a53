#!/usr/bin/env bash
# Front-end assets, served by the site itself (no CDN): installs the pinned npm packages
# (package.json / package-lock.json: bootstrap-italia, and axe-core for the accessibility
# tests) with `npm ci`, then copies the parts of Bootstrap Italia the pages use (CSS, the
# JavaScript bundle, the fonts in woff/woff2, the SVG icon sprite) into static/vendor/
# (git-ignored), where Django's staticfiles finds them. The fonts are declared by
# static/css/fonts.css rather than by Bootstrap Italia's font loader, which injects an
# inline <style> that the Content-Security-Policy refuses.
# Idempotent: npm ci runs only when package-lock.json changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: nodejs npm"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null || true
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: install Node.js and npm (e.g. apt-get install nodejs npm) to fetch Bootstrap Italia." >&2
  exit 1
fi
stamp=node_modules/.package-lock.sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules/bootstrap-italia ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing the pinned front-end packages (npm ci)"
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
  echo "$want" > "$stamp"
fi
src=node_modules/bootstrap-italia/dist
dest=static/vendor/bootstrap-italia
rm -rf "$dest"
mkdir -p "$dest/css" "$dest/js" "$dest/svg" "$dest/fonts"
# The video player's icon font is inlined as a data: URL, which font-src 'self' refuses;
# the pages show no videos, so its @font-face is left out.
sed -E 's/@font-face\{font-family:VideoJS;src:url\(data:[^)]*\)[^}]*\}//' \
  "$src/css/bootstrap-italia.min.css" > "$dest/css/bootstrap-italia.min.css"
cp "$src/css/bootstrap-italia.min.css.map" "$dest/css/"  # named by the CSS; collectstatic (manifest) needs it
grep -q 'data:application/font' "$dest/css/bootstrap-italia.min.css" && { echo "assets.sh: a data: font is left in the CSS" >&2; exit 1; }
cp "$src/js/bootstrap-italia.bundle.min.js" "$dest/js/"
cp "$src/svg/sprites.svg" "$dest/svg/"
for family in Titillium_Web Roboto_Mono Lora; do
  mkdir -p "$dest/fonts/$family"
  cp "$src/fonts/$family"/*.woff2 "$src/fonts/$family"/*.woff "$dest/fonts/$family/"
  cp "$src/fonts/$family"/*.txt "$dest/fonts/$family/" 2>/dev/null || true
done
cp node_modules/bootstrap-italia/LICENSE "$dest/LICENSE"
echo "Bootstrap Italia $(node -p 'require("./node_modules/bootstrap-italia/package.json").version') in $dest"
