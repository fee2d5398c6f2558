"""Write the JSON Schema of every MQTT payload to `schemas/json/`, or check they are current.

Usage: `python -m schemas.export_json_schemas [--check] [--dir DIR]`. With `--check` nothing
is written; the exit status is 1 when a file is missing or differs from the models.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from schemas.messages import PAYLOAD_ADAPTERS, PayloadKind

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
# A stable identifier, not a URL anything is served from; change it only with the major version.
SCHEMA_ID_BASE: Final = "https://parking.example/schemas/"
JSON_DIR: Final = Path(__file__).resolve().parent / "json"
GENERATOR: Final = "python -m schemas.export_json_schemas"


def schema_file_name(kind: PayloadKind) -> str:
    """`<kind>.schema.json`, the file (and `$id`) name of a payload kind."""
    return f"{kind.value}.schema.json"


def json_schema(kind: PayloadKind) -> dict[str, Any]:
    """The JSON Schema of one payload kind, with `$schema`, `$id` and a title."""
    schema = PAYLOAD_ADAPTERS[kind].json_schema(by_alias=True, mode="validation")
    # Unions have no class name to become a title; derive one from the kind.
    schema.setdefault("title", kind.value.replace("-", " ").title().replace(" ", ""))
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": SCHEMA_ID_BASE + schema_file_name(kind),
        **schema,
    }


def render_all() -> dict[str, str]:
    """Every schema file's name and exact text: sorted keys, 2-space indent, final newline."""
    return {
        schema_file_name(kind): json.dumps(json_schema(kind), indent=2, sort_keys=True) + "\n"
        for kind in PayloadKind
    }


def stale_files(directory: Path) -> list[str]:
    """Names of the schema files in `directory` that are missing or out of date."""
    return [
        name
        for name, text in render_all().items()
        if not (directory / name).is_file()
        or (directory / name).read_text(encoding="utf-8") != text
    ]


def write_all(directory: Path) -> list[str]:
    """Write every schema file that changed; return the names written."""
    directory.mkdir(parents=True, exist_ok=True)
    changed = stale_files(directory)
    rendered = render_all()
    for name in changed:
        (directory / name).write_text(rendered[name], encoding="utf-8")
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog=GENERATOR, description="Export or check the payload JSON Schemas."
    )
    parser.add_argument("--check", action="store_true", help="report stale files, write none")
    parser.add_argument("--dir", type=Path, default=JSON_DIR, help="output directory")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.dir)
        for name in stale:
            sys.stderr.write(f"stale: {args.dir / name}\n")
        if stale:
            sys.stderr.write(f"run `{GENERATOR}` to regenerate\n")
        return 1 if stale else 0
    for name in write_all(args.dir):
        sys.stdout.write(f"wrote {args.dir / name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
