#!/bin/sh
# Builds ACPICA's core (dispatcher, events, executer, hardware, namespace,
# parser, resources, tables, utilities) as a static library for the ACPI
# service (services/acpi): freestanding, like the services, with the
# platform header ports/acpica/acrae.h (selected by -DRAE_ACPICA).
#
# The source: Debian's acpica-unix source package is listed by the archive
# this project reaches, but its files are not served (404), so the recipe
# takes ACPICA from Debian's linux-source-6.1 package instead: the kernel
# source tarball it ships, of which only drivers/acpi/acpica/ and
# include/acpi/ are unpacked (ACPICA's own code, dual-licensed BSD-3-Clause
# or GPL-2.0, as the files' SPDX lines say). patches/*.patch (ours) only
# teach acenv.h about RaeenOS. Nothing fetched is committed.
#
#   ports/acpica/build.sh BUILD_DIR
#
# Output: BUILD_DIR/ports/acpica/libacpica.a and the headers under
# BUILD_DIR/ports/acpica/src/include. A stamp names the package, the
# patches, acrae.h and this script, so a second run with nothing changed
# does nothing and needs no network.
set -eu

die() {
	echo "ports/acpica: $*" >&2
	exit 1
}

REPO=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 1 ] || die "usage: ports/acpica/build.sh BUILD_DIR"
mkdir -p "$1"
BUILD=$(cd "$1" && pwd)
WORK=$BUILD/ports/acpica
DL=$WORK/dl
SRC=$WORK/src
LIB=$WORK/libacpica.a
CC=${CC:-gcc}
PKG=linux-source-6.1

mkdir -p "$DL"
deb=$(ls "$DL"/${PKG}_*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	echo "ports/acpica: fetching Debian's $PKG package (ACPICA's source)"
	"$REPO/tools/apt-private" download "$DL" "$PKG" >"$WORK/fetch.log" 2>&1 ||
		{ cat "$WORK/fetch.log" >&2; die "apt-get download $PKG failed"; }
	deb=$(ls "$DL"/${PKG}_*.deb | head -n 1) || die "no $PKG package downloaded"
fi

stamp_want=$({
	basename "$deb"
	cat "$REPO"/ports/acpica/patches/*.patch "$REPO/ports/acpica/acrae.h" "$0"
} | sha256sum | cut -d' ' -f1)
stamp=$WORK/.stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_want" ] && [ -f "$LIB" ]; then
	exit 0
fi

echo "ports/acpica: building ACPICA from $(basename "$deb") for RaeenOS"
rm -rf "$SRC" "$WORK/obj" "$LIB"
mkdir -p "$SRC" "$WORK/obj"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$PKG.tar.xz" |
	tar -xJ -C "$SRC" --strip-components=1 --wildcards \
		"$PKG/drivers/acpi/acpica/*" "$PKG/include/acpi/*" ||
	die "cannot unpack ACPICA from $(basename "$deb")"
for p in "$REPO"/ports/acpica/patches/*.patch; do
	patch -s -p1 -E -d "$SRC" <"$p" || die "patch $(basename "$p") did not apply"
done
cp "$REPO/ports/acpica/acrae.h" "$SRC/include/acpi/platform/acrae.h"

# The core's components as the tree's own Makefile lists them (with PCI and
# ACPICA's "future usage" pieces: its object cache, snprintf, the PM timer),
# without the debugger's block (db*, rsdump).
files=$(awk '/^acpi-\$\(CONFIG_ACPI_DEBUGGER\)/ { skip = 1 } /^acpi-\$\(ACPI_FUTURE_USAGE\) \+=\t*\\$/ { skip = 0 }
	!skip { for (i = 1; i <= NF; i++) if ($i ~ /^[a-z0-9]+\.o$/) print $i }' \
	"$SRC/drivers/acpi/acpica/Makefile" | grep -v -e '^db' -e '^acpi\.o$' | sed 's/\.o$/.c/' | sort -u)
[ -n "$files" ] || die "no source files found in drivers/acpi/acpica/Makefile"
CFLAGS="-std=gnu11 -O2 -g -ffreestanding -nostdinc -isystem $($CC -print-file-name=include)
	-I$SRC/include -I$SRC/drivers/acpi/acpica -DRAE_ACPICA -DBUILDING_ACPICA
	-fpie -fvisibility=hidden -fno-stack-protector -fno-omit-frame-pointer -fno-common
	-Wall -Wno-unused-parameter -Wno-format-truncation -Wno-stringop-truncation
	-Wno-address-of-packed-member -Wno-unused-but-set-variable"
export CC CFLAGS SRC WORK
echo "$files" | xargs -P "$(nproc)" -n 8 sh -c '
	for f; do
		$CC $CFLAGS -c "$SRC/drivers/acpi/acpica/$f" -o "$WORK/obj/${f%.c}.o" || exit 255
	done' sh >"$WORK/make.log" 2>&1 || { tail -40 "$WORK/make.log" >&2; die "build failed (log: $WORK/make.log)"; }
ar rcs "$LIB.tmp" "$WORK"/obj/*.o
mv "$LIB.tmp" "$LIB"
echo "$stamp_want" >"$stamp"
