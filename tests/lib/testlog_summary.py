#!/usr/bin/python3
"""Counts meson's testlog.json: one line per meson test, then "N passed, M failed".

OK and EXPECTEDFAIL pass, SKIP is counted apart, everything else fails.
Exits 1 when something failed or no test ran at all, else 0."""

import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}


def count(path):
    passed, failed, skipped = [], [], []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            entry = json.loads(line)
            result = entry.get("result", "ERROR")
            bucket = passed if result in PASSED else skipped if result in SKIPPED else failed
            bucket.append((entry.get("name", "?"), result))
    return passed, failed, skipped


def main():
    passed, failed, skipped = count(sys.argv[1])
    for name, result in failed:
        print("failed: %s (%s)" % (name, result))
    line = "%d passed, %d failed" % (len(passed), len(failed))
    if skipped:
        line += ", %d skipped" % len(skipped)
    print(line)
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
