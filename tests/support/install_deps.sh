#!/usr/bin/env bash
# Installs the Debian packages kasio's build, tests and examples need, only if missing.
# Runs as root on Debian bookworm (CI and fresh machines); prints nothing when all is there.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev                       # Asio with C++20 coroutines (bookworm's default Boost is 1.74)
  libzstd-dev liblz4-dev libsnappy-dev zlib1g-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  dpkg-dev                               # dpkg-source, to unpack librdkafka's source package
  clang libclang-rt-14-dev               # libFuzzer targets
  doxygen                                # the API reference (docs/); its warnings fail the `docs` test
  prometheus-cpp-dev                     # the Prometheus exporter (exporters/, KASIO_BUILD_EXPORTERS)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install_deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
