#!/usr/bin/env python3
"""Counts the `longhand` library's public items, the figure the CHANGELOG records.

An item counts when rustdoc gives it a public path: modules, structs, enums, traits, type
aliases, free functions, constants, statics and macros. Fields, enum variants and methods do
not count. Needs a nightly toolchain for rustdoc's JSON output:

    cargo +nightly rustdoc -p longhand --lib -- -Z unstable-options --output-format json
    python3 scripts/public_items.py target/doc/longhand.json
"""
import collections
import json
import sys

COUNTED = {"module", "struct", "enum", "trait", "type_alias", "function", "constant",
           "static", "macro", "union", "trait_alias"}


def main(path):
    doc = json.load(open(path))
    kinds = collections.Counter(
        item["kind"] for item in doc["paths"].values()
        if item["crate_id"] == 0 and item["kind"] in COUNTED
    )
    print(sum(kinds.values()), "public items:",
          ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/doc/longhand.json")
