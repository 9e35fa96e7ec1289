#!/usr/bin/env bash
# Builds librdkafka 2.14.2 (the reference client and mock cluster used ONLY by kasio's tests,
# benchmarks and demos; the kasio library never links it) from Debian's source package in the
# unstable suite, and installs it into a cache directory outside the source tree:
#
#   ${KASIO_CACHE_DIR:-$HOME/.cache/kasio}/librdkafka-2.14.2   (include/, lib/)
#
# The prefix is printed as the LAST stdout line; everything else goes to stderr, so callers do
#   prefix=$(tests/support/build_librdkafka.sh | tail -1)
# A complete install (stamp file written after `make install` succeeded) is reused at once.
#
# Why a source package: bookworm ships librdkafka 2.0.2, whose mock cluster advertises old API
# versions only. The machine's apt configuration is left untouched: apt runs against a private
# sources.list (one deb-src line for sid), private lists and cache. The mirror is taken from the
# machine's own apt sources; no host name lives in this repository. The sid Release file is
# verified with /usr/share/keyrings/debian-archive-keyring.gpg (signed-by), and apt checks the
# downloaded .dsc/.tar hashes against that signed index.
#
# The Debian patches are skipped (dpkg-source --skip-patches): they switch cJSON, nanopb and the
# OpenTelemetry protobufs to system packages bookworm lacks; upstream's bundled copies are used.
#
# Environment:
#   KASIO_CACHE_DIR       cache root (default $HOME/.cache/kasio)
#   KASIO_DEBIAN_MIRROR   Debian mirror URL, overriding the one read from the apt sources
#   KASIO_BUILD_JOBS      make -j value (default 2)
set -euo pipefail

readonly version=2.14.2
readonly debian_version=2.14.2-1
readonly keyring=/usr/share/keyrings/debian-archive-keyring.gpg
readonly configure_flags=(--disable-curl --disable-gssapi --enable-ssl --enable-zstd --enable-zlib
                          --enable-lz4-ext)

cache_root=${KASIO_CACHE_DIR:-${HOME:?HOME is not set; set KASIO_CACHE_DIR}/.cache/kasio}
prefix=$cache_root/librdkafka-$version
stamp=$prefix/.kasio-install-complete
jobs=${KASIO_BUILD_JOBS:-2}

# Build logs must not reach the caller's stdout: fd 3 is the real stdout, for the prefix only.
exec 3>&1 1>&2

log() { printf 'build_librdkafka: %s\n' "$*" >&2; }
die() { printf 'build_librdkafka: error: %s\n' "$*" >&2; exit 1; }

install_complete() {
  [[ -f $stamp && -f $prefix/lib/librdkafka.so && -f $prefix/include/librdkafka/rdkafka_mock.h ]]
}

if install_complete; then
  echo "$prefix" >&3
  exit 0
fi

mkdir -p "$cache_root"
# Two test runs may start at once: one builds, the other waits and then reuses the install.
exec 9>"$cache_root/librdkafka-$version.lock"
if ! flock -n 9; then
  log "another build holds $cache_root/librdkafka-$version.lock; waiting"
  flock 9
fi
if install_complete; then
  echo "$prefix" >&3
  exit 0
fi

for tool in apt-get dpkg-source make cc c++ flock; do
  command -v "$tool" >/dev/null || die "'$tool' not found (Debian: apt-get install dpkg-dev build-essential util-linux)"
done
[[ -r $keyring ]] || die "$keyring missing (apt-get install debian-archive-keyring)"

# Build dependencies: every codec on, so the reference client exercises what kasio decodes.
deps=(libssl-dev libzstd-dev liblz4-dev zlib1g-dev pkg-config python3)
missing=()
for pkg in "${deps[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    log "installing build dependencies: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
  else
    die "missing build dependencies: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
  fi
fi

