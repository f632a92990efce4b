#!/usr/bin/env bash
# Installs everything `make run` and `make test` need on a fresh Debian 12 (bookworm) machine, as
# root or with sudo. Idempotent and quick when everything is already there, so every make target
# that needs the toolchain can call it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: WebKitGTK 4.1 + GTK for Tauri, Xvfb and xauth for windows without a display,
# webkit2gtk-driver (WebKitWebDriver) for the end-to-end test, Chromium for the browser test,
# x11-apps (xwd) + ImageMagick for screenshots, dbus for a session bus under Xvfb; python3-venv
# for the MLflow server the registry tests publish to; gnome-keyring for the Secret Service test
# (libdbus-1-dev: the keyring crate's Secret Service client).
APT_PACKAGES=(
  build-essential pkg-config file curl ca-certificates
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  xvfb xauth webkit2gtk-driver chromium x11-apps imagemagick fonts-dejavu-core dbus dbus-x11
  python3-venv gnome-keyring libdbus-1-dev
  xdotool python3-gi gir1.2-gtk-3.0 xclip dunst libnotify-bin desktop-file-utils xdg-utils x11-utils
  debootstrap dpkg-dev rpm
)
# The MLflow the registry tests run (tests/registry_mlflow.rs); pinned like the notes in
# ../shared/docs/mlflow-rest-notes.md were observed on.
MLFLOW_VERSION=3.17.2
MLFLOW_VENV=target/mlflow-venv
# Pinned so that a test run today and next month drive the app the same way.
TAURI_DRIVER_VERSION=2.1.0

log() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found: install Rust 1.90 or newer (https://rustup.rs) and run again" >&2
  exit 2
fi
if command -v rustup >/dev/null 2>&1; then
  for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component"
  done
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "setup: Node.js 20.19 or newer is needed for the UI build (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 2
fi

# npm packages, from the lock file; skipped when node_modules matches it.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  log "installing npm packages (ui/)"
  npm --prefix ui ci --no-audit --no-fund
fi

driver="${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver"
if ! "$driver" --help 2>/dev/null | grep -q "tauri-driver" || ! grep -qs "$TAURI_DRIVER_VERSION" "${CARGO_HOME:-$HOME/.cargo}/.crates.toml"; then
  log "installing tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked
fi

# A real MLflow tracking server for the registry tests, in a venv of its own (about 45 s).
if ! "$MLFLOW_VENV/bin/mlflow" --version 2>/dev/null | grep -q "$MLFLOW_VERSION"; then
  log "installing MLflow $MLFLOW_VERSION into $MLFLOW_VENV"
  rm -rf "$MLFLOW_VENV"
  python3 -m venv "$MLFLOW_VENV"
  "$MLFLOW_VENV/bin/pip" install --quiet --disable-pip-version-check "mlflow[auth]==$MLFLOW_VERSION"
fi
