"""Prometheus metrics of one worker, in a registry of its own (several workers per test)."""

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_BATCH_SIZES = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
_SECONDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_LAG = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


@dataclass
class Metrics:
    """Every metric the worker exports (names as in issue 3)."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.messages_in = Counter(
            "ingest_messages_total", "Messages received, by topic kind.", ["kind"], registry=r
        )
        self.events_written = Counter(
            "ingest_events_written_total", "Occupancy events inserted into slot_events.", registry=r
        )
        self.duplicates = Counter(
            "ingest_duplicates_total", "Events already stored (redeliveries).", registry=r
        )
        self.dead_letters = Counter(
            "ingest_dead_letters_total", "Messages dead-lettered.", ["reason"], registry=r
        )
        self.dead_letters_suppressed = Counter(
            "ingest_dead_letters_suppressed_total",
            "Refused messages over their node's dead-letter quota: counted, not stored.",
            ["reason"],
            registry=r,
        )
        self.receipts = Counter(
            "ingest_receipts_published_total", "Receipts published to nodes.", registry=r
        )
        self.dropped_qos0 = Counter(
            "ingest_qos0_dropped_total", "QoS 0 dropped, intake full.", registry=r
        )
        self.batch_size = Histogram(
            "ingest_batch_size", "Messages per committed batch.", buckets=_BATCH_SIZES, registry=r
        )
        self.batch_seconds = Histogram(
            "ingest_batch_seconds", "Write + commit time.", buckets=_SECONDS, registry=r
        )
        self.lag_seconds = Histogram(
            "ingest_lag_seconds", "observed_at to commit.", buckets=_LAG, registry=r
        )
        self.db_errors = Counter(
            "ingest_db_errors_total", "Failed attempts to write a batch.", registry=r
        )
        self.published = Counter(
            "ingest_published_total", "Read-side messages published, by kind.", ["kind"], registry=r
        )
        self.publish_errors = Counter(
            "ingest_publish_errors_total", "Read-side publish rounds that failed.", registry=r
        )
        self.resyncs = Counter(
            "ingest_resync_commands_total", "Resync commands sent to nodes.", registry=r
        )
        self.stale_nodes = Counter(
            "ingest_nodes_marked_stale_total", "Nodes found silent for too long.", registry=r
        )
        self.pending = Gauge(
            "ingest_pending_messages", "Received messages not yet acknowledged.", registry=r
        )
