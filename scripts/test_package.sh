#!/usr/bin/env bash
# Proves a Driftdeck .deb on a fresh Debian 12 (make test-package):
#   1. a minimal bookworm (debootstrap --variant=minbase, cached as target/package-test/
#      bookworm-minbase.tar; every run starts from a fresh extract of it) in a chroot;
#   2. `apt-get update && apt install ./driftdeck_*.deb` in it, from the Debian mirror;
#   3. `driftdeck --version`, `dpkg -L driftdeck` (binaries, desktop entry, icons, demo), no
#      missing shared library, the CLI indexing the installed demo workspace;
#   4. the installed app started on the host's Xvfb: its window appears, a screenshot shows a
#      rendered UI (target/package-test/installed-app.png), and it is still alive 5 s later.
#
# Usage: scripts/test_package.sh [--keep] [--no-recommends] [DEB]
#   DEB              the package (default: the newest target/package/driftdeck_*_<arch>.deb)
#   --keep           keep target/package-test/rootfs after a passing run (a failing run keeps it)
#   --no-recommends  apt install --no-install-recommends: proves Depends alone are enough
# Needs root (debootstrap, chroot, mount) and the network to the Debian mirror (DEBIAN_MIRROR,
# default http://deb.debian.org/debian). Host packages: debootstrap (installed here if missing),
# xvfb, x11-utils (xwininfo), x11-apps (xwd), imagemagick, mount/util-linux.
set -euo pipefail
umask 022

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/target/package-test"
rootfs="$work/rootfs"
cache="$work/bookworm-minbase.tar"
screenshot="$work/installed-app.png"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm
chroot_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { printf 'test_package: FAIL: %s\n' "$*" >&2; exit 1; }
log() { printf '\033[1mtest_package:\033[0m [%3ss] %s\n' "$SECONDS" "$*"; }
usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

keep=0
apt_options=""
deb=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1; shift ;;
    --no-recommends) apt_options="--no-install-recommends"; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option: $1" ;;
    *) [ -z "$deb" ] || die "one DEB only (got '$deb' and '$1')"; deb="$1"; shift ;;
  esac
done

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot and mount): run it as root or with sudo"
arch="$(dpkg --print-architecture)"
if [ -z "$deb" ]; then
  deb="$(find "$root/target/package" -maxdepth 1 -name "driftdeck_*_$arch.deb" -printf '%T@ %p\n' 2>/dev/null |
         sort -rn | head -n 1 | cut -d' ' -f2-)" || true
  [ -n "$deb" ] || die "no target/package/driftdeck_*_$arch.deb: build one with 'make package' (or name a .deb)"
fi
[ -f "$deb" ] || die "$deb: no such file"
deb="$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
deb_version="$(dpkg-deb -f "$deb" Version)" || die "$deb is not a Debian package"
[ "$(dpkg-deb -f "$deb" Package)" = driftdeck ] || die "$deb is not the driftdeck package"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || die "$deb is not for this machine's architecture ($arch)"

for tool in Xvfb:xvfb xwininfo:x11-utils xwd:x11-apps convert:imagemagick findmnt:util-linux \
            mount:mount chroot:coreutils; do
  command -v "${tool%%:*}" >/dev/null 2>&1 ||
    die "${tool%%:*} not found: install the Debian package ${tool#*:} (scripts/setup.sh installs it)"
done
if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap on the host"
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends debootstrap >/dev/null
fi

mkdir -p "$work"
work="$(cd "$work" && pwd -P)" # canonical: compared with findmnt's and /proc/*/root's paths
rootfs="$work/rootfs"
cache="$work/bookworm-minbase.tar"
screenshot="$work/installed-app.png"

