#!/usr/bin/env bash
# Builds the two base images the Dockerfile names, as local stand-ins, when a registry cannot be reached:
# a Debian bookworm minbase (debootstrap) plus the .NET installed on this machine, with the image's "app" user
# (uid 1654, APP_UID) and, in the SDK stand-in, this machine's CA files (NuGet restore inside the build needs them).
# Idempotent: images already in buildah's storage are kept; the debootstrap tree is cached as a tarball.
# The stand-ins are Debian; the real aspnet:10.0 is Ubuntu: this proves the Dockerfile's logic, not the real base.
set -euo pipefail
ASPNET=mcr.microsoft.com/dotnet/aspnet:10.0
SDK=mcr.microsoft.com/dotnet/sdk:10.0
CACHE="${GITTORRENT_STANDIN_CACHE:-/var/cache/gittorrent-standin}"
have() { buildah inspect --type image "$1" >/dev/null 2>&1; }
if have "$ASPNET" && have "$SDK"; then
  echo "stand-in images present: $ASPNET $SDK"
  exit 0
fi

mkdir -p "$CACHE"
ROOTFS_TAR="$CACHE/bookworm-minbase.tar"
if [ ! -f "$ROOTFS_TAR" ]; then
  echo "debootstrap bookworm minbase into $CACHE (once)"
  rm -rf "$CACHE/rootfs"
  debootstrap --variant=minbase --include=ca-certificates,libssl3 bookworm "$CACHE/rootfs" http://deb.debian.org/debian \
    >"$CACHE/debootstrap.log" 2>&1 || { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  tar -C "$CACHE/rootfs" -cf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$CACHE/rootfs"
fi

DOTNET_DIR="$(dirname "$(readlink -f "$(command -v dotnet)")")"
build() {
  local name="$1" sdk="$2" c m
  c="$(buildah from scratch)"
  m="$(buildah mount "$c")"
  tar -C "$m" -xf "$ROOTFS_TAR"
  mkdir -p "$m/usr/share/dotnet"
  cp -a "$DOTNET_DIR/." "$m/usr/share/dotnet/"
  ln -sf /usr/share/dotnet/dotnet "$m/usr/bin/dotnet"
  chroot "$m" groupadd --gid 1654 app
  chroot "$m" useradd --uid 1654 --gid 1654 --create-home app
  if [ "$sdk" = yes ] && compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$m/usr/local/share/ca-certificates/"
    chroot "$m" update-ca-certificates >/dev/null
  fi
  buildah umount "$c" >/dev/null
  buildah config \
    --env APP_UID=1654 \
    --env DOTNET_ROOT=/usr/share/dotnet \
    --env DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 \
    --env DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    --env DOTNET_NOLOGO=1 \
    --env NUGET_CERT_REVOCATION_MODE=offline \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/share/dotnet \
    "$c"
  buildah commit --quiet --format docker "$c" "$name" >/dev/null
  buildah rm "$c" >/dev/null
  echo "built stand-in $name"
}
have "$ASPNET" || build "$ASPNET" no
have "$SDK" || build "$SDK" yes
