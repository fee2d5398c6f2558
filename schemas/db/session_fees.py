"""The one place parking sessions get their fee: the API (a driver's exit) and ingest's
operations job (stays that detection closed) both call `price_sessions`.

A session is priced once it has ended, with the tariff version in force at its start (the
lot's highest version with `valid_from <= started_at`, `tariff_in_force`) in the lot's time
zone, by `schemas.tariff.session_fee`. `fee_minor`, `fee_currency` and `tariff_id` are
written together, once: a later tariff, even one valid from the past, never reprices a
stored fee. A lot with no tariff in force at the start leaves all three NULL: the price is
unknown, not zero (a lot that is free stores a tariff without periods).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TypeAlias
from zoneinfo import ZoneInfo

import psycopg

from schemas.tariff import Fee, Tariff, session_fee

Connection: TypeAlias = psycopg.Connection[Any]

BATCH: Final = 500


@dataclass(frozen=True, slots=True)
class StoredTariff:
    """One stored version of a lot's tariff."""

    id: int
    lot_id: int
    version: int
    valid_from: datetime
    tariff: Tariff


_IN_FORCE = """
    SELECT DISTINCT ON (lot_id) id, lot_id, version, valid_from, definition FROM tariffs
    WHERE lot_id = ANY(%s) AND valid_from <= %s ORDER BY lot_id, version DESC
"""


def tariffs_in_force(
    conn: Connection, lot_ids: Iterable[int], at: datetime
) -> dict[int, StoredTariff]:
    """Each lot's tariff at `at`: its highest version valid from then or earlier."""
    rows = conn.execute(_IN_FORCE, (list(lot_ids), at)).fetchall()
    return {
        lot: StoredTariff(tariff_id, lot, version, valid_from, Tariff.model_validate(definition))
        for tariff_id, lot, version, valid_from, definition in rows
    }


def tariff_in_force(conn: Connection, lot_id: int, at: datetime) -> StoredTariff | None:
    """The lot's tariff at `at`, or None when it had none."""
    return tariffs_in_force(conn, [lot_id], at).get(lot_id)


# Ended, unpriced sessions with the tariff in force at their start; a lot without one
# leaves its sessions out.
_PRICEABLE = """
    SELECT ps.id, ps.started_at, ps.ended_at, l.timezone, t.id, t.definition
    FROM parking_sessions ps
    JOIN parking_lots l ON l.id = ps.lot_id
    JOIN LATERAL (
        SELECT t.id, t.definition FROM tariffs t
        WHERE t.lot_id = ps.lot_id AND t.valid_from <= ps.started_at
        ORDER BY t.version DESC LIMIT 1
    ) t ON true
    WHERE ps.id = ANY(%s) AND ps.ended_at IS NOT NULL AND ps.fee_minor IS NULL
"""

# `fee_minor IS NULL`: two pricers of one session (a driver's exit racing the job) compute
# the same fee; the first write stands.
_STORE = """
    UPDATE parking_sessions ps
    SET fee_minor = u.fee, fee_currency = u.currency, tariff_id = u.tariff_id
    FROM unnest(%s::bigint[], %s::integer[], %s::text[], %s::bigint[])
        AS u(id, fee, currency, tariff_id)
    WHERE ps.id = u.id AND ps.fee_minor IS NULL
"""


def price_sessions(conn: Connection, session_ids: Iterable[int]) -> int:
    """Store the fee of each given session that has ended unpriced and whose lot had a tariff
    at its start; how many were priced. Runs in the caller's transaction."""
    rows = conn.execute(_PRICEABLE, (sorted(set(session_ids)),)).fetchall()
    if not rows:
        return 0
    tariffs: dict[int, Tariff] = {}
    priced: list[tuple[int, Fee, int]] = []
    for session_id, started_at, ended_at, timezone, tariff_id, definition in rows:
        tariff = tariffs.setdefault(tariff_id, Tariff.model_validate(definition))
        fee = session_fee(tariff, started_at, ended_at, ZoneInfo(timezone))
        priced.append((session_id, fee, tariff_id))
    columns = (
        [session_id for session_id, _, _ in priced],
        [fee.amount_minor for _, fee, _ in priced],
        [fee.currency for _, fee, _ in priced],
        [tariff_id for _, _, tariff_id in priced],
    )
    return conn.execute(_STORE, columns).rowcount


# Per lot with a tariff, its ended unpriced sessions that started at or after its first
# version (earlier ones have no tariff and stay unknown), through the partial index.
_UNPRICED = """
    SELECT ps.id
    FROM (SELECT lot_id, min(valid_from) AS since FROM tariffs GROUP BY lot_id) f
    CROSS JOIN LATERAL (
        SELECT ps.id FROM parking_sessions ps
        WHERE ps.lot_id = f.lot_id AND ps.started_at >= f.since
          AND ps.ended_at IS NOT NULL AND ps.fee_minor IS NULL
        ORDER BY ps.started_at LIMIT %(batch)s
    ) ps
    LIMIT %(batch)s
"""


def price_unpriced(conn: Connection, *, batch: int = BATCH) -> int:
    """Price every ended, unpriced session that has a tariff, one transaction per batch (for
    an autocommit connection such as the operations job's); how many were priced."""
    total = 0
    while True:
        with conn.transaction():
            ids = [row[0] for row in conn.execute(_UNPRICED, {"batch": batch})]
            priced = price_sessions(conn, ids) if ids else 0
        total += priced
        if len(ids) < batch or not priced:
            return total
