#!/usr/bin/env python3
"""Refuses file-level import cycles inside each crate: a file that uses another (`crate::a::b`,
`super::c`, `super::super::d`, each path of a `use crate::a::{b, c::{d}}` tree) must not be used
back by it, directly or through others. Crates themselves form a straight order through Cargo
(which refuses cycles); this checks the files within them.
Prints each cycle and exits 1 if there is one. Run by scripts/test.sh.
   scripts/check-import-cycles.py [SRC_DIR...]   (default: every crate's src/)
   scripts/check-import-cycles.py --self-test    (plants circles the check must find)"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CRATES = ["circuits", "halo2", "verifier", "prover", "ledger", "noir", "engine", "service", "cli", "testkit"]
# A path from `crate` or a chain of `super`s, with the use tree that may follow it.
PATH = re.compile(r"\b(crate|super(?:::super)*)((?:::[a-z_][a-z0-9_]*)*)(::\{)?")
COMMENT = re.compile(r"//[^\n]*")


def tree_paths(text, i):
    """The module paths of the use tree whose `{` is at `text[i - 1]`: `{a, b::{c, d}}` gives
    [a], [b, c], [b, d] (`self` is the tree's own path, []). Returns (paths, end index)."""
    paths = []
    j = i
    item = ""
    while j < len(text):
        ch = text[j]
        if ch == "{":
            sub, j = tree_paths(text, j + 1)
            base = [s for s in item.strip().strip(":").split("::") if s]
            paths += [base + q for q in sub]
            item = None
            continue
        if ch in ",}":
            if item is not None:
                segs = [s for s in item.strip().split(" as ")[0].strip().split("::") if s]
                paths.append([] if segs in ([], ["self"]) else segs)
            item = ""
            if ch == "}":
                return paths, j + 1
        elif item is not None:
            item += ch
        j += 1
    return paths, j


def module_file(src, parts):
    """The file of the longest module prefix of `parts` under `src`."""
    for i in range(len(parts), 0, -1):
        base = os.path.join(src, *parts[:i])
        for cand in (base + ".rs", os.path.join(base, "mod.rs")):
            if os.path.isfile(cand):
                return cand
    return None


def edges_of(src):
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
            edges[path] = targets_of(src, path, module, parent)
    return edges


def targets_of(src, path, module, parent):
    """The files of `src` that the file at `path` (module `module`, whose `super` is
    `parent`) names."""
    text = COMMENT.sub("", open(path, encoding="utf-8").read())
    targets = set()
    for m in PATH.finditer(text):
        head = m.group(1)
        base = [] if head == "crate" else parent[: len(parent) - (head.count("super") - 1)]
        segs = [s for s in m.group(2).split("::") if s]
        if not segs and not m.group(3):
            continue  # `pub(super)`, a bare `super`: no file named
        tails = tree_paths(text, m.end())[0] if m.group(3) else [[]]
        for tail in tails:
            target = module_file(src, base + segs + tail)
            if target and target != path and os.path.basename(target) != "lib.rs":
                targets.add(target)
    return targets


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


def self_test():
    """Plants the circles this check once missed (a `use` tree, a `super::super` path) and an
    acyclic twin of them; fails unless exactly the planted circles are found."""
    import tempfile

    planted = {
        "lib.rs": "pub mod openapi;\npub mod routes;\n",
        "openapi.rs": "use crate::routes::{jobs, meta::{self}};\n",
        "routes/mod.rs": "pub mod jobs;\npub mod meta;\n",
        "routes/jobs.rs": "// use crate::openapi; (a comment names no file)\n",
        "routes/meta.rs": "use super::super::openapi::ApiDoc;\n",
        "a.rs": "fn f() { crate::b::g() }\n",
        "b.rs": "use crate::{c as see, d};\n",
        "c.rs": "pub(super) fn h() { super::a::f() }\n",
        "d.rs": "",
    }
    with tempfile.TemporaryDirectory() as src:
        for name, text in planted.items():
            os.makedirs(os.path.dirname(os.path.join(src, name)), exist_ok=True)
            with open(os.path.join(src, name), "w", encoding="utf-8") as f:
                f.write(text)
        found = {tuple(os.path.relpath(p, src) for p in c) for c in cycles(edges_of(src))}
        want = {
            ("a.rs", "b.rs", "c.rs", "a.rs"),
            ("openapi.rs", "routes/meta.rs", "openapi.rs"),
        }
        if found != want:
            print(f"self-test failed: found {sorted(found)}, want {sorted(want)}")
            sys.exit(1)
        os.remove(os.path.join(src, "c.rs"))
        with open(os.path.join(src, "routes/meta.rs"), "w", encoding="utf-8") as f:
            f.write("use super::jobs;\n")
        if cycles(edges_of(src)):
            print("self-test failed: a circle found in an acyclic tree")
            sys.exit(1)
    print("self-test: the planted circles are found, the acyclic tree passes")


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    srcs = sys.argv[1:] or [os.path.join(ROOT, crate, "src") for crate in CRATES]
    bad = []
    for src in srcs:
        bad += cycles(edges_of(src))
    for c in bad:
        print("import cycle: " + " -> ".join(os.path.relpath(p, ROOT) for p in c))
    if bad:
        sys.exit(1)
    print(f"no file-level import cycles in {len(srcs)} crates")


if __name__ == "__main__":
    main()
