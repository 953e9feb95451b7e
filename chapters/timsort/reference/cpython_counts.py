#!/usr/bin/env python3
"""CPython's comparison counts on exactly the inputs the Rust `timsort` crate generates.

For each input pattern (and the seed's nine order dates) this script asks the crate's
`patterns` example for the input (`--emit NAME`), sorts it with CPython's built-in
`sorted()` using a key whose `__lt__` counts its calls, and prints JSON with a checksum
of every input. Plain int lists would take a C fast path that a counter cannot see; a
key class makes every comparison a visible method call.

    python3 chapters/timsort/reference/cpython_counts.py            # print JSON
    python3 chapters/timsort/reference/cpython_counts.py --write    # refresh the committed file

CPython 3.11 or newer is required: 3.11 switched the merge policy to powersort.
"""

import json
import os
import subprocess
import sys

N = 32768
SEED = 42
PATTERNS = ["random", "ascending", "descending", "16-runs", "4-distinct", "all-equal", "3-swaps"]
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cpython-counts.json")


class CountingKey:
    """A sort key that counts how often CPython's sort compares it."""

    __slots__ = ("value",)
    calls = 0

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        CountingKey.calls += 1
        return self.value < other.value


def emit(name):
    cmd = ["cargo", "run", "-q", "--release", "-p", "timsort", "--example", "patterns", "--",
           "--emit", name, "--n", str(N), "--seed", str(SEED)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=HERE).stdout
    return [int(tok) for tok in out.split()]


def fnv1a64(xs):
    h = 0xCBF29CE484222325
    for byte in " ".join(str(x) for x in xs).encode():
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def count(name, xs):
    CountingKey.calls = 0
    result = sorted(xs, key=CountingKey)
    if result != sorted(xs):
        sys.exit(f"sorting {name} gave a wrong result")
    return {"name": name, "checksum": fnv1a64(xs), "comparisons": CountingKey.calls}


def progress(done, name):
    """Which input is being counted, on stderr, only when stderr is a terminal; `None`
    clears the line."""
    if sys.stderr.isatty():
        line = "" if name is None else \
            f"counting CPython's comparisons: {name} ({done}/{1 + len(PATTERNS)})"
        print(f"\r\033[2K{line}", end="", file=sys.stderr, flush=True)


def counted(i, name):
    progress(i, name)
    return count(name, emit(name))


def main():
    if sys.version_info < (3, 11):
        sys.exit(f"CPython >= 3.11 is needed (powersort); this is {sys.version.split()[0]}")
    report = {
        "python": sys.version.split()[0],
        "n": N,
        "seed": SEED,
        "orders": counted(1, "orders"),
        "patterns": [counted(i, name) for i, name in enumerate(PATTERNS, start=2)],
    }
    progress(0, None)
    text = json.dumps(report, indent=2) + "\n"
    if "--write" in sys.argv[1:]:
        with open(OUT, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {OUT}", file=sys.stderr)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
