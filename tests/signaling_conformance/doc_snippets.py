#!/usr/bin/python3
"""docs.custom_signaling_snippets: compiles every C block of docs/custom-signaling.md marked
<!-- compile: NAME --> (or <!-- compile: NAME after OTHER -->, which compiles OTHER's text
first) against the public headers, with warnings as errors. Fails if a block does not compile
or if no marked block is found.

usage: doc_snippets.py <doc.md> <include dir> <cc> [cc flags...]
"""
import os
import re
import subprocess
import sys
import tempfile

PRELUDE = """#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "app_webrtc.h"
#include "webrtc_signaling_if.h"
#include "edgertc_signaling_registry.h"
"""

MARK = re.compile(r"<!--\s*compile:\s*([A-Za-z0-9_-]+)(?:\s+after\s+([A-Za-z0-9_-]+))?\s*-->")


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    doc, inc, cc, flags = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    lines = open(doc, encoding="utf-8").read().split("\n")
    snippets = {}
    order = []
    i = 0
    while i < len(lines):
        m = MARK.search(lines[i])
        if m:
            j = i + 1
            if j >= len(lines) or lines[j].strip() != "```c":
                print(f"FAIL: {doc}:{i + 1}: marker not followed by a ```c block")
                return 1
            k = j + 1
            while k < len(lines) and lines[k].strip() != "```":
                k += 1
            snippets[m.group(1)] = ("\n".join(lines[j + 1:k]), m.group(2), i + 1)
            order.append(m.group(1))
            i = k
        i += 1
    if not order:
        print(f"FAIL: no <!-- compile: --> block in {doc}")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory(prefix="ertc-snippets-") as tmp:
        for name in order:
            text, after, line = snippets[name]
            parts = []
            while after:
                if after not in snippets:
                    print(f"FAIL: {name}: unknown snippet {after}")
                    return 1
                parts.insert(0, snippets[after][0])
                after = snippets[after][1]
            src = os.path.join(tmp, f"{name}.c")
            with open(src, "w") as f:
                f.write(PRELUDE + "\n".join(parts) + f'\n#line {line + 2} "{doc}"\n' + text + "\n")
            cmd = [cc, "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror",
                   "-Wno-unused-function", "-I", inc, "-I", os.path.join(inc, "compat"),
                   *flags, "-c", src, "-o", os.path.join(tmp, f"{name}.o")]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                failed += 1
                print(f"FAIL: snippet {name} ({doc}:{line}) does not compile:\n{r.stderr}")
            else:
                print(f"ok: snippet {name} ({doc}:{line})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
