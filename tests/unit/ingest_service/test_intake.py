"""The intake between the network thread and the loop: FIFO, bounded, batch-wise."""

import threading

from ingest_service.intake import Intake


def test_items_come_out_in_order_and_at_most_limit_at_a_time() -> None:
    intake: Intake[int] = Intake(10)
    for i in range(5):
        assert intake.put(i)
    assert intake.take(3) == [0, 1, 2]
    assert intake.take(3) == [3, 4]
    assert intake.take(3) == []


def test_a_full_intake_refuses_what_may_be_dropped() -> None:
    intake: Intake[int] = Intake(2)
    assert intake.put(1, block=False)
    assert intake.put(2, block=False)
    assert not intake.put(3, block=False)
    assert intake.take(10) == [1, 2]


def test_waiting_for_more_than_is_there_times_out_with_what_there_is() -> None:
    intake: Intake[int] = Intake(10)
    intake.put(1)
    assert intake.wait_for(1, 0)
    assert not intake.wait_for(2, 0.01)
    assert intake.take(10) == [1]


def test_a_blocked_producer_resumes_once_the_consumer_takes() -> None:
    intake: Intake[int] = Intake(2)
    producer = threading.Thread(target=lambda: [intake.put(i) for i in range(6)])
    producer.start()
    received: list[int] = []
    while len(received) < 6:
        assert intake.wait_for(1, 10), "the producer never delivered"
        received += intake.take(2)
    producer.join(timeout=10)
    assert received == list(range(6))
    assert not producer.is_alive()


def test_a_waiting_consumer_wakes_when_enough_arrives() -> None:
    intake: Intake[int] = Intake(100)
    started = threading.Event()

    def produce() -> None:
        started.wait(10)
        for i in range(50):
            intake.put(i)

    producer = threading.Thread(target=produce)
    producer.start()
    started.set()
    assert intake.wait_for(50, 30)
    producer.join(timeout=10)
    assert intake.take(100) == list(range(50))
