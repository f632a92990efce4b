#!/usr/bin/env bash
# Packages already-built binaries for Linux (make package):
#   driftdeck_<version>_<arch>.deb          (dpkg-deb; Depends computed by dpkg-shlibdeps)
#   driftdeck-<version>-linux-<arch>.tar.gz (portable: the same tree under one folder, + INSTALL)
#   driftdeck-<version>-1.<rpmarch>.rpm     (only when rpmbuild is installed: Debian package rpm)
#
# Usage: scripts/package.sh [--profile release|debug] [--out DIR]   (defaults: release, target/package)
#
# It never builds: it takes target/<profile>/driftdeck-app and target/<profile>/driftdeck as they
# are and ships stripped copies (the files in target/ are never modified). Everything the package
# holds besides the binaries comes from packaging/ (desktop entry, maintainer scripts, control and
# copyright templates, INSTALL), icons/ and assets/demo/.
#
# Host tools (Debian packages): dpkg-dev (dpkg-shlibdeps), binutils (strip), desktop-file-utils
# (desktop-file-validate), imagemagick (identify, convert: icon sizes, the .ico's small sizes);
# optional: rpm (rpmbuild). PACKAGE_XZ_LEVEL (default 3) sets the .deb's and .rpm's xz level.
set -euo pipefail
umask 022

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile=release
out="$root/target/package"
maintainer="${DEB_MAINTAINER:-Driftdeck developers <dev@driftdeck.invalid>}"

die() { printf 'package: error: %s\n' "$*" >&2; exit 1; }
log() { printf '\033[1mpackage:\033[0m [%3ss] %s\n' "$SECONDS" "$*"; }
usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --profile) [ $# -ge 2 ] || die "--profile needs a value (release or debug)"; profile="$2"; shift 2 ;;
    --profile=*) profile="${1#*=}"; shift ;;
    --out) [ $# -ge 2 ] || die "--out needs a directory"; out="$2"; shift 2 ;;
    --out=*) out="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
case "$profile" in release|debug) ;; *) die "--profile must be release or debug, not '$profile'" ;; esac

for tool in dpkg-deb:dpkg dpkg-shlibdeps:dpkg-dev strip:binutils desktop-file-validate:desktop-file-utils \
            identify:imagemagick convert:imagemagick gzip:gzip tar:tar; do
  command -v "${tool%%:*}" >/dev/null 2>&1 ||
    die "${tool%%:*} not found: install the Debian package ${tool#*:} (scripts/setup.sh installs it)"
done

# --- inputs ---------------------------------------------------------------------------------
app_src="$root/target/$profile/driftdeck-app"
cli_src="$root/target/$profile/driftdeck"
if [ "$profile" = release ]; then
  build_hint="build them first: 'make ui && cargo build --release --workspace' (the app embeds ui/dist)"
else
  build_hint="build them first: 'make build'"
fi
for bin in "$app_src" "$cli_src"; do
  [ -f "$bin" ] || die "${bin#"$root"/} not found; this script packages existing binaries and never builds: $build_hint"
  [ "$(head -c 4 "$bin" | od -An -c | tr -d ' ')" = '177ELF' ] || die "${bin#"$root"/} is not an ELF binary"
done

