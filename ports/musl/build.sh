#!/bin/sh
# Builds musl for RaeenOS into a sysroot: headers in SYSROOT/include,
# libc.a in SYSROOT/lib. The source is Debian's musl source package, fetched
# with tools/apt-private (the pristine upstream tarball musl_*.orig.tar.*,
# not Debian's patched tree), plus ports/musl/patches/*.patch, which send
# every system call to the POSIX runtime (lib/posix) instead of `syscall`.
#
#   ports/musl/build.sh BUILD_DIR SYSROOT
#
# Everything lands under BUILD_DIR/ports/musl; the result is kept (a stamp
# names the tarball, the patches and this script), so a second run with
# nothing changed does nothing and needs no network.
set -eu

die() {
	echo "ports/musl: $*" >&2
	exit 1
}

REPO=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 2 ] || die "usage: ports/musl/build.sh BUILD_DIR SYSROOT"
mkdir -p "$1" "$2"
BUILD=$(cd "$1" && pwd)
SYSROOT=$(cd "$2" && pwd)
WORK=$BUILD/ports/musl
DL=$WORK/dl
CC=${CC:-gcc}

mkdir -p "$DL"
tarball=$(ls "$DL"/musl_*.orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -n 1 || true)
if [ -z "$tarball" ]; then
	echo "ports/musl: fetching Debian's musl source package"
	"$REPO/tools/apt-private" source "$DL" musl >"$WORK/fetch.log" 2>&1 ||
		{ cat "$WORK/fetch.log" >&2; die "apt-get source musl failed"; }
	tarball=$(ls "$DL"/musl_*.orig.tar.* | grep -v '\.asc$' | head -n 1) ||
		die "no musl_*.orig.tar.* in the source package"
fi

# What the build depends on: the tarball, our patches, this script.
stamp_want=$({
	basename "$tarball"
	cat "$REPO"/ports/musl/patches/*.patch "$0"
} | sha256sum | cut -d' ' -f1)
stamp=$SYSROOT/lib/.musl-stamp
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_want" ] && [ -f "$SYSROOT/lib/libc.a" ]; then
	exit 0
fi

echo "ports/musl: building $(basename "$tarball") for RaeenOS"
rm -rf "$WORK/src" "$WORK/obj"
mkdir -p "$WORK/src"
tar -xf "$tarball" -C "$WORK/src" --strip-components=1
for p in "$REPO"/ports/musl/patches/*.patch; do
	patch -s -p1 -E -d "$WORK/src" <"$p" || die "patch $(basename "$p") did not apply"
done
# No system call may be left that bypasses the runtime.
if grep -rlw syscall "$WORK/src/src" "$WORK/src/arch/x86_64" --include='*.s' --include='*.S' |
	grep -E '/(x86_64)/' | xargs -r grep -lE '^[[:space:]]*syscall' | grep .; then
	die "assembly above still executes syscall"
fi
grep -q '__rae_syscall' "$WORK/src/arch/x86_64/syscall_arch.h" || die "syscall_arch.h not patched"

mkdir -p "$WORK/obj"
(
	cd "$WORK/obj"
	# Static, position-independent objects (programs are static PIEs).
	"$WORK/src/configure" --prefix="$SYSROOT" --disable-shared \
		--disable-wrapper CC="$CC" CFLAGS="-O2 -g -fPIE" >configure.log 2>&1 ||
		{ cat configure.log >&2; exit 1; }
	make -j"$(nproc)" >make.log 2>&1 || { tail -40 make.log >&2; exit 1; }
	rm -rf "$SYSROOT/include" "$SYSROOT/lib/libc.a"
	make install >install.log 2>&1 || { tail -20 install.log >&2; exit 1; }
) || die "build failed (logs in $WORK/obj)"
echo "$stamp_want" >"$stamp"
