"""Demo data: migrations, the example lots with their operators, and the camera nodes.

Each step is the operators' own command (`parkctl ...`), except registering the simulated
nodes: they share the `simulator` broker account, so they need `nodes` rows with their slot
maps (what ingest accepts their events for) but no broker accounts of their own.
"""

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from schemas.db import Node, ParkingLot
from schemas.messages import NodeConfig

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_LOTS = tuple(sorted((REPO / "examples" / "lots").glob("*.json")))
EXAMPLE_NODES = tuple(sorted((REPO / "examples" / "nodes").glob("*.yaml")))
# How the simulator splits rows into virtual nodes; the Procfile and Compose pass the same.
SLOTS_PER_NODE = 24


class SeedError(Exception):
    """A step of the seed failed; the message names the command and its output."""


def _bin(name: str) -> str:
    """A console script of our own virtualenv (the one running this)."""
    return str(Path(sys.executable).parent / name)


def run_step(argv: Sequence[str], env: dict[str, str]) -> str:
    """Run one command; its output, or SeedError quoting what it said."""
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise SeedError(f"{argv[0]} is not installed (pip install -e '.[dev]')") from exc
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()[-12:]
        raise SeedError(f"`{' '.join(argv)}` failed ({done.returncode}):\n  " + "\n  ".join(said))
    return done.stdout.strip()


def operators(lot_files: Sequence[Path]) -> dict[str, str]:
    """Operator code -> display name, for the operators the layout files refer to."""
    codes = {json.loads(path.read_text(encoding="utf-8"))["operator"] for path in lot_files}
    return {code: code.replace("-", " ").title() for code in sorted(codes)}


def simulated_nodes(lot_files: Sequence[Path]) -> list[NodeConfig]:
    """The slot maps of the simulator's virtual nodes and of the example camera nodes."""
    try:
        from pi_node.config import ConfigError, load_node_config  # noqa: PLC0415
        from pi_node.sim.layout import node_configs  # noqa: PLC0415
    except ImportError as exc:  # the node package is optional here (it lists the node ids)
        raise SeedError(f"cannot list the simulated nodes: {exc} (the pi_node package)") from exc
    try:
        configs = [c for path in lot_files for c in node_configs(path, SLOTS_PER_NODE)]
        configs += [load_node_config(path) for path in EXAMPLE_NODES]
    except ConfigError as exc:
        raise SeedError(str(exc)) from exc
    return configs


def register_nodes(database_url: str, nodes: Sequence[NodeConfig]) -> int:
    """Upsert `nodes` rows (enabled, for their lot, with their slot map, which is what ingest
    accepts their events for); returns how many there are."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session, session.begin():
            lot_ids = dict(session.execute(select(ParkingLot.code, ParkingLot.id)).tuples().all())
            rows = [
                {
                    "id": node.node_id,
                    "lot_id": lot_ids[node.lot_id],
                    "enabled": True,
                    "slot_map": node.model_dump(mode="json", by_alias=True),
                    "slot_map_version": node.version or 1,
                }
                for node in nodes
            ]
            if rows:
                statement = insert(Node).values(rows)
                excluded = statement.excluded
                session.execute(
                    statement.on_conflict_do_update(
                        index_elements=[Node.id],
                        set_={
                            "lot_id": excluded.lot_id,
                            "enabled": True,
                            "slot_map": excluded.slot_map,
                            "slot_map_version": excluded.slot_map_version,
                        },
                    )
                )
    finally:
        engine.dispose()
    return len(nodes)


def seed(database_url: str, lot_files: Sequence[Path] = EXAMPLE_LOTS) -> list[str]:
    """Migrate, then create operators, lots and nodes; idempotent. Returns lines to show."""
    env = os.environ | {"DATABASE_URL": database_url}
    parkctl = _bin("parkctl")
    lines = [run_step([parkctl, "db", "upgrade"], env) or "database: at the newest revision"]
    for code, name in operators(lot_files).items():
        lines.append(run_step([parkctl, "operators", "add", code, "--name", name], env))
    for path in lot_files:
        lines.append(run_step([parkctl, "lots", "import", str(path)], env))
    nodes = simulated_nodes(lot_files)
    lines.append(f"nodes: {register_nodes(database_url, nodes)} registered")
    return lines


def main() -> int:
    """`python -m infra.local.seed`: seed the database at DATABASE_URL (Compose `demo-seed`)."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("seed: DATABASE_URL is not set", file=sys.stderr)  # noqa: T201
        return 2
    try:
        lines = seed(url)
    except SeedError as exc:
        print(f"seed: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    for line in lines:
        print(f"seed: {line}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
