"""What the local stack needs from the machine: server binaries, and who runs the servers."""

import os
import pwd
import shutil
import subprocess
from contextlib import suppress
from pathlib import Path

# Where distributions keep the dynamic-security plugin (Debian: the multiarch folder).
DYNSEC_PLUGIN_GLOBS = (
    "/usr/lib/*/mosquitto_dynamic_security.so",
    "/usr/lib/mosquitto_dynamic_security.so",
    "/usr/local/lib/mosquitto_dynamic_security.so",
    "/opt/homebrew/lib/mosquitto_dynamic_security.so",
)
INSTALL_HINT = (
    "install it: Debian/Ubuntu `apt-get install postgresql postgresql-contrib mosquitto "
    "mosquitto-clients`, macOS `brew install postgresql@16 mosquitto`"
)


class MissingPrerequisiteError(Exception):
    """Something the local stack needs is not on this machine; the message says what to do."""


def postgres_bindir() -> Path:
    """The folder of initdb/postgres/pg_ctl: pg_config's, else Debian's newest, else PATH."""
    candidates: list[Path] = []
    with suppress(FileNotFoundError, subprocess.CalledProcessError):
        out = subprocess.run(
            ["pg_config", "--bindir"], check=True, capture_output=True, text=True  # noqa: S607
        ).stdout  # fmt: skip
        candidates.append(Path(out.strip()))
    debian = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    candidates += sorted(debian, key=lambda p: int(p.parent.name), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "postgres", "pg_ctl")):
            return folder
    raise MissingPrerequisiteError(
        f"PostgreSQL server binaries (initdb, postgres) not found; {INSTALL_HINT}"
    )


def binary(name: str, *folders: str) -> Path:
    """A program from PATH or the given folders (Debian keeps mosquitto in /usr/sbin)."""
    found = shutil.which(name) or next(
        (str(Path(f) / name) for f in folders if (Path(f) / name).is_file()), None
    )
    if found is None:
        raise MissingPrerequisiteError(f"{name} not found; {INSTALL_HINT}")
    return Path(found)


def dynsec_plugin() -> Path:
    """Mosquitto's dynamic-security plugin (shipped with Mosquitto 2)."""
    for pattern in DYNSEC_PLUGIN_GLOBS:
        for path in sorted(Path("/").glob(pattern.lstrip("/"))):
            return path
    raise MissingPrerequisiteError(
        f"mosquitto_dynamic_security.so not found (looked in {', '.join(DYNSEC_PLUGIN_GLOBS)}); "
        "it comes with Mosquitto 2"
    )


def server_user(name: str) -> str | None:
    """The account a server runs as: `name` (else `nobody`) when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(name)
    except KeyError:
        return "nobody"
    return name


def run_as_prefix(user: str | None) -> str:
    """A shell prefix that runs a command as `user` with no fork (signals reach the server),
    keeping the parent-death signal infra.local.last sets (a change of user clears it)."""
    if user is None:
        return ""
    setpriv = binary("setpriv", "/usr/bin", "/bin")
    return f"{setpriv} --reuid={user} --regid={user} --init-groups --pdeathsig keep --"


def hand_over(path: Path, user: str | None) -> None:
    """Give `path` (recursively) to `user`, so a server running as that user can write it."""
    if user is None:
        return
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(Path(root) / name, entry.pw_uid, entry.pw_gid)


def reachable_by_others(path: Path) -> bool:
    """Whether `path` and every folder above it let other users through (servers' users)."""
    resolved = path.resolve()
    return all(folder.stat().st_mode & 0o001 for folder in (resolved, *resolved.parents))