# --- mounts, processes and cleanup ----------------------------------------------------------------
mounted=() # what this run mounted, in order
mounts_under() { # every mount point at or below $1, deepest first
  findmnt -rn -o TARGET | awk -v p="$1" '$0 == p || index($0, p "/") == 1' | sort -r
}
mount_in_chroot() { # mount_in_chroot TARGET MOUNT-ARGS... : mount, keep it private, remember it
  local target="$1"; shift
  mkdir -p "$target" || return 1
  mount "$@" "$target" || return 1
  mounted+=("$target")
  mount --make-private "$target" 2>/dev/null || true # nothing propagates to or from the host
}
unmount_all() { # this run's mounts in reverse order, then anything left under $work (an older run)
  local i m
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
  done
  mounted=()
  while read -r m; do
    [ -n "$m" ] || continue
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(mounts_under "$work")
  [ -z "$(mounts_under "$work")" ]
}
chroot_pids() { # processes whose root is the chroot (the app, WebKit's helpers, apt's children)
  local p r
  for p in /proc/[0-9]*; do
    r="$(readlink "$p/root" 2>/dev/null)" || continue
    [ "$r" = "$rootfs" ] && echo "${p#/proc/}"
  done
  return 0
}
kill_chroot_processes() {
  local pids i
  pids="$(chroot_pids)"
  [ -n "$pids" ] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for i in 1 2 3 4 5 6 7 8 9 10; do
    pids="$(chroot_pids)"; [ -n "$pids" ] || return 0; sleep 0.5
  done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  sleep 0.5
}
safe_remove() { # rm -rf, but never through a live mount
  [ -e "$1" ] || return 0
  unmount_all || die "refusing to delete $1: still mounted: $(mounts_under "$1" | tr '\n' ' ')"
  rm -rf --one-file-system "$1"
}

