"""The PostgreSQL data model (SQLAlchemy 2.0), shared by ingest, the API and parkctl."""

from schemas.db.alerts import Alert, AlertCondition, AlertRule, Webhook, WebhookDelivery
from schemas.db.base import Base
from schemas.db.history import AuditEntry, DeadLetter, ParkingSession, Reservation, SlotEvent
from schemas.db.layout import Floor, ParkingLot, Row, Slot
from schemas.db.nodes import Node, NodeReceipt, RefusedSeq
from schemas.db.payments import Payment, PaymentEvent
from schemas.db.rollups import OccupancyHourly, OccupancyRollupState
from schemas.db.tariffs import Tariff
from schemas.db.tenancy import Operator, User

__all__ = [
    "Alert",
    "AlertCondition",
    "AlertRule",
    "AuditEntry",
    "Base",
    "DeadLetter",
    "Floor",
    "Node",
    "NodeReceipt",
    "OccupancyHourly",
    "OccupancyRollupState",
    "Operator",
    "ParkingLot",
    "ParkingSession",
    "Payment",
    "PaymentEvent",
    "RefusedSeq",
    "Reservation",
    "Row",
    "Slot",
    "SlotEvent",
    "Tariff",
    "User",
    "Webhook",
    "WebhookDelivery",
]
