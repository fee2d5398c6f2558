"""The harness itself: the throwaway servers really run and really answer."""

import pytest
from sqlalchemy import Engine, text

from tests.support.mosquitto import MosquittoServer
from tests.support.mqtt import connected_client

pytestmark = pytest.mark.integration


def test_message_published_to_test_broker_is_received(
    mosquitto: MosquittoServer, unique_topic: str
) -> None:
    with connected_client(mosquitto) as subscriber, connected_client(mosquitto) as publisher:
        subscriber.subscribe(unique_topic, qos=1)
        publisher.publish(unique_topic, b'{"hello":"parking"}', qos=1)
        received = subscriber.next_message()
    assert (received.topic, received.payload, received.qos) == (
        unique_topic,
        b'{"hello":"parking"}',
        1,
    )


def test_retained_message_reaches_a_late_subscriber(
    mosquitto: MosquittoServer, unique_topic: str
) -> None:
    with connected_client(mosquitto) as publisher:
        publisher.publish(unique_topic, b"retained", qos=1, retain=True)
    with connected_client(mosquitto) as late:
        late.subscribe(unique_topic)
        received = late.next_message()
    assert (received.payload, received.retain) == (b"retained", True)


def test_each_test_gets_its_own_migrated_database(engine: Engine, database_url: str) -> None:
    with engine.begin() as connection:
        tables = set(
            connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
        )
        connection.execute(text("INSERT INTO operators (code, name) VALUES ('mine', 'Mine')"))
    assert {"slots", "slot_events", "parking_lots", "alembic_version"} <= tables
    assert database_url.rsplit("/", 1)[-1].startswith("test_")


def test_databases_are_isolated_between_tests(engine: Engine) -> None:
    # The previous test inserted an operator into its own copy; this copy is still empty.
    with engine.connect() as connection:
        count = connection.scalar(text("SELECT count(*) FROM operators"))
    assert count == 0
