"""Driving the Compose stack from a test: images, `docker compose`, SQL and HTTPS through Nginx.

tests/compose builds every image of infra/docker/Dockerfile with the engine's own BuildKit
(`/usr/bin/docker build`, so the machine's CA bundle goes in as the `build_ca` secret, never
into an image) and runs compose.yaml with a Compose v2 (tests/support/compose_cli.sh) under
a project name of its own, on loopback ports, with generated secrets in an env file outside
the work tree.
"""

import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = "infra/docker/Dockerfile"
# compose.yaml's images built from DOCKERFILE, by target.
TARGETS = ("tools", "ingest", "api", "nginx", "node")
# The Debian-built stand-ins of the public base images (infra/docker/local/build-bases.sh).
LOCAL_BASES = {
    "PYTHON_IMAGE": "parking-local/python:bookworm",
    "NODE_IMAGE": "parking-local/node:bookworm",
    "NGINX_IMAGE": "parking-local/nginx:bookworm",
    "POSTGRES_IMAGE": "parking-local/postgres:bookworm",
    "MOSQUITTO_IMAGE": "parking-local/mosquitto:bookworm",
}
BUILD_ARGS = ("PYTHON_IMAGE", "NODE_IMAGE", "NGINX_IMAGE")
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


T = TypeVar("T")


class StackError(Exception):
    """A command failed; the message holds what it printed."""


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    probe: Callable[[], T | None], what: str, timeout_s: float, every_s: float = 2.0
) -> T:
    """Poll `probe` until it returns something other than None (bounded)."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise StackError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(every_s)


@dataclass
class ComposeStack:
    """One Compose project on one engine; every command bounded in time."""

    compose_bin: str
    docker_bin: str
    project: str
    env_file: Path
    settings: dict[str, str]
    log: Callable[[str], None]
    profiles: Sequence[str] = ("demo",)
    certificate: str = field(default="", init=False)

    # ---- commands ------------------------------------------------------------------------
    def run(
        self, argv: Sequence[str], timeout_s: float = 300, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            list(argv),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
            env=os.environ | {"DOCKER_BUILDKIT": "1"},
        )
        if check and done.returncode != 0:
            said = (done.stdout + done.stderr).strip().splitlines()[-40:]
            raise StackError(f"`{' '.join(argv)}` exited {done.returncode}:\n" + "\n".join(said))
        return done

    def compose_argv(self, *args: str) -> list[str]:
        profiles = [arg for name in self.profiles for arg in ("--profile", name)]
        return [
            self.compose_bin,
            "--project-name",
            self.project,
            "--env-file",
            str(self.env_file),
            *profiles,
            *args,
        ]

    def compose(
        self, *args: str, timeout_s: float = 300, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return self.run(self.compose_argv(*args), timeout_s=timeout_s, check=check)

    def docker(
        self, *args: str, timeout_s: float = 120, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        return self.run([self.docker_bin, *args], timeout_s=timeout_s, check=check)

    # ---- images --------------------------------------------------------------------------
    def build_bases(self, work_dir: Path) -> None:
        """The local stand-ins of the public base images (once per engine)."""
        self.run(
            ["bash", str(REPO / "infra/docker/local/build-bases.sh"), str(work_dir)],
            timeout_s=1200,
        )

    def build_images(self) -> dict[str, float]:
        """Every image of compose.yaml built from DOCKERFILE; seconds per target."""
        tag = self.settings.get("PARKING_VERSION", "dev")
        args = [f"--build-arg={name}={self.settings[name]}" for name in BUILD_ARGS]
        if CA_BUNDLE.is_file():
            args.append(f"--secret=id=build_ca,src={CA_BUNDLE}")
        seconds = {}
        for target in TARGETS:
            started = time.monotonic()
            self.run(
                [
                    self.docker_bin,
                    "build",
                    "--file",
                    DOCKERFILE,
                    "--target",
                    target,
                    "--tag",
                    f"parking/{target}:{tag}",
                    *args,
                    ".",
                ],
                timeout_s=1800,
            )
            seconds[target] = time.monotonic() - started
        return seconds

    def image_sizes(self) -> dict[str, int]:
        """Bytes per image the stack runs."""
        tag = self.settings.get("PARKING_VERSION", "dev")
        names = [f"parking/{target}:{tag}" for target in TARGETS]
        names += [self.settings["POSTGRES_IMAGE"], self.settings["MOSQUITTO_IMAGE"]]
        out = self.docker("image", "inspect", "--format", "{{.Size}}", *names).stdout.split()
        return dict(zip(names, map(int, out), strict=True))

    # ---- state ---------------------------------------------------------------------------
    def containers(self, service: str | None = None) -> list[dict[str, Any]]:
        """`docker compose ps --all` as JSON objects (Name, Service, State, Health, ExitCode)."""
        out = self.compose("ps", "--all", "--format", "json", *([service] if service else []))
        text = out.stdout.strip()
        if not text:
            return []
        if text.startswith("["):
            return list(json.loads(text))
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def healthy(self, service: str, count: int = 1) -> bool:
        running = [
            c
            for c in self.containers(service)
            if c["State"] == "running" and c.get("Health", "") in ("healthy", "")
        ]
        return len(running) == count

    def wait_healthy(self, services: dict[str, int], timeout_s: float = 180) -> None:
        def probe() -> bool | None:
            return all(self.healthy(name, n) for name, n in services.items()) or None

        wait_until(probe, f"healthy {services}", timeout_s)

    def psql(self, query: str) -> list[list[str]]:
        """Rows of a query, through psql in the postgres container."""
        out = self.compose(
            "exec", "-T", "postgres", "psql", "-U", "parking", "-d", "parking",
            "-v", "ON_ERROR_STOP=1", "-At", "-F", "\t", "-c", query,
            timeout_s=60,
        )  # fmt: skip
        return [line.split("\t") for line in out.stdout.splitlines() if line]

    def scalar(self, query: str) -> int:
        return int(self.psql(query)[0][0])

    # ---- through Nginx -------------------------------------------------------------------
    def tls_context(self) -> ssl.SSLContext:
        """Trusting only the stack's own certificate (read from the nginx container)."""
        if not self.certificate:
            self.certificate = self.compose(
                "exec", "-T", "nginx", "cat", "/etc/nginx/certs/server.crt"
            ).stdout
        return ssl.create_default_context(cadata=self.certificate)

    def https(self, path: str, timeout_s: float = 10) -> tuple[int, dict[str, str], bytes]:
        """GET https://127.0.0.1:HTTPS_PORT/path, verifying the certificate."""
        url = f"https://127.0.0.1:{self.settings['HTTPS_PORT']}{path}"
        request = urllib.request.Request(url, headers={"Accept": "*/*"})
        try:
            with urllib.request.urlopen(  # noqa: S310 - our own loopback address
                request, timeout=timeout_s, context=self.tls_context()
            ) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def https_json(self, path: str) -> Any:
        status, _, body = self.https(path)
        if status != 200:
            raise StackError(f"GET {path}: {status} {body[:300]!r}")
        return json.loads(body)

    # ---- teardown ------------------------------------------------------------------------
    def down(self) -> None:
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "20", timeout_s=300)


