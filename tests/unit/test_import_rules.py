"""The import rules of docs/ARCHITECTURE.md, checked on the source as an allow-list.

Every part of the repository may import the standard library and, unless its rule narrows
them, any third-party package; of this repository it may import only the modules its rule
lists. An entry allows the module and its submodules (`schemas.messages` allows
`schemas.messages.node`). A new top-level package fails until it has a rule here and a line
in the document's table.
"""

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The repository's top-level packages; any other import that is not the standard library's
# is third-party.
FIRST_PARTY = frozenset(
    {"api_service", "bench", "infra", "ingest_service", "parkctl", "pi_node", "schemas", "tests"}
)

# The contracts a camera node uses: payload models, topic names, identifiers, vocabularies,
# contract errors, the broker URL parser and the settings base. None of them needs the
# database stack.
NODE_CONTRACTS = (
    "schemas.messages",
    "schemas.topics",
    "schemas.ids",
    "schemas.enums",
    "schemas.errors",
    "schemas.broker_url",
    "schemas.env",
    "schemas.mqtt_client",
)
# What a Pi has: pydantic (the core dependency), the `pi` extra, ultralytics (the `yolo`
# extra) and picamera2 (Raspberry Pi OS). onnxruntime, ultralytics and picamera2 are imported
# by name at run time (importlib), which this check does not see; listed all the same.
PI_PACKAGES = (
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "paho",
    "yaml",
    "numpy",
    "cv2",
    "onnxruntime",
    "ultralytics",
    "picamera2",
)
# The `ingest` extra (with `db`): no Flask, no argon2, no API stack.
INGEST_PACKAGES = (
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "paho",
    "prometheus_client",
    "httpx",  # alert webhooks (ingest_service/webhooks.py)
)


@dataclass(frozen=True, slots=True)
class Rule:
    """What the files under `paths` may import besides the standard library."""

    name: str
    paths: tuple[str, ...]  # package folders or module files, relative to the repository
    first_party: tuple[str, ...]  # modules of this repository (and their submodules)
    third_party: tuple[str, ...] | None = None  # top-level packages; None: any


RULES = (
    Rule("schemas", ("schemas",), ("schemas",)),
    # The part of schemas a node imports: only each other, and only pydantic.
    Rule(
        "schemas-node-contracts",
        (
            "schemas/messages",
            "schemas/topics.py",
            "schemas/ids.py",
            "schemas/enums.py",
            "schemas/errors.py",
        ),
        NODE_CONTRACTS,
        ("pydantic", "pydantic_core"),
    ),
    # Shared by every MQTT client: the standard library alone.
    Rule("schemas-broker-url", ("schemas/broker_url.py",), (), ()),
    # Every service's settings base (unknown variables refused): pydantic-settings alone.
    Rule(
        "schemas-env",
        ("schemas/env.py",),
        ("schemas.broker_url",),
        ("pydantic", "pydantic_settings"),
    ),
    # Every MQTT client is made here: paho-mqtt and the broker URL alone.
    Rule("schemas-mqtt-client", ("schemas/mqtt_client.py",), ("schemas.broker_url",), ("paho",)),
    Rule("pi_node", ("pi_node",), ("pi_node", *NODE_CONTRACTS), PI_PACKAGES),
    Rule("ingest_service", ("ingest_service",), ("ingest_service", "schemas"), INGEST_PACKAGES),
    Rule("api_service", ("api_service",), ("api_service", "schemas")),
    # Its admin commands reuse the API's node registration, passwords and audit (lazily).
    Rule("parkctl", ("parkctl",), ("parkctl", "schemas", "api_service")),
    # Runs the services as processes; the demo seed reads node slot maps with pi_node.
    Rule("infra", ("infra",), ("infra", "schemas", "pi_node")),
    Rule(
        "bench",
        ("bench",),
        ("bench", "schemas", "pi_node", "ingest_service", "api_service", "tests"),
    ),
    Rule("tests", ("tests",), tuple(sorted(FIRST_PARTY))),
)