# [workspace.package] in Cargo.toml: version, license, repository.
workspace_field() {
  awk -v key="$1" '
    /^\[/ { in_section = ($0 == "[workspace.package]") ; next }
    in_section && $0 ~ "^" key "[ \t]*=" { sub(/^[^=]*=[ \t]*"/, ""); sub(/".*$/, ""); print; exit }
  ' "$root/Cargo.toml"
}
version="$(workspace_field version)"
license="$(workspace_field license)"
homepage="$(workspace_field repository)"
[ -n "$version" ] || die "no version in [workspace.package] of Cargo.toml"
[ -n "$license" ] || die "no license in [workspace.package] of Cargo.toml"
# packaging/copyright carries the full texts of exactly these licenses.
[ "$license" = "MIT OR Apache-2.0" ] ||
  die "Cargo.toml's license is now '$license': update the License paragraphs of packaging/copyright, then this check"
deb_version="${version//-/\~}" # semver pre-releases (1.0.0-rc.1) sort before the release in Debian as 1.0.0~rc.1
arch="$(dpkg --print-architecture)"

# The binaries must be the version being packaged (a stale target/ is an easy mistake).
cli_version="$("$cli_src" --version 2>/dev/null | awk '{print $NF}')" || true
[ "$cli_version" = "$version" ] ||
  die "${cli_src#"$root"/} reports version '${cli_version:-?}' but Cargo.toml says $version: rebuild ($build_hint)"

# Reproducible output: every mtime is the last commit's time (or SOURCE_DATE_EPOCH if set).
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH="$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)"
fi
export SOURCE_DATE_EPOCH

mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# The package's tree sits where dpkg-shlibdeps expects one: debian/<package>/ beside debian/control.
stage="$work/src/debian/driftdeck"
usr="$stage/usr"

# Escapes a value for the right side of s|…|…| (a Depends line can hold '|').
# shellcheck disable=SC2001
sed_value() { sed -e 's/[\\&|]/\\&/g' <<<"$1"; }
render() { # render TEMPLATE: replaces @NAME@ placeholders from the variables below
  local dep5_license
  dep5_license="$(sed -e 's/ OR / or /g' -e 's/ AND / and /g' <<<"$license")"
  sed -e "s|@VERSION@|$(sed_value "$deb_version")|g" -e "s|@ARCH@|$(sed_value "$arch")|g" \
      -e "s|@MAINTAINER@|$(sed_value "$maintainer")|g" -e "s|@HOMEPAGE@|$(sed_value "$homepage")|g" \
      -e "s|@LICENSE@|$(sed_value "$license")|g" -e "s|@DEP5_LICENSE@|$(sed_value "$dep5_license")|g" \
      -e "s|@INSTALLED_SIZE@|$(sed_value "${installed_size:-}")|g" -e "s|@DEPENDS@|$(sed_value "${depends:-}")|g" \
      -e "s|@RUNTIME_PACKAGES@|$(sed_value "${runtime_packages:-}")|g" \
      -e "s|@RPM_VERSION@|$(sed_value "${rpm_version:-}")|g" -e "s|@STAGE@|$(sed_value "$stage")|g" "$1"
}

# --- the tree (shared by the .deb, the tarball and the .rpm) ------------------------------------
log "staging $profile binaries (stripped copies)"
mkdir -p "$usr/bin"
for bin in "$app_src" "$cli_src"; do
  before="$(stat -c '%s %Y' "$bin")"
  # -o writes a new file: the binary in target/ is left exactly as it was.
  strip --strip-all -o "$usr/bin/$(basename "$bin")" "$bin"
  chmod 0755 "$usr/bin/$(basename "$bin")"
  # A cargo build relinking it meanwhile would leave a half-written copy: refuse that.
  [ "$(stat -c '%s %Y' "$bin")" = "$before" ] ||
    die "${bin#"$root"/} changed while it was being copied (a build running?): run again when the build is done"
done

install -D -m 0644 "$root/packaging/driftdeck.desktop" "$usr/share/applications/driftdeck.desktop"
desktop-file-validate "$usr/share/applications/driftdeck.desktop" ||
  die "packaging/driftdeck.desktop does not validate (desktop-file-validate above)"

# Icons: every square size in icons/ (PNGs, and the frames of icon.ico) that the hicolor theme has
# a folder for; Tauri's Windows Store logos (30, 44, 71, 89, 107, 142, 150, 284, 310) have none.
hicolor_sizes=" 16 22 24 32 36 48 64 72 96 128 192 256 512 "
icon_sizes=()
add_icon() { # add_icon SOURCE SIZE
  local dir="$usr/share/icons/hicolor/${2}x${2}/apps"
  [ ! -e "$dir/driftdeck.png" ] || return 0
  [[ "$hicolor_sizes" == *" $2 "* ]] || return 0
  mkdir -p "$dir"
  if [[ "$1" == *.png ]]; then
    install -m 0644 "$1" "$dir/driftdeck.png"
  else
    convert "$1" -strip -define png:exclude-chunks=date,time "png:$dir/driftdeck.png"
  fi
  icon_sizes+=("$2")
}
shopt -s nullglob
for png in "$root"/icons/[0-9]*x[0-9]*.png "$root"/icons/icon.png "$root"/icons/*.png; do
  read -r w h < <(identify -format '%w %h\n' "$png" | head -n 1) || die "identify cannot read $png"
  if [ "$w" = "$h" ]; then add_icon "$png" "$w"; fi
done
if [ -f "$root/icons/icon.ico" ]; then
  while read -r frame w h; do
    if [ "$w" = "$h" ]; then add_icon "$root/icons/icon.ico[$frame]" "$w"; fi
  done < <(identify -format '%p %w %h\n' "$root/icons/icon.ico")
fi
shopt -u nullglob
[ ${#icon_sizes[@]} -gt 0 ] || die "no usable icon in icons/ (scripts/make_icons.sh makes them)"
# The source SVG as the scalable icon, if it is self-contained (no text needing fonts, no linked
# files or scripts) and well-formed.
svg="$root/icons/source.svg"
if [ -f "$svg" ] && ! grep -Eq '<(text|image|script|foreignObject)[ >]|href="(https?|file):' "$svg" &&
   python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$svg" 2>/dev/null; then
  install -D -m 0644 "$svg" "$usr/share/icons/hicolor/scalable/apps/driftdeck.svg"
  icon_sizes+=(scalable)
fi
log "icons: ${icon_sizes[*]}"

# The demo workspace, where the app looks for it: <exe_dir>/../share/driftdeck/demo.
[ -d "$root/assets/demo" ] || die "assets/demo not found (python3 scripts/make_demo.py makes it)"
mkdir -p "$usr/share/driftdeck/demo"
cp -R "$root/assets/demo/." "$usr/share/driftdeck/demo/"

doc="$usr/share/doc/driftdeck"
mkdir -p "$doc"
render "$root/packaging/copyright" >"$doc/copyright"

# Modes and times, the same on every build.
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f ! -path "$usr/bin/*" -exec chmod 0644 {} +

# --- .deb ---------------------------------------------------------------------------------------
log "computing Depends (dpkg-shlibdeps)"
mkdir -p "$stage/DEBIAN" # how dpkg-shlibdeps recognises a package's tree
printf 'Source: driftdeck\n\nPackage: driftdeck\nArchitecture: any\n' >"$work/src/debian/control"
depends="$(cd "$work/src" && dpkg-shlibdeps -O debian/driftdeck/usr/bin/driftdeck-app debian/driftdeck/usr/bin/driftdeck |
           sed -n 's/^shlibs:Depends=//p')"
[ -n "$depends" ] || die "dpkg-shlibdeps found no dependencies"
# Every package name, for the tarball's INSTALL text.
runtime_packages="$(tr ',' '\n' <<<"$depends" | sed -e 's/(.*)//' -e 's/|.*//' -e 's/ //g' | grep -v '^$' | tr '\n' ' ' | sed 's/ $//')"

# The tarball's tree is taken now, before the Debian-only parts (DEBIAN/, README.md.gz).
tar_top="driftdeck-$version-linux-$arch"
mkdir -p "$work/tar/$tar_top"
cp -a "$usr/." "$work/tar/$tar_top/"
install -m 0644 "$root/README.md" "$work/tar/$tar_top/share/doc/driftdeck/README.md"
render "$root/packaging/INSTALL" >"$work/tar/$tar_top/INSTALL"
chmod 0644 "$work/tar/$tar_top/INSTALL"

# Debian policy: documentation larger than 4 kB is compressed.
gzip -9n <"$root/README.md" >"$doc/README.md.gz"
chmod 0644 "$doc/README.md.gz"

mkdir -p "$stage/DEBIAN"
install -m 0755 "$root/packaging/postinst" "$stage/DEBIAN/postinst"
install -m 0755 "$root/packaging/postrm" "$stage/DEBIAN/postrm"
# Installed-Size as dpkg-gencontrol counts it: KiB per file rounded up, 1 per directory or link.
installed_size="$(find "$usr" \( -type f -printf '%s\n' \) -o \( ! -type f -printf '1\n' \) |
                  awk '{ t += ($1 == 1 ? 1 : int(($1 + 1023) / 1024)) } END { print t }')"
