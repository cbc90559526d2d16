#!/bin/sh
# Installs the Debian 12 packages ctrd needs to build and test, if any is missing, and the
# extra packages named as arguments (scripts/fuzz.sh: libclang-rt-dev).
set -eu
PKGS="g++ cmake ninja-build pkg-config libcaf-dev libboost-dev libboost-filesystem-dev \
libmsgpack-cxx-dev libspdlog-dev libleveldb-dev libsnappy-dev catch2 libtomlplusplus-dev \
libcli11-dev nlohmann-json3-dev libarchive-dev busybox-static clang clang-format clang-tidy python3 python3-msgpack \
faketime systemd dpkg-dev libseccomp-dev golang-github-containers-common go-md2man zsh fish \
netavark aardvark-dns iptables iproute2 e2fsprogs mount util-linux $*"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -q
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y \
  --no-install-recommends $missing
