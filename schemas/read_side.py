"""The retained read-side messages, built one way for every publisher.

Ingest's outbox (`ingest_service/publisher.py`) and the admin API after an override
(`api_service/services/admin_overrides.py`) publish a slot's stored state; both build the
topic and payload here, so a dashboard cannot tell which of the two sent it.
"""

from datetime import datetime

from schemas.enums import SlotStatus, StatusSource
from schemas.messages import SlotState, to_payload
from schemas.topics import slot_state_topic


def slot_state_message(
    lot_code: str,
    slot_code: str,
    *,
    status: SlotStatus | str,
    since: datetime,
    last_confirmed_at: datetime | None,
    source: StatusSource | str,
    confidence: float | None,
) -> tuple[str, bytes]:
    """(topic, payload) of a slot's retained state from its stored columns; the detector's
    confidence only when the status is the detection's."""
    source = StatusSource(source)
    state = SlotState(
        lot_id=lot_code,
        slot_id=slot_code,
        status=SlotStatus(status),
        since=since,
        last_confirmed_at=last_confirmed_at,
        source=source,
        confidence=confidence if source is StatusSource.DETECTED else None,
    )
    return slot_state_topic(lot_code, slot_code), to_payload(state)
