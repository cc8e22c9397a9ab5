#!/usr/bin/env python3
"""Builds the fuzzers' seed corpora from the conformance vectors (spec/conformance/).

corpus/document/         every Markdown and YAML file of the tree vectors
corpus/load/             each tree vector as `path NUL contents NUL` records (MemoryTree::from_framed)
corpus/merge/            each merge vector as `base NUL ours NUL theirs`
corpus/render_terminal/  every body of the tree vectors
corpus/render_html/      the same bodies (for the HTML renderer's target)

The corpora are generated, not committed: run this before `cargo fuzz run`.
"""
import os
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
SPEC = HERE.parent / "spec" / "conformance"
CORPUS = HERE / "corpus"
LIMIT = 64 * 1024  # keep seeds small; bigger inputs only slow the fuzzer down


def put(target, name, data):
    if len(data) > LIMIT:
        return
    out = CORPUS / target
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_bytes(data)


def body_of(data):
    text = data.decode("utf-8", "replace")
    parts = text.split("\n---", 2)
    return parts[2].encode() if len(parts) == 3 else data


def main():
    for vector in sorted((SPEC / "tree").iterdir()):
        root = vector / "discussion"
        if not root.is_dir():
            continue
        framed = bytearray()
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            seed = f"{vector.name}--{rel.replace('/', '_')}"
            if path.is_symlink():
                framed += rel.encode() + b"@\0\0"
            elif path.is_dir():
                framed += rel.encode() + b"/\0\0"
            else:
                data = path.read_bytes()
                framed += rel.encode() + b"\0" + data + b"\0"
                if path.suffix in (".md", ".yaml"):
                    put("document", seed, data)
                if path.suffix == ".md":
                    put("render_terminal", seed, body_of(data))
                    put("render_html", seed, body_of(data))
        put("load", vector.name, bytes(framed))
    for vector in sorted((SPEC / "merge").iterdir()):
        if not (vector / "base.md").is_file():
            continue
        sides = [(vector / f"{side}.md").read_bytes() for side in ("base", "ours", "theirs")]
        put("merge", vector.name, b"\0".join(sides))
    for target in sorted(os.listdir(CORPUS)):
        print(f"{target}: {len(os.listdir(CORPUS / target))} seeds")


if __name__ == "__main__":
    main()
