"""The hand-over from the network thread to the worker loop: bounded, and cheap per message.

queue.Queue takes a lock and signals a condition for every put and get; at ten thousand
messages a second both threads paid for it. Here the network thread appends to a deque
(atomic under the GIL) and signals only when the loop sleeps waiting for that many items;
the loop takes a whole batch at once.
"""

import threading
import time
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Intake(Generic[T]):
    """A bounded FIFO for one producer thread and one consumer thread."""

    def __init__(self, capacity: int) -> None:
        self._items: deque[T] = deque()
        self._capacity = capacity
        self._cond = threading.Condition()
        self._wanted = 0  # the consumer sleeps until this many items are queued (0: awake)
        self._producer_waits = False

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: T, *, block: bool = True) -> bool:
        """Append; when full, wait for room (`block`) or refuse it (False)."""
        if len(self._items) >= self._capacity:
            if not block:
                return False
            with self._cond:
                self._producer_waits = True
                while len(self._items) >= self._capacity:
                    self._cond.wait()
                self._producer_waits = False
        # Append first, then read _wanted: the consumer sets _wanted, then counts. Whichever
        # runs second sees the other's write, so no wake-up is lost.
        self._items.append(item)
        if self._wanted and len(self._items) >= self._wanted:
            with self._cond:
                self._cond.notify_all()
        return True

    def wait_for(self, count: int, timeout: float) -> bool:
        """Whether `count` items are queued, waiting up to `timeout` seconds for them."""
        if len(self._items) >= count:
            return True
        deadline = time.monotonic() + timeout
        with self._cond:
            self._wanted = count
            try:
                while len(self._items) < count:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._cond.wait(remaining)
                return True
            finally:
                self._wanted = 0

    def take(self, limit: int) -> list[T]:
        """Up to `limit` items, oldest first, without waiting."""
        items = self._items
        taken = [items.popleft() for _ in range(min(limit, len(items)))]
        if self._producer_waits:
            with self._cond:
                self._cond.notify_all()
        return taken
