#!/bin/sh
# Builds the Lua 5.4 interpreter (`lua`) for RaeenOS with tools/raeen-cc.
# The source is Debian's lua5.4 source package, fetched with
# tools/apt-private: only its pristine upstream tarball lua5.4_*.orig.tar.*
# is built (Debian's patches make a shared liblua with libtool, which a
# static-PIE system does not use), plus ports/lua/patches/*.patch if any
# (there are none: upstream's src/Makefile takes the compiler on its
# command line and its `posix` target needs nothing Linux-only).
#
#   ports/lua/build.sh BUILD_DIR OUT
#
# OUT is the installed program (BUILD_DIR/user/root/bin/lua in the image).
# Everything else lands under BUILD_DIR/ports/lua; a stamp names the
# tarball, the patches, this script and the sysroot's libraries, so a second
# run with nothing changed does nothing and needs no network.
set -eu

die() {
	echo "ports/lua: $*" >&2
	exit 1
}

REPO=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 2 ] || die "usage: ports/lua/build.sh BUILD_DIR OUT"
mkdir -p "$1" "$(dirname "$2")"
BUILD=$(cd "$1" && pwd)
OUT=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
WORK=$BUILD/ports/lua
DL=$WORK/dl
# The sysroot this build's tools/raeen-cc compiles against (make passes
# its own, so a BUILD=build/release build links the release one).
RAEEN_SYSROOT=${RAEEN_SYSROOT:-$BUILD/sysroot}
export RAEEN_SYSROOT
SYSROOT=$RAEEN_SYSROOT

mkdir -p "$DL"
tarball=$(ls "$DL"/lua5.4_*.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -n 1 || true)
if [ -z "$tarball" ]; then
	echo "ports/lua: fetching Debian's lua5.4 source package"
	"$REPO/tools/apt-private" source "$DL" lua5.4 >"$WORK/fetch.log" 2>&1 ||
		{ cat "$WORK/fetch.log" >&2; die "apt-get source lua5.4 failed"; }
	tarball=$(ls "$DL"/lua5.4_*.orig.tar.* | grep -v '\.asc$' | head -n 1) ||
		die "no lua5.4_*.orig.tar.* in the source package"
fi

# What the build depends on: the tarball, our patches, this script, the C
# library and runtime it links.
stamp_want=$({
	basename "$tarball"
	cat "$REPO"/ports/lua/patches/*.patch 2>/dev/null || true
	cat "$0" "$SYSROOT/lib/libc.a" "$SYSROOT/lib/libposix.a" "$SYSROOT/lib/raecrt1.o"
} | sha256sum | cut -d' ' -f1)
stamp=$WORK/.stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_want" ] && [ -f "$OUT" ]; then
	exit 0
fi

echo "ports/lua: building $(basename "$tarball") for RaeenOS"
rm -rf "$WORK/src"
mkdir -p "$WORK/src"
tar -xf "$tarball" -C "$WORK/src" --strip-components=1
for p in "$REPO"/ports/lua/patches/*.patch; do
	[ -f "$p" ] || continue
	patch -s -p1 -E -d "$WORK/src" <"$p" || die "patch $(basename "$p") did not apply"
done

# Upstream's `posix` target: LUA_USE_POSIX (mkstemp, popen, fseeko, isatty),
# no dlopen, no readline. Only the interpreter is built (not luac).
(
	cd "$WORK/src/src"
	make -j"$(nproc)" posix ALL=lua CC="$REPO/tools/raeen-cc -std=gnu99" >"$WORK/make.log" 2>&1 ||
		{ tail -40 "$WORK/make.log" >&2; exit 1; }
) || die "build failed (log: $WORK/make.log)"
# The symbols stay, the debug information (most of the size) goes.
strip --strip-debug -o "$OUT.tmp" "$WORK/src/src/lua"
chmod 0755 "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "$stamp_want" >"$stamp"
