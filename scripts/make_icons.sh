#!/usr/bin/env bash
# Regenerates the app's icon set in icons/ from the one source image,
# icons/source.svg, with the Tauri CLI from ui/node_modules (`cd ui && npm ci`
# first). Run from anywhere; commit the result.
#
# `tauri icon` reads SVG itself (it rasterises with resvg), so no ImageMagick
# or librsvg step is needed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tauri="$root/ui/node_modules/.bin/tauri"
source_svg="$root/icons/source.svg"
out="$root/icons"

if [[ ! -x "$tauri" ]]; then
  echo "make_icons: $tauri not found; run 'npm ci' in ui/ first" >&2
  exit 1
fi

"$tauri" icon "$source_svg" --output "$out"

# Driftdeck ships for Linux, Windows and macOS only: the Android and iOS sets
# are many files that nothing uses, so they are not kept.
rm -rf "$out/android" "$out/ios"

echo "make_icons: icons written to $out"
