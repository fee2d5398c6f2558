"""DESIGN.md's import rules, checked on the source: who may import whom.

`pi_node` must install on a Raspberry Pi without SQLAlchemy, Flask or psycopg; the two
cloud services share only `schemas`; `schemas` imports no service.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What each package may not import (a prefix matches the module and its submodules).
FORBIDDEN = {
    "schemas": ("ingest_service", "api_service", "pi_node", "parkctl"),
    "schemas/messages": ("sqlalchemy", "alembic", "psycopg", "flask", "schemas.db"),
    "schemas/topics.py": ("sqlalchemy", "alembic", "psycopg", "flask", "schemas.db"),
    # Shared by every MQTT client, the Pi node included.
    "schemas/broker_url.py": ("sqlalchemy", "alembic", "psycopg", "flask", "pydantic", "paho"),
    "pi_node": (
        "sqlalchemy",
        "alembic",
        "psycopg",
        "flask",
        "flask_jwt_extended",
        "schemas.db",
        "schemas.layout",
        "schemas.status",
        "ingest_service",
        "api_service",
        "parkctl",
    ),
    "ingest_service": ("api_service", "pi_node", "parkctl", "flask"),
    "api_service": ("ingest_service", "pi_node", "parkctl"),
}


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every absolute module a file imports, with its line number."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            # `from schemas import db` imports schemas.db
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    target = ROOT / package
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for line, module in imported_modules(path)
        if any(matches(module, prefix) for prefix in forbidden)
    ]


@pytest.mark.parametrize(("package", "forbidden"), FORBIDDEN.items(), ids=FORBIDDEN.keys())
def test_import_rules(package: str, forbidden: tuple[str, ...]) -> None:
    assert violations(package, forbidden) == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from schemas import db\nimport sqlalchemy.orm\n")
    found = [module for _, module in imported_modules(bad)]
    assert "schemas.db" in found
    assert any(matches(module, "sqlalchemy") for module in found)
