#!/usr/bin/env bash
# Screenshot of the real app window on the demo project, under Xvfb (no display needed).
# Usage: scripts/screenshot.sh OUT.png [view]   (make screenshot)
set -euo pipefail
cd "$(dirname "$0")/.."
export WEBKIT_DISABLE_DMABUF_RENDERER=1
xvfb-run -a -s "-screen 0 1280x800x24" node scripts/screenshot.mjs "$@"
