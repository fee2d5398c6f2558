"""parkctl run the way scripts and containers run it: no terminal on standard input."""

import subprocess
import sys

import pytest


def _parkctl(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "parkctl", *args],
        input=stdin.decode() if stdin is not None else None,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_create_admin_without_a_terminal_says_to_use_password_stdin() -> None:
    done = _parkctl("users", "create-admin", "root@example.com")
    assert done.returncode == 2
    assert "--password-stdin" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("stdin", [b"", b"\n"])
def test_create_admin_with_an_empty_password_stdin_is_a_usage_error(stdin: bytes) -> None:
    done = _parkctl("users", "create-admin", "root@example.com", "--password-stdin", stdin=stdin)
    assert done.returncode == 2
    assert "standard input held no password" in done.stderr
    assert "Traceback" not in done.stderr