# The Debian mirror: the URI of the machine's own entry for its release (deb822 first, then
# one-line format).
codename=bookworm
if [[ -r /etc/os-release ]]; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
fi

find_mirror() {
  local f
  shopt -s nullglob
  for f in /etc/apt/sources.list.d/*.sources; do
    # Paragraphs are separated by blank lines; '#' lines are comments.
    awk -v suite="$codename" '
      function flush() {
        if (enabled && uris != "" && index(" " suites " ", " " suite " ")) { split(uris, u, " "); print u[1]; found = 1; exit }
        uris = ""; suites = ""; enabled = 1
      }
      BEGIN { enabled = 1 }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      tolower($1) == "uris:"    { $1 = ""; uris = $0 }
      tolower($1) == "suites:"  { $1 = ""; suites = $0 }
      tolower($1) == "enabled:" { enabled = (tolower($2) != "no") }
      END { if (!found) flush() }
    ' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    # deb [options] URI suite components...
    awk -v suite="$codename" '
      $1 == "deb" || $1 == "deb-src" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == suite) { print $i; exit }
      }
    ' "$f"
  done
}

mirror=${KASIO_DEBIAN_MIRROR:-$(find_mirror | head -1)}
[[ -n $mirror ]] || die "no Debian mirror for suite '$codename' in /etc/apt/sources.list{,.d/} (set KASIO_DEBIAN_MIRROR)"
mirror=${mirror%/}
log "mirror: $mirror"

# Work dir in TMPDIR, world-readable so apt's _apt sandbox user can write downloads.
work=$(mktemp -d "${TMPDIR:-/tmp}/kasio-librdkafka.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src"
chmod -R 0755 "$work/apt" "$work/src"
echo "deb-src [signed-by=$keyring] $mirror sid main" >"$work/apt/sources.list"

apt_opts=(
  -o "Dir::Etc::SourceList=$work/apt/sources.list"
  -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/apt/lists"
  -o "Dir::Cache=$work/apt/cache"
  -o APT::Get::List-Cleanup=0
)
buildlog=$cache_root/librdkafka-$version.build.log
: >"$buildlog"

run_step() {  # run_step <description> <command...>: output to the build log, tail on failure
  local what=$1 start=$SECONDS
  shift
  log "$what"
  if ! "$@" >>"$buildlog" 2>&1; then
    tail -n 40 "$buildlog" >&2
    die "$what failed (full log: $buildlog)"
  fi
  log "$what: done in $((SECONDS - start)) s"
}

total_start=$SECONDS
run_step "apt-get update (private sid deb-src list)" apt-get "${apt_opts[@]}" update
(
  cd "$work/src"
  run_step "apt-get source librdkafka=$debian_version" \
    apt-get "${apt_opts[@]}" source --download-only "librdkafka=$debian_version"
  run_step "unpack (dpkg-source -x --skip-patches)" \
    dpkg-source -x --skip-patches "librdkafka_$debian_version.dsc" librdkafka
)
srcdir=$work/src/librdkafka
[[ -x $srcdir/configure ]] || die "unpacked source has no configure script: $srcdir"

rm -rf "$prefix"
build_start=$SECONDS
(
  cd "$srcdir"
  run_step "configure" ./configure --prefix="$prefix" "${configure_flags[@]}"
  run_step "make -j$jobs libs" make -j"$jobs" libs
  run_step "make install" make install
)
build_seconds=$((SECONDS - build_start))

[[ -f $prefix/lib/librdkafka.so && -f $prefix/include/librdkafka/rdkafka_mock.h ]] \
  || die "install into $prefix is incomplete (see $buildlog)"
printf 'librdkafka %s (Debian %s, mirror %s)\nconfigure %s\n' \
  "$version" "$debian_version" "$mirror" "${configure_flags[*]}" >"$stamp"
log "installed into $prefix: build ${build_seconds} s, total $((SECONDS - total_start)) s"
echo "$prefix" >&3
