#!/usr/bin/env python3
"""Refuses file-level import cycles inside each crate: a file that uses another (`crate::a::b`,
`super::c`) must not be used back by it, directly or through others. Crates themselves form a
straight order through Cargo (which refuses cycles); this checks the files within them.
Prints each cycle and exits 1 if there is one. Run by scripts/test.sh."""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CRATES = ["circuits", "halo2", "verifier", "prover", "ledger", "noir", "engine", "service", "cli", "testkit"]
PATH = re.compile(r"\b(crate|super)((?:::[a-z_][a-z0-9_]*)+)")


def module_file(src, parts):
    """The file of the longest module prefix of `parts` under `src`."""
    for i in range(len(parts), 0, -1):
        base = os.path.join(src, *parts[:i])
        for cand in (base + ".rs", os.path.join(base, "mod.rs")):
            if os.path.isfile(cand):
                return cand
    return None


def edges_of(crate):
    src = os.path.join(ROOT, crate, "src")
    edges = {}
    for root, _, files in os.walk(src):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(root, name)
            module = os.path.relpath(path, src)[:-3].split(os.sep)
            is_dir_module = name in ("mod.rs", "lib.rs", "main.rs")
            if is_dir_module:
                module = module[:-1]
            # `super` of a file module is its folder's module; of a mod.rs, the folder above.
            parent = module[:-1]
            targets = set()
            for m in PATH.finditer(open(path, encoding="utf-8").read()):
                segs = m.group(2).strip(":").split("::")
                parts = segs if m.group(1) == "crate" else parent + segs
                target = module_file(src, parts)
                if target and target != path and os.path.basename(target) != "lib.rs":
                    targets.add(target)
            edges[path] = targets
    return edges


def cycles(edges):
    found, seen, stack, on = [], set(), [], set()

    def visit(u):
        seen.add(u)
        stack.append(u)
        on.add(u)
        for v in sorted(edges.get(u, ())):
            if v in on:
                found.append(stack[stack.index(v):] + [v])
            elif v not in seen:
                visit(v)
        stack.pop()
        on.discard(u)

    for u in sorted(edges):
        if u not in seen:
            visit(u)
    return found


def main():
    bad = []
    for crate in CRATES:
        bad += cycles(edges_of(crate))
    for c in bad:
        print("import cycle: " + " -> ".join(os.path.relpath(p, ROOT) for p in c))
    if bad:
        sys.exit(1)
    print(f"no file-level import cycles in {len(CRATES)} crates")


if __name__ == "__main__":
    main()