xvfb_pid=""
app_pid=""
exec 8>&1 9>&2 # the terminal, for cleanup: a trap can fire inside a command's redirection to a log
cleanup() {
  local rc=$?
  set +e
  exec 1>&8 2>&9
  trap - EXIT INT TERM
  [ -z "$app_pid" ] || kill -TERM "$app_pid" 2>/dev/null
  if [ -d "$rootfs" ] && [ -n "$(chroot_pids)" ]; then
    log "stopping what still runs in the chroot: $(chroot_pids | xargs -r ps -o comm= -p | sort | uniq -c | xargs)"
    kill_chroot_processes
  fi
  if [ -n "$xvfb_pid" ]; then kill -TERM "$xvfb_pid" 2>/dev/null; wait "$xvfb_pid" 2>/dev/null; fi
  if ! unmount_all; then
    printf 'test_package: WARNING: mounts left under %s (unmount them before deleting it):\n%s\n' \
      "$work" "$(mounts_under "$work")" >&2
    rc=1
  elif [ "$rc" -eq 0 ] && [ "$keep" -eq 0 ]; then
    log "removing the chroot"
    rm -rf --one-file-system "$rootfs"
    log "done"
  elif [ -d "$rootfs" ]; then
    echo "test_package: the chroot is kept for inspection: $rootfs (no mounts left)" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_chroot() { # in_chroot CMD...: a clean environment, as a fresh root login would have
  chroot "$rootfs" /usr/bin/env -i HOME=/root PATH="$chroot_path" LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# --- 1. a fresh Debian 12 -------------------------------------------------------------------------
t0=$SECONDS
unmount_all || die "mounts from an earlier run are stuck under $work: $(mounts_under "$work" | tr '\n' ' ')"
if [ ! -s "$cache" ]; then
  log "bootstrapping Debian $suite (minbase) from $mirror (once; cached in ${cache#"$root"/})"
  boot="$work/bootstrap"
  safe_remove "$boot"
  if ! debootstrap --variant=minbase "$suite" "$boot" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -n 20 "$work/debootstrap.log" >&2
    unmount_all || true
    die "debootstrap failed (log: ${work#"$root"/}/debootstrap.log)"
  fi
  unmount_all || die "debootstrap left mounts under $boot"
  rm -rf --one-file-system "$boot/var/cache/apt/archives/"*.deb "$boot/var/lib/apt/lists/"* 2>/dev/null || true
  tar --numeric-owner -C "$boot" -cf "$cache.tmp" .
  mv "$cache.tmp" "$cache"
  safe_remove "$boot"
  log "bootstrapped in $((SECONDS - t0)) s ($(du -h "$cache" | cut -f1) tarball)"
fi
log "extracting a fresh rootfs from ${cache#"$root"/}"
safe_remove "$rootfs"
mkdir -p "$rootfs"
tar --numeric-owner -xpf "$cache" -C "$rootfs"
# What a Debian 12 installer configures: the release, its updates and its security archive.
security_mirror="${DEBIAN_SECURITY_MIRROR:-${mirror%/debian}/debian-security}"
cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
EOF
cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf"
# dpkg without fsync: this chroot is thrown away, and 500 packages unpack much faster.
echo force-unsafe-io >"$rootfs/etc/dpkg/dpkg.cfg.d/test-package-unsafe-io"
# No service may start inside the chroot (dbus comes in with GTK).
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 0755 "$rootfs/usr/sbin/policy-rc.d"

mount_in_chroot "$rootfs/proc" -t proc proc
mount_in_chroot "$rootfs/sys" -t sysfs sysfs 2>/dev/null || mount_in_chroot "$rootfs/sys" --bind /sys
mount_in_chroot "$rootfs/dev" --bind /dev
mount_in_chroot "$rootfs/dev/pts" --bind /dev/pts
if mountpoint -q /dev/shm; then mount_in_chroot "$rootfs/dev/shm" --bind /dev/shm; fi
t_fresh=$((SECONDS - t0))

# --- 2. apt install ./driftdeck_*.deb -------------------------------------------------------------
t1=$SECONDS
cp "$deb" "$rootfs/root/"
log "apt-get update && apt install -y $apt_options${apt_options:+ }./$(basename "$deb") (in the chroot)"
if ! in_chroot sh -c "apt-get update && cd /root && apt install -y $apt_options ./$(basename "$deb")" \
     >"$work/apt.log" 2>&1; then
  tail -n 30 "$work/apt.log" >&2
  die "apt could not install $(basename "$deb") on a fresh Debian $suite (log: ${work#"$root"/}/apt.log)"
fi
new_packages="$(grep -c '^Setting up ' "$work/apt.log" || true)"
log "installed with $new_packages packages set up ($(grep -E '^Need to get' "$work/apt.log" | head -n 1 || true))"
t_apt=$((SECONDS - t1))

# --- 3. what the package installed ----------------------------------------------------------------
t2=$SECONDS
cli_version="$(in_chroot driftdeck --version)" || die "driftdeck --version failed in the chroot"
[ "$cli_version" = "driftdeck ${deb_version//\~/-}" ] ||
  die "driftdeck --version says '$cli_version', expected 'driftdeck ${deb_version//\~/-}'"
log "driftdeck --version: $cli_version"

files="$(in_chroot dpkg -L driftdeck)" || die "dpkg -L driftdeck failed"
for f in /usr/bin/driftdeck-app /usr/bin/driftdeck /usr/share/applications/driftdeck.desktop \
         /usr/share/icons/hicolor/256x256/apps/driftdeck.png /usr/share/driftdeck/demo \
         /usr/share/doc/driftdeck/copyright; do
  grep -qx "$f" <<<"$files" || die "dpkg -L driftdeck does not list $f"
done
icons="$(grep -cE '^/usr/share/icons/hicolor/[^/]+/apps/driftdeck\.(png|svg)$' <<<"$files")"
log "dpkg -L driftdeck: binaries, desktop entry, $icons icons, demo workspace, copyright"

missing_libs="$(in_chroot ldd /usr/bin/driftdeck-app /usr/bin/driftdeck | grep 'not found' || true)"
[ -z "$missing_libs" ] || die "shared libraries missing after install (Depends incomplete):
$missing_libs"

mkdir -p "$rootfs/tmp/c"
demo_runs="$(in_chroot driftdeck --db /tmp/c/catalog.sqlite index /usr/share/driftdeck/demo --json >/dev/null &&
             in_chroot driftdeck --db /tmp/c/catalog.sqlite runs --json |
             python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" ||
  die "the installed CLI could not index and list the installed demo workspace"
[ "$demo_runs" -gt 0 ] || die "the installed demo workspace has no runs"
log "driftdeck index /usr/share/driftdeck/demo: $demo_runs runs"
t_checks=$((SECONDS - t2))

# --- 4. the installed app starts ------------------------------------------------------------------
t3=$SECONDS
display=""
for n in $(seq 90 199); do
  if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
done
[ -n "$display" ] || die "no free X display number in :90..:199"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp -noreset >"$work/xvfb.log" 2>&1 8>&- 9>&- &
xvfb_pid=$!
for _ in $(seq 1 50); do
  DISPLAY="$display" xwininfo -root >/dev/null 2>&1 && break
  kill -0 "$xvfb_pid" 2>/dev/null || die "Xvfb $display did not start: $(cat "$work/xvfb.log")"
  sleep 0.2
done
DISPLAY="$display" xwininfo -root >/dev/null 2>&1 || die "Xvfb $display does not answer"
mount_in_chroot "$rootfs/tmp/.X11-unix" --bind /tmp/.X11-unix

log "starting the installed driftdeck-app on Xvfb $display"
chroot "$rootfs" /usr/bin/env -i PATH="$chroot_path" LANG=C.UTF-8 HOME=/root DISPLAY="$display" \
  WEBKIT_DISABLE_DMABUF_RENDERER=1 DRIFTDECK_DB=/tmp/c/catalog.sqlite \
  driftdeck-app >"$work/app.log" 2>&1 8>&- 9>&- &
app_pid=$! # chroot and env exec, so this is the app itself

window=""
for _ in $(seq 1 120); do
  kill -0 "$app_pid" 2>/dev/null || { tail -n 30 "$work/app.log" >&2; die "driftdeck-app exited before its window appeared (log: ${work#"$root"/}/app.log)"; }
  window="$(DISPLAY="$display" xwininfo -root -tree 2>/dev/null | grep -m 1 '"Driftdeck"' || true)"
  [ -n "$window" ] && break
  sleep 0.5
done
[ -n "$window" ] || { tail -n 30 "$work/app.log" >&2; die "no Driftdeck window after 60 s (log: ${work#"$root"/}/app.log)"; }
log "window: ${window#"${window%%[! ]*}"}"

shoot() { # the whole screen (the window fills it) into $screenshot; prints its number of colours
  DISPLAY="$display" xwd -root -silent | convert xwd:- "png:$screenshot.tmp" &&
    mv "$screenshot.tmp" "$screenshot" && convert "$screenshot" -format '%k' info:
}
# The web view paints after the window maps: wait for a UI (many colours: text, charts, icons)
# rather than a blank or single-colour surface.
colours=0
for _ in $(seq 1 60); do
  colours="$(shoot)" || colours=0
  [ "$colours" -ge 200 ] && break
  sleep 0.5
done
sleep 5
kill -0 "$app_pid" 2>/dev/null || { tail -n 30 "$work/app.log" >&2; die "driftdeck-app died within 5 s of rendering (log: ${work#"$root"/}/app.log)"; }
colours="$(shoot)" || die "could not take a screenshot of $display"
[ "$colours" -ge 200 ] || die "the window looks blank ($colours colours in ${screenshot#"$root"/})"
log "alive after 5 s; screenshot ${screenshot#"$root"/} ($colours colours)"
kill -TERM "$app_pid" 2>/dev/null || true
wait "$app_pid" 2>/dev/null || true
app_pid=""
t_app=$((SECONDS - t3))

log "PASS: $(basename "$deb") installs on a fresh Debian $suite and the installed app starts"
log "times: fresh rootfs ${t_fresh}s, apt install ${t_apt}s, checks ${t_checks}s, app ${t_app}s, total ${SECONDS}s"
