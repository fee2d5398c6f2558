"""`/admin/events`, `/admin/stats/occupancy`, `/admin/audit`, `/admin/dead-letters` (staff)."""

import base64
from datetime import timedelta

from flask import Blueprint

from api_service.access import STAFF, current_tenant
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.models.admin_history import (
    BUCKETS,
    AuditPage,
    AuditQuery,
    AuditView,
    Bucket,
    DeadLetterPage,
    DeadLetterQuery,
    DeadLetterView,
    Durations,
    EventPage,
    EventQuery,
    EventView,
    OccupancyQuery,
    OccupancyStats,
    Series,
)
from api_service.resources.admin_common import PREFIX
from api_service.services import admin_history, admin_stats, pagination
from api_service.services.admin_lots import lot_for

bp = Blueprint("admin_history", __name__, url_prefix=PREFIX)


def _spec(summary: str, **kwargs: object) -> RouteSpec:
    return RouteSpec(summary, STAFF, "admin: history", rate="user", **kwargs)  # type: ignore[arg-type]


@bp.get("/events")
@endpoint(
    _spec(
        "Slot events in arrival order (every row exactly once) or newest first, filtered",
        query=EventQuery,
        response=EventPage,
        errors=(403, 404),
    )
)
def events(query: EventQuery) -> EventPage:
    session, tenant = db_session(), current_tenant()
    lot_id = lot_for(session, tenant, query.lot_id).id if query.lot_id else None
    where = admin_history.EventFilter(
        lot_id, query.slot_id, query.node_id, query.since, query.until
    )
    after = pagination.decode_pair(query.cursor)
    newest = query.order == "newest"
    rows, last = admin_history.list_events(
        session, tenant, where, after, query.limit, newest_first=newest
    )
    items = [
        EventView(
            event_id=str(e.event_id),
            lot_id=lot,
            slot_id=slot,
            node_id=e.node_id,
            status=e.status,
            confidence=e.confidence,
            observed_at=e.observed_at,
            seq=e.seq,
            detector=e.detector,
            origin=e.origin,
            received_at=e.received_at,
        )
        for e, lot, slot in rows
    ]
    cursor: str | None = pagination.encode_pair(last)
    if newest and len(rows) < query.limit:
        cursor = None  # nothing older is left
    return EventPage(items=items, next_cursor=cursor)


@bp.get("/stats/occupancy")
@endpoint(
    _spec(
        "Occupancy per lot or floor in time buckets, and session durations",
        query=OccupancyQuery,
        response=OccupancyStats,
        errors=(403, 404),
    )
)
def occupancy(query: OccupancyQuery) -> OccupancyStats:
    session = db_session()
    lot = lot_for(session, current_tenant(), query.lot_id)
    step = timedelta(seconds=BUCKETS[query.bucket])
    window = (query.from_, query.to)
    per_floor = admin_stats.occupancy(
        session, lot.id, window, step, by_floor=query.by == "floor", now=utcnow()
    )
    count, ended, mean, p50, p90, longest = admin_stats.durations(session, lot.id, window)
    return OccupancyStats(
        lot_id=lot.code,
        from_=query.from_,
        to=query.to,
        bucket_s=BUCKETS[query.bucket],
        series=[
            Series(
                floor=level,
                slots=slots,
                buckets=[
                    Bucket(
                        start=b.start,
                        occupancy=b.occupancy,
                        occupied_s=b.occupied_s,
                        sessions_started=b.sessions_started,
                    )
                    for b in figures
                ],
            )
            for level, (slots, figures) in per_floor.items()
        ],
        durations=Durations(
            sessions=count, ended=ended, mean_s=mean, p50_s=p50, p90_s=p90, max_s=longest
        ),
    )


@bp.get("/audit")
@endpoint(_spec("The audit log, newest first", query=AuditQuery, response=AuditPage))
def audit(query: AuditQuery) -> AuditPage:
    filters = {
        "entity_type": query.entity_type,
        "entity_id": query.entity_id,
        "action": query.action,
    }
    before = pagination.decode_id(query.cursor)
    entries = admin_history.list_audit(
        db_session(),
        current_tenant(),
        filters,
        window=(query.since, query.until),
        before=before,
        limit=query.limit,
    )
    items = [
        AuditView(
            id=e.id,
            at=e.at,
            actor=e.actor,
            actor_id=e.actor_id,
            action=e.action,
            entity_type=e.entity_type,
            entity_id=e.entity_id,
            before=e.before,
            after=e.after,
        )
        for e in entries
    ]
    return AuditPage(
        items=items, next_cursor=pagination.next_cursor(entries, query.limit, lambda e: e.id)
    )


@bp.get("/dead-letters")
@endpoint(
    _spec(
        "Messages ingest refused (repeats counted), newest first, with the raw bytes",
        query=DeadLetterQuery,
        response=DeadLetterPage,
    )
)
def dead_letters(query: DeadLetterQuery) -> DeadLetterPage:
    filters = {"reason": query.reason, "node_id": query.node_id}
    before = pagination.decode_id(query.cursor)
    letters = admin_history.list_dead_letters(
        db_session(),
        current_tenant(),
        filters,
        window=(query.since, query.until),
        before=before,
        limit=query.limit,
    )
    items = [
        DeadLetterView(
            id=d.id,
            received_at=d.received_at,
            last_seen_at=d.last_seen_at,
            occurrences=d.occurrences,
            topic=d.topic,
            reason=d.reason,
            detail=d.detail,
            node_id=d.node_id,
            payload_base64=base64.b64encode(d.payload).decode(),
            payload_size=len(d.payload),
        )
        for d in letters
    ]
    return DeadLetterPage(
        items=items, next_cursor=pagination.next_cursor(letters, query.limit, lambda d: d.id)
    )
