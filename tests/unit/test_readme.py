"""README's instructions match what the code and CI really use."""

import re
from pathlib import Path

from schemas.db.settings import DEV_DATABASE_URL

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


def test_the_parkctl_database_url_is_the_demos() -> None:
    (url,) = re.findall(r"^export DATABASE_URL=(\S+)$", README, flags=re.MULTILINE)
    assert url == DEV_DATABASE_URL


# What `make test` needs on the machine (README "Running the tests"), as .ci/run installs it.
NEEDED = {
    "postgresql", "postgresql-contrib", "mosquitto", "mosquitto-clients",
    "nodejs", "npm", "chromium", "nginx", "openssl",
}  # fmt: skip


def test_running_the_tests_names_what_make_test_needs_as_ci_installs_it() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    installed = {
        name for group in re.findall(r"packages\+=\(([^)]*)\)", ci) for name in group.split()
    }
    assert installed >= NEEDED
    section = _section("Running the tests")
    missing = sorted(name for name in NEEDED if f"{name}" not in section)
    assert not missing, f"README's 'Running the tests' does not mention {missing}"
    assert "Node.js 20.19" in section
