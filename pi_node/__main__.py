"""Entry point: `parking-node --config node.yaml` or `parking-node --simulate ...`."""

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from pi_node.config import ConfigError, load_node_config
from pi_node.core import NodeCore
from pi_node.detect import DetectorError
from pi_node.mqtt import LinkOptions, MqttLink
from pi_node.node import CameraNode
from pi_node.outbox import Outbox
from pi_node.settings import NodeSettings
from pi_node.sim.layout import node_configs
from pi_node.sim.runner import SimOptions, Simulator, VirtualNode
from schemas.messages import NodeConfig

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
log = logging.getLogger("pi_node")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parking-node",
        description="Camera node: detect slot occupancy and publish it over MQTT "
        "(settings: MQTT_URL and NODE_* environment variables).",
    )
    parser.add_argument(
        "--config", type=Path, action="append", default=[], help="node.yaml slot map"
    )
    sim = parser.add_argument_group("simulator")
    sim.add_argument("--simulate", action="store_true", help="run virtual nodes, no camera")
    sim.add_argument(
        "--lot", type=Path, action="append", default=[], help="lot layout JSON to simulate"
    )
    sim.add_argument("--slots-per-node", type=int, default=24, help="split rows (default 24)")
    sim.add_argument("--speedup", type=float, default=60.0, help="simulated s per real s")
    sim.add_argument("--max-rate", type=float, default=200.0, help="events/s, all nodes")
    sim.add_argument("--noise", type=float, default=0.02, help="share of false readings")
    sim.add_argument("--duration", type=float, default=0.0, help="stop after S s (0: never)")
    sim.add_argument("--seed", type=int, default=None, help="random seed (reproducible runs)")
    sim.add_argument("--list-nodes", action="store_true", help="print 'node_id lot_id', exit")
    return parser


def _check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if not args.simulate and (len(args.config) != 1 or args.lot):
        parser.error("a camera node takes exactly one --config (or use --simulate)")
    if args.simulate and not (args.config or args.lot):
        parser.error("--simulate needs at least one --lot or --config")
    if not 1 <= args.slots_per_node <= 2000:
        parser.error("--slots-per-node must be 1..2000")
    if args.speedup <= 0 or args.max_rate <= 0 or not 0 <= args.noise <= 1 or args.duration < 0:
        parser.error("--speedup and --max-rate must be > 0, --noise 0..1, --duration >= 0")


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _n, _f: stop.set())
    return stop


def _start(target: Callable[[threading.Event], None], stop: threading.Event) -> threading.Thread:
    thread = threading.Thread(target=target, args=(stop,), daemon=True)
    thread.start()
    return thread


def run_camera(config: NodeConfig, settings: NodeSettings, stop: threading.Event) -> int:
    """One camera node until `stop`: the MQTT link in a thread, detection in this one."""
    outbox = Outbox(settings.state_dir / f"{config.node_id}.sqlite3", settings.buffer_max_events)
    core = NodeCore(config, outbox)
    try:
        camera_node = CameraNode(core, settings)
    except DetectorError as exc:
        log.error("cannot start the detector: %s", exc)  # noqa: TRY400 - the message says it all
        return EXIT_FAILURE
    link = MqttLink(
        core, outbox, LinkOptions.from_settings(settings, config.node_id), camera_node.health
    )
    link_thread = _start(link.run, stop)
    log.info("node %s watching %d slots with %s", config.node_id, len(config.slots), core.detector)
    camera_node.run(stop)
    link_thread.join()
    outbox.close()
    return EXIT_OK


def run_simulator(
    configs: list[NodeConfig],
    settings: NodeSettings,
    options: SimOptions,
    duration: float,
    stop: threading.Event,
) -> int:
    """Virtual nodes until `stop` (or `duration` seconds)."""
    state_dir = settings.state_dir / "sim"
    nodes = [VirtualNode(config, settings, state_dir) for config in configs]
    threads = [_start(node.link.run, stop) for node in nodes]
    simulator = Simulator(nodes, options)
    slots = sum(len(config.slots) for config in configs)
    log.info(
        "simulating %d nodes, %d slots, x%g, <= %g events/s",
        len(nodes),
        slots,
        options.speedup,
        options.max_rate,
    )
    if duration > 0:
        timer = threading.Timer(duration, stop.set)
        timer.daemon = True
        timer.start()
    simulator.run(stop)
    for thread in threads:
        thread.join()
    for node in nodes:
        node.outbox.close()
    log.info("simulator stopped after %d events", simulator.emitted)
    return EXIT_OK


def _simulated_configs(args: argparse.Namespace) -> list[NodeConfig]:
    configs = [load_node_config(path) for path in args.config]
    for lot in args.lot:
        configs.extend(node_configs(lot, args.slots_per_node))
    seen: set[str] = set()
    for config in configs:
        if config.node_id in seen:
            raise ConfigError(f"node id {config.node_id!r} appears twice")
        seen.add(config.node_id)
    return configs


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_args(parser, args)
    try:
        settings = NodeSettings()
    except ValidationError as exc:
        print(f"parking-node: bad configuration: {exc}", file=sys.stderr)  # noqa: T201
        return EXIT_USAGE
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        configs = _simulated_configs(args) if args.simulate else [load_node_config(args.config[0])]
    except ConfigError as exc:
        print(f"parking-node: {exc}", file=sys.stderr)  # noqa: T201
        return EXIT_USAGE
    if args.list_nodes:
        for config in configs:
            print(config.node_id, config.lot_id)  # noqa: T201
        return EXIT_OK
    stop = _stop_on_signals()
    if not args.simulate:
        return run_camera(configs[0], settings, stop)
    options = SimOptions(
        speedup=args.speedup, max_rate=args.max_rate, noise=args.noise, seed=args.seed
    )
    return run_simulator(configs, settings, options, args.duration, stop)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
