"""Time-weighted occupancy from the raw `slot_events`: one SQL statement, shared by ingest's
hourly rollups (`ingest_service/history.py`) and the admin stats for what is not rolled up
(`api_service/services/admin_stats.py`), so both count alike.

A slot's detected state at any instant is that of its newest event by (observed_at, seq,
event_id) not after it, as ingest's newest-wins rule decides (`ingest_service/rules.py`);
before any event, `unknown`. Each slot's state at the window's start plus every event inside
the window make spans; spans are cut at bucket boundaries (`date_bin(step, t, origin)`) and
summed per lot, slot kind, floor level and bucket. The state at the start is looked for in
the last 8 days first (one or two weekly partitions), in older weeks only for a slot that
had no event since. A slot counts in a bucket unless it was
retired before the bucket began. Seconds are exact (numeric).

Parameters (psycopg style): `from`, `to` (the window), `step` (interval), `origin` (an
instant on a bucket boundary), `lots` (bigint[] or NULL for every lot).
"""

from typing import Final

OCCUPANCY_SECONDS: Final = """
    WITH chosen AS (
        SELECT s.id, s.lot_id, s.kind, s.retired_at, f.level
        FROM slots s LEFT JOIN rows r ON r.id = s.row_id LEFT JOIN floors f ON f.id = r.floor_id
        WHERE (s.retired_at IS NULL OR s.retired_at > %(from)s)
          AND (%(lots)s::bigint[] IS NULL OR s.lot_id = ANY(%(lots)s::bigint[]))
    ), changes AS (
        SELECT c.id AS slot_id, CAST(%(from)s AS timestamptz) AS at, -1::bigint AS seq,
            NULL::uuid AS event_id, coalesce(last.status, 'unknown') AS status
        FROM chosen c LEFT JOIN LATERAL (
            SELECT e.status FROM slot_events e
            WHERE e.slot_id = c.id AND e.observed_at = coalesce(
                (SELECT max(m.observed_at) FROM slot_events m WHERE m.slot_id = c.id
                 AND m.observed_at < %(from)s AND m.observed_at >= %(from)s - interval '8 days'),
                (SELECT max(m.observed_at) FROM slot_events m WHERE m.slot_id = c.id
                 AND m.observed_at < %(from)s - interval '8 days'))
            ORDER BY e.seq DESC, e.event_id DESC LIMIT 1
        ) last ON true
        UNION ALL
        SELECT e.slot_id, e.observed_at, e.seq, e.event_id, e.status
        FROM slot_events e JOIN chosen c ON c.id = e.slot_id
        WHERE e.observed_at >= %(from)s AND e.observed_at < %(to)s
    ), spans AS (
        SELECT slot_id, status, at AS start,
            lead(at, 1, CAST(%(to)s AS timestamptz))
                OVER (PARTITION BY slot_id ORDER BY at, seq, event_id NULLS FIRST) AS stop
        FROM changes
    ), pieces AS (
        SELECT s.slot_id, s.status, b.start AS bucket,
            extract(epoch FROM least(s.stop, b.start + %(step)s::interval)
                               - greatest(s.start, b.start)) AS seconds
        FROM spans s CROSS JOIN LATERAL generate_series(
            date_bin(%(step)s::interval, s.start, %(origin)s::timestamptz),
            s.stop - interval '1 microsecond', %(step)s::interval) AS b(start)
        WHERE s.stop > s.start
    )
    SELECT c.lot_id, c.kind, c.level, p.bucket,
        coalesce(sum(p.seconds) FILTER (WHERE p.status = 'occupied'), 0) AS occupied_s,
        coalesce(sum(p.seconds) FILTER (WHERE p.status = 'free'), 0) AS free_s,
        coalesce(sum(p.seconds) FILTER (WHERE p.status = 'unknown'), 0) AS unknown_s,
        sum(p.seconds) AS slot_s
    FROM pieces p JOIN chosen c ON c.id = p.slot_id
    WHERE c.retired_at IS NULL OR c.retired_at > p.bucket
    GROUP BY c.lot_id, c.kind, c.level, p.bucket
"""
