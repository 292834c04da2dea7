#!/usr/bin/env bash
# tests/data/sdp/capture/capture.sh — re-captures every real SDP in tests/data/sdp/ and
# refreshes the fuzz corpus tests/fuzz/corpus/sdp/ from them.
#
# Usage (as root, from anywhere): tests/data/sdp/capture/capture.sh [build dir]
#
# 1. Builds the edgertc library (cmake, in the build dir, default /tmp/build-sdp-capture) and
#    sdptool.c against it: our offer and answer on the command line.
# 2. Runs each peer inside a private network namespace (tests/interop/run-in-netns.sh: a
#    veth pair 10.77.0.1/10.77.0.2 and nothing else), so candidates are gathered on addresses
#    that exist only there and no packet leaves the machine:
#      capture_chromium.mjs  /usr/bin/chromium headless through tests/js playwright-core
#      capture_aiortc.py     Debian python3-aiortc
#      capture_gstreamer.py  Debian GStreamer webrtcbin (gstreamer1.0-plugins-bad, -nice)
#      capture_firefox.py    Debian firefox-esr --headless
#    Each also shows the peer edgertc's offer and answer and fails if the peer refuses one.
# 3. Copies the .sdp files into the fuzz corpus.
# Needs: cmake, ninja, cc, node 20, chromium, python3-aiortc python3-av, gstreamer1.0-plugins-bad
# gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly gstreamer1.0-nice gir1.2-gst-plugins-bad-1.0
# python3-gi, firefox-esr. The captured values (ports, ufrags, fingerprints, ids) differ on
# every run; tests/unit/test_sdp.c checks them by shape, so re-capturing keeps it passing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
out=$(cd "$here/.." && pwd)
build=${1:-/tmp/build-sdp-capture}
netns="$repo/tests/interop/run-in-netns.sh"

cmake -S "$repo" -B "$build" -G Ninja -DERTC_BUILD_BENCH=OFF -DERTC_BUILD_TESTS=OFF \
    -DERTC_BUILD_TOOLS=OFF >/dev/null
cmake --build "$build" --target edgertc >/dev/null
sdptool="$build/sdptool"
cc -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror -I"$repo/include" -I"$repo/include/compat" \
    -I"$repo/src" "$here/sdptool.c" "$build/libedgertc.a" \
    -lmbedtls -lmbedx509 -lmbedcrypto -lcjson -lpthread -o "$sdptool"

cd "$here"
"$netns" node capture_chromium.mjs "$out" "$sdptool"
"$netns" /usr/bin/python3 capture_aiortc.py "$out" "$sdptool"
"$netns" /usr/bin/python3 capture_gstreamer.py "$out" "$sdptool" 2> >(grep -v '^$' >&2)
"$netns" /usr/bin/python3 capture_firefox.py "$out" "$sdptool"

corpus="$repo/tests/fuzz/corpus/sdp"
mkdir -p "$corpus"
cp "$out"/*.sdp "$corpus"/
echo "capture.sh: $(ls "$out"/*.sdp | wc -l) SDPs in $out, copied to $corpus"
