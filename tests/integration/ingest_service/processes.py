"""Ingest workers as real processes (`python -m ingest_service`), for tests about processes."""

import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.integration.ingest_service.support import HORIZON_S, wait_for
from tests.support.mosquitto import MosquittoServer
from tests.support.processes import free_port


class WorkerProcess:
    """One `python -m ingest_service --client-id ...` process with its log and probe port."""

    def __init__(
        self, database_url: str, broker: MosquittoServer, group: str, client_id: str, log: Path
    ) -> None:
        self.client_id = client_id
        self.port = free_port()
        self._log = log
        self._env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "MQTT_URL": broker.url,
            "INGEST_SHARE_GROUP": group,
            "INGEST_SESSION_EXPIRY_S": "300",
            "INGEST_HTTP_PORT": str(self.port),
            "INGEST_SWEEP_INTERVAL_S": "0.5",
            "INGEST_MAX_EVENT_AGE_S": str(HORIZON_S),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ingest_service", "--client-id", self.client_id],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for(self.ready, f"{self.client_id} ready", timeout=30)

    def ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"worker exited with {self.process.returncode}: see {self._log}")
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}/readyz", timeout=1
            ) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def terminate(self) -> int:
        assert self.process is not None
        self.process.terminate()
        return self.process.wait(timeout=30)


@contextmanager
def worker_process(
    database_url: str, broker: MosquittoServer, group: str, client_id: str, log: Path
) -> Iterator[WorkerProcess]:
    worker = WorkerProcess(database_url, broker, group, client_id, log)
    worker.start()
    try:
        yield worker
    finally:
        if worker.process is not None and worker.process.poll() is None:
            worker.kill()
