#!/bin/sh
# bench/peer_size.sh OBJECTS_OS OBJECTS_LIB LIBRARY_FLAGS LOG_LEVEL — code size of src/peer.
#
# OBJECTS_OS lists src/peer's objects compiled with -Os (bench/peer.cmake), OBJECTS_LIB the
# same sources as compiled into libedgertc (the build's own flags, LIBRARY_FLAGS). Prints
# text, data and bss per file with size(1) (Berkeley format: text includes read-only data),
# the -Os text next to the library build's, and the totals. Third-party code (mbedTLS,
# libsrtp2) is not included. Never fails on size; exit 1 only if an object is missing.
set -eu
os_list=$1
lib_list=$2
lib_flags=$3
log_level=$4

if ! command -v size >/dev/null 2>&1; then
    echo "peer_size: size(1) is missing (Debian binutils)" >&2
    exit 1
fi

# "name text data bss" for every object of a list, sorted by name.
sizes() {
    while read -r obj; do
        [ -n "$obj" ] || continue
        if [ ! -f "$obj" ]; then
            echo "peer_size: $obj is missing (build the bench targets first)" >&2
            exit 1
        fi
        name=$(basename "$obj" .o)
        size "$obj" | awk -v n="$name" 'NR == 2 { print n, $1, $2, $3 }'
    done <"$1" | sort
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sizes "$os_list" >"$tmp/os"
sizes "$lib_list" >"$tmp/lib"

echo "Code size of src/peer, bytes (size(1); text includes read-only data; log level $log_level)"
echo "-Os: -Os -fno-asynchronous-unwind-tables (no .eh_frame), same sources; library: $lib_flags"
echo
join "$tmp/os" "$tmp/lib" | awk '
    BEGIN {
        printf "%-24s %10s %8s %8s | %14s\n", "file", "text -Os", "data", "bss", "text library"
        printf "%s\n", "---------------------------------------------------------------------"
    }
    {
        printf "%-24s %10d %8d %8d | %14d\n", $1, $2, $3, $4, $5
        t += $2; d += $3; b += $4; l += $5
    }
    END {
        printf "%s\n", "---------------------------------------------------------------------"
        printf "%-24s %10d %8d %8d | %14d\n", "total (" NR " files)", t, d, b, l
        printf "\n-Os text is %.0f%% of the library build'"'"'s (%.1f KiB against %.1f KiB)\n", \
            100 * t / l, t / 1024, l / 1024
    }'
