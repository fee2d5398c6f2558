"""Entry point: `parking-ingest [--client-id ID] [--retire]` or `python -m ingest_service`."""

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from pydantic import ValidationError

from ingest_service import logs
from ingest_service.db import Database
from ingest_service.http import HealthServer, health_app
from ingest_service.operations import OperationsJob, default_tasks
from ingest_service.settings import IngestSettings
from ingest_service.transport import PahoTransport
from ingest_service.worker import RetireError, Worker, utc_now

EXIT_FAILURE = 1
EXIT_USAGE = 2
SWITCH_INTERVAL_S = 0.0005
log = logging.getLogger("ingest_service")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parking-ingest",
        description="Consume node topics from MQTT and write them to PostgreSQL (one worker).",
    )
    parser.add_argument(
        "--client-id",
        help="stable MQTT client id (default: INGEST_CLIENT_ID, else svc-ingest-<hostname>)",
    )
    parser.add_argument(
        "--retire",
        action="store_true",
        help="drain the broker session of a removed worker (--client-id, required) into the "
        "database, then have the broker forget it; exit 0 once drained",
    )
    return parser


def load_settings(args: argparse.Namespace) -> IngestSettings:
    """Settings from the environment, with command-line overrides."""
    overrides = {"client_id": args.client_id} if args.client_id else {}
    return IngestSettings(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.retire and not args.client_id:
        # Never a default: that would be this process's own id, not the removed worker's.
        parser.error("--retire needs --client-id, the id of the worker to retire")
    try:
        settings = load_settings(args)
    except ValidationError as exc:
        print(f"parking-ingest: bad configuration: {exc}", file=sys.stderr)  # noqa: T201
        return EXIT_USAGE
    logs.configure(settings.log_level)
    # The loop thread waits on PostgreSQL a dozen times a batch while the network thread
    # validates messages; with the default 5 ms switch interval each wait could end in up
    # to 5 ms more waiting for the GIL, which was a third of a batch's time.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return retire(settings) if args.retire else consume(settings)


def consume(settings: IngestSettings) -> int:
    """Run a worker with its probes until SIGTERM or SIGINT."""
    transport = PahoTransport(settings)
    worker = Worker(settings, transport, Database(settings.libpq_url))
    server = HealthServer(
        settings.http_host,
        settings.http_port,
        health_app(worker.metrics.registry, worker.alive, worker.ready),
    )
    operations = OperationsJob(
        settings.libpq_url,
        default_tasks(settings, worker.metrics.registry),
        lambda messages: transport.publish(messages, timeout=10),
        interval_s=settings.operations_interval_s,
        registry=worker.metrics.registry,
        clock=utc_now,
    )
    server.start()
    stop_on_signals(worker)
    log.info(
        "ingest worker starting",
        extra={"client_id": settings.client_id, "http_port": server.port},
    )
    operations.start()
    try:
        worker.run()
    finally:
        operations.stop()
        server.stop()
    log.info("ingest worker stopped")
    return 0


def retire(settings: IngestSettings) -> int:
    """Drain a removed worker's session; 0 once the broker has forgotten it."""
    source = PahoTransport(settings, retiring=True)
    worker = Worker(settings, source, Database(settings.libpq_url))
    stop_on_signals(worker)
    log.info("retiring a worker's session", extra={"client_id": settings.client_id})
    try:
        drained = worker.retire()
    except RetireError as exc:
        print(  # noqa: T201
            f"parking-ingest: retiring {settings.client_id} failed: {exc}. The broker keeps "
            "its session and what was not written; run --retire again.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    log.info("session retired", extra={"client_id": settings.client_id, "drained": drained})
    print(  # noqa: T201
        f"parking-ingest: retired {settings.client_id}: drained {drained} messages; "
        "the broker has forgotten its session"
    )
    return 0


def stop_on_signals(worker: Worker) -> None:
    """SIGTERM and SIGINT: finish the batch, acknowledge, disconnect."""

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing the batch and disconnecting", signal.Signals(signum).name)
        worker.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
