"""stack.env: what a person gets after `set -a; . .local/demo/stack.env; set +a` (README)."""

import shutil
import subprocess
import sys
from pathlib import Path

from infra.local.demo import operator_env, write_env
from schemas.broker_url import parse_mqtt_url

FOUND = {"mqtt_admin": "admin-pw", "mqtt_api": "api-pw", "mqtt_viewer": "viewer-pw"}
VENV_BIN = Path(sys.executable).parent


def _sourced(env_file: Path, *names: str) -> list[str]:
    """Each variable's value (or command's location) in a fresh shell that sourced the file."""
    script = f"set -a; . '{env_file}'; set +a; " + "; ".join(names)
    shell = shutil.which("sh") or "/bin/sh"
    done = subprocess.run(
        [shell, "-c", script],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def test_parkctl_is_found_and_mqtt_url_is_the_admin_account(tmp_path: Path) -> None:
    env = operator_env(FOUND, 41883, VENV_BIN, "/usr/local/bin:/usr/bin:/bin")
    write_env(tmp_path / "stack.env", env)
    parkctl, url = _sourced(tmp_path / "stack.env", "command -v parkctl", 'echo "$MQTT_URL"')
    assert parkctl == str(VENV_BIN / "parkctl")
    address = parse_mqtt_url(url)
    # The account with dynamic-security control (nodes add) that reads node health (tail).
    assert (address.username, address.password) == ("admin", "admin-pw")
    assert (address.host, address.port) == ("127.0.0.1", 41883)


def test_path_keeps_the_rest_and_names_the_virtualenv_once(tmp_path: Path) -> None:
    env = operator_env(FOUND, 1883, VENV_BIN, f"{VENV_BIN}:/usr/bin::/bin")
    assert env["PATH"] == f"{VENV_BIN}:/usr/bin:/bin"