@dataclass(frozen=True, slots=True)
class Imported:
    """One imported name: `module` absolute (`from x import y` gives `x.y`)."""

    line: int
    statement: str
    module: str


def _package_of(path: Path, root: Path) -> list[str]:
    """The package a file belongs to, as name parts (`pi_node/core.py` -> ['pi_node'])."""
    return list(path.relative_to(root).with_suffix("").parts[:-1])


def imported(path: Path, root: Path = ROOT) -> Iterator[Imported]:
    """Every name a file imports, relative imports made absolute, with its line number."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Imported(node.lineno, f"import {alias.name}", alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package_of(path, root)
                parent = package[: len(package) - (node.level - 1)]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            source = "." * node.level + (node.module or "")
            for alias in node.names:
                module = base if alias.name == "*" else f"{base}.{alias.name}".lstrip(".")
                yield Imported(node.lineno, f"from {source} import {alias.name}", module)


def within(module: str, prefix: str) -> bool:
    """Whether `module` is `prefix` or one of its submodules (or names inside them)."""
    return module == prefix or module.startswith(prefix + ".")


def refusal(rule: Rule, module: str) -> str | None:
    """Why `rule` forbids importing `module`, or None when it may."""
    top = module.partition(".")[0]
    if top in FIRST_PARTY:
        if any(within(module, allowed) for allowed in rule.first_party):
            return None
        allowed_text = ", ".join(rule.first_party) or "nothing"
        return f"{rule.name} may import, of this repository, only: {allowed_text}"
    if top in sys.stdlib_module_names or rule.third_party is None or top in rule.third_party:
        return None
    allowed_text = ", ".join(rule.third_party) or "none"
    return f"{rule.name} may import only these third-party packages: {allowed_text}"


def files_of(rule: Rule, root: Path = ROOT) -> list[Path]:
    """The Python files a rule covers."""
    found: list[Path] = []
    for relative in rule.paths:
        target = root / relative
        found += [target] if target.is_file() else sorted(target.rglob("*.py"))
    return found


def violations(rule: Rule, root: Path = ROOT) -> list[str]:
    """One line per forbidden import: file, line, the statement, and what is allowed."""
    found = []
    for path in files_of(rule, root):
        for item in imported(path, root):
            why = refusal(rule, item.module)
            if why is not None:
                where = path.relative_to(root)
                found.append(f"{where}:{item.line}: `{item.statement}` is forbidden: {why}")
    return found


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_imports_follow_the_rules(rule: Rule) -> None:
    found = violations(rule)
    assert not found, "\n".join(found)


def test_every_package_has_a_rule() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages == FIRST_PARTY
    assert {path for rule in RULES for path in rule.paths if "/" not in path} == FIRST_PARTY


def test_the_rules_name_real_modules() -> None:
    for rule in RULES:
        assert files_of(rule), f"{rule.name}: no Python files under {rule.paths}"
        for module in rule.first_party:
            place = ROOT / module.replace(".", "/")
            assert place.is_dir() or place.with_suffix(".py").is_file(), module


def test_the_checker_sees_violations(tmp_path: Path) -> None:
    package = tmp_path / "pi_node" / "detect"
    package.mkdir(parents=True)
    bad = package / "bad.py"
    bad.write_text(
        "import json\n"
        "from schemas.messages import NodeConfig\n"
        "from schemas import db\n"
        "import sqlalchemy.orm\n"
        "from . import base\n"
        "from ...ingest_service import writer\n"
    )
    rule = next(rule for rule in RULES if rule.name == "pi_node")
    found = violations(rule, tmp_path)
    assert [line.split(":")[1] for line in found] == ["3", "4", "6"]
    assert "`from schemas import db` is forbidden: pi_node may import" in found[0]
    assert "third-party packages" in found[1]
    modules = [item.module for item in imported(bad, tmp_path)]
    assert "pi_node.detect.base" in modules
    assert "ingest_service.writer" in modules
