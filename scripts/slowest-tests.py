#!/usr/bin/env python3
"""The slowest tests of a cargo-nextest JUnit file, as a Markdown table.
   scripts/slowest-tests.py target/nextest/ci/junit.xml [N=20]"""
import sys
import xml.etree.ElementTree as ET

path = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
tests = []
for suite in ET.parse(path).getroot().iter("testsuite"):
    for case in suite.iter("testcase"):
        tests.append((float(case.get("time", 0)), suite.get("name"), case.get("name")))
tests.sort(reverse=True)
total = sum(t for t, _, _ in tests)
print(f"\n{len(tests)} tests, {total:.0f} s in all (summed over both cores); the slowest {n}:\n")
print("| seconds | binary | test |")
print("|---:|---|---|")
for t, suite, name in tests[:n]:
    print(f"| {t:.1f} | {suite} | `{name}` |")
