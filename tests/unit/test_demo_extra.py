"""The `demo` extra installs what `make demo` runs, and no development tools."""

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXTRAS = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
    "optional-dependencies"
]


def test_demo_is_the_services_the_simulator_and_honcho() -> None:
    demo = set(EXTRAS["demo"])
    assert "parking-platform[ingest,api]" in demo
    assert any(requirement.startswith("honcho") for requirement in demo)
    # The simulator runs the node's code: every `pi` requirement but the model runtime.
    assert {r for r in EXTRAS["pi"] if not r.startswith("onnxruntime")} <= demo


def test_demo_carries_no_development_tools() -> None:
    names = {re.split(r"[\[<>=;]", requirement)[0] for requirement in EXTRAS["demo"]}
    tools = {"ruff", "mypy", "pytest", "schemathesis", "hypothesis", "onnxruntime", "onnx"}
    assert not names & tools


def test_dev_still_has_everything_the_demo_has() -> None:
    # `make install` (dev) keeps running the demo without a second install.
    dev = set(EXTRAS["dev"])
    assert "parking-platform[pi,ingest,api]" in dev
    assert any(requirement.startswith("honcho") for requirement in dev)