render "$root/packaging/control.in" >"$stage/DEBIAN/control"
chmod 0644 "$stage/DEBIAN/control"
find "$stage" "$work/tar" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

deb="$out/driftdeck_${deb_version}_${arch}.deb"
log "building $(basename "$deb")"
rm -f "$deb"
# xz -3: on a 2-core machine level 6 (dpkg's default) took ten times as long for 12 % less.
dpkg-deb --root-owner-group -Zxz "-z${PACKAGE_XZ_LEVEL:-3}" --build "$stage" "$deb" >/dev/null
built=("$deb")

# --- tarball ------------------------------------------------------------------------------------
tgz="$out/$tar_top.tar.gz"
log "building $(basename "$tgz")"
tar -C "$work/tar" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    -cf - "$tar_top" | gzip -6n >"$tgz.tmp"
mv "$tgz.tmp" "$tgz"
built+=("$tgz")

# --- .rpm (optional) ----------------------------------------------------------------------------
case "$arch" in amd64) rpm_arch=x86_64 ;; arm64) rpm_arch=aarch64 ;; *) rpm_arch="" ;; esac
if ! command -v rpmbuild >/dev/null 2>&1; then
  log "no .rpm: rpmbuild not found (Debian package rpm)"
elif [ -z "$rpm_arch" ]; then
  log "no .rpm: no RPM architecture name known for $arch"
else
  log "building the .rpm (rpmbuild)"
  rpm_version="${version//-/\~}"
  rm -rf "$stage/DEBIAN"
  mv "$doc/README.md.gz" "$work/README.md.gz.deb" # the RPM ships README.md unpacked, as %doc
  install -m 0644 "$root/README.md" "$doc/README.md"
  touch -h -d "@$SOURCE_DATE_EPOCH" "$doc/README.md" "$doc"
  render "$root/packaging/driftdeck.spec.in" >"$work/driftdeck.spec"
  if rpmbuild -bb --quiet --target "$rpm_arch" \
       --define "_topdir $work/rpm" --define "_rpmdir $work/rpm/out" \
       --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
       --define "_buildhost driftdeck" --define "_binary_payload w${PACKAGE_XZ_LEVEL:-3}T0.xzdio" \
       "$work/driftdeck.spec" >"$work/rpmbuild.log" 2>&1; then
    for f in "$work"/rpm/out/*.rpm; do mv "$f" "$out/"; built+=("$out/$(basename "$f")"); done
  else
    cat "$work/rpmbuild.log" >&2
    die "rpmbuild failed (log above)"
  fi
fi

# --- summary ------------------------------------------------------------------------------------
log "built ($profile binaries, version $version, $arch):"
for f in "${built[@]}"; do
  printf '  %-8s %s\n' "$(du -h --apparent-size "$f" | cut -f1)" "${f#"$PWD"/}"
done
printf '  Depends: %s\n' "$depends"