def generated_settings(env: dict[str, str]) -> dict[str, str]:
    """The env file's values: fresh secrets, loopback ports, the base images to use."""
    settings = {
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "JWT_SECRET_KEY": secrets.token_hex(24),
        "MQTT_ADMIN_PASSWORD": secrets.token_hex(16),
        "MQTT_INGEST_PASSWORD": secrets.token_hex(16),
        "MQTT_API_PASSWORD": secrets.token_hex(16),
        "MQTT_VIEWER_PASSWORD": secrets.token_hex(16),
        "MQTT_SIMULATOR_PASSWORD": secrets.token_hex(16),
        "SIMULATOR_MAX_RATE": "50",
        "PUBLISH_ADDRESS": "127.0.0.1",
        "HTTP_PORT": str(free_port()),
        "HTTPS_PORT": str(free_port()),
        "MQTT_TLS_PORT": str(free_port()),
        "PARKING_VERSION": "composetest",
        "WEB_CONCURRENCY": "2",
    }
    if env.get("PARKING_COMPOSE_BASES", "local") == "local":
        settings |= LOCAL_BASES
    else:  # the public images named in compose.yaml and the Dockerfile
        settings |= {
            "PYTHON_IMAGE": "python:3.11.11-slim-bookworm",
            "NODE_IMAGE": "node:20.19.0-bookworm-slim",
            "NGINX_IMAGE": "nginx:1.26.2-alpine",
            "POSTGRES_IMAGE": "postgres:16.6-bookworm",
            "MOSQUITTO_IMAGE": "eclipse-mosquitto:2.0.20",
        }
    return settings


def write_env_file(path: Path, settings: dict[str, str]) -> None:
    path.write_text("".join(f"{k}={v}\n" for k, v in settings.items()), encoding="utf-8")
    path.chmod(0o600)


def docker_cli() -> str:
    """Debian's docker CLI (its classic `build` uses the engine's BuildKit), else any."""
    if Path("/usr/bin/docker").is_file():
        return "/usr/bin/docker"
    return shutil.which("docker") or "docker"
