"""Alert rules, alerts, webhooks and their deliveries, for staff."""

from typing import Annotated, Any, Literal

from pydantic import Field

from api_service.errors import FieldError
from api_service.models.common import Body, Cursor, Limit, Out, Query
from schemas.alerts import AlertKind
from schemas.ids import Identifier
from schemas.messages import UtcDatetime

Name = Annotated[str, Field(min_length=1, max_length=200, description="For people.")]
HoldS = Annotated[
    int,
    Field(
        ge=0,
        le=86_400,
        description="Seconds a condition must hold before the alert fires, and be clear "
        "before it resolves.",
    ),
]
Params = Annotated[
    dict[str, Any],
    Field(
        description="Per kind: `lot_free_below` {free_below}, `node_offline` {after_s}, "
        "`override_expiring` {within_s}, `dead_letter_rate` {per_min}, `ingest_lag` "
        "{max_lag_s}; `lot_full` and `camera_not_ok` none."
    ),
]


class RuleQuery(Query):
    lot: Identifier | None = Field(default=None, description="Only rules of this lot.")
    cursor: Cursor | None = None
    limit: Limit = 50


class RuleCreate(Body):
    name: Name
    kind: AlertKind
    lot_id: Identifier | None = Field(
        default=None, description="Lot code; null: every lot of the operator."
    )
    operator: Identifier | None = Field(
        default=None,
        description="Operator code; needed only by admins for a rule without a lot.",
    )
    params: Params = Field(default_factory=dict)
    hold_s: HoldS = 60
    enabled: bool = True


class RuleUpdate(Body):
    name: Name | None = None
    params: Params | None = None
    hold_s: HoldS | None = None
    enabled: bool | None = None

    def problems(self) -> list[FieldError]:
        """Something to change."""
        if self.model_fields_set:
            return []
        return [FieldError("body", "name, params, hold_s or enabled is required")]


class RuleView(Out):
    id: int
    name: str
    kind: AlertKind
    operator: Identifier
    lot_id: Identifier | None = Field(description="Null: every lot of the operator.")
    params: dict[str, Any]
    hold_s: int
    enabled: bool
    created_at: UtcDatetime
    updated_at: UtcDatetime


class RulePage(Out):
    items: list[RuleView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for the next page.")


class AlertQuery(Query):
    state: Literal["firing", "resolved"] | None = Field(default=None, description="Only these.")
    lot: Identifier | None = Field(default=None, description="Only this lot's alerts.")
    cursor: Cursor | None = None
    limit: Limit = 50


class AlertView(Out):
    id: int
    rule_id: int
    kind: AlertKind
    lot_id: Identifier
    subject: str = Field(description="Lot code, node id, or `lot/slot`.")
    state: Literal["firing", "resolved"]
    fired_at: UtcDatetime
    resolved_at: UtcDatetime | None
    value: float | None = Field(description="The measured value when it fired.")
    details: dict[str, Any]


class AlertPage(Out):
    items: list[AlertView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for older alerts.")


class WebhookQuery(Query):
    cursor: Cursor | None = None
    limit: Limit = 50


class WebhookCreate(Body):
    url: str = Field(
        min_length=8,
        max_length=2000,
        description="An https URL (http only to loopback, with API_WEBHOOK_ALLOW_HTTP_LOOPBACK).",
    )
    operator: Identifier | None = Field(
        default=None, description="Operator code; needed only by admins."
    )


class WebhookView(Out):
    id: int
    operator: Identifier
    url: str
    enabled: bool
    consecutive_failures: int
    disabled_at: UtcDatetime | None
    disabled_reason: str | None
    created_at: UtcDatetime


class WebhookCreated(WebhookView):
    secret: str = Field(
        description="HMAC-SHA256 key of the X-Parking-Signature header. Shown only now."
    )


class WebhookPage(Out):
    items: list[WebhookView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for the next page.")


class DeliveryQuery(Query):
    cursor: Cursor | None = None
    limit: Limit = 50


class DeliveryView(Out):
    id: int
    alert_id: int
    event: Literal["fired", "resolved"]
    state: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: UtcDatetime | None
    last_status: int | None = Field(description="HTTP status of the last attempt.")
    last_error: str | None
    delivered_at: UtcDatetime | None
    created_at: UtcDatetime


class DeliveryPage(Out):
    items: list[DeliveryView]
    next_cursor: Cursor | None = Field(description="Pass as `cursor` for older deliveries.")
