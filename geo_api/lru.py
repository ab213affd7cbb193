"""One bounded least-recently-used map for every cache of the service.

Bounded by entry count and, when ``size`` is given, by the total size of the values.
Locking rule: every read and write holds the instance's lock for a few dictionary
operations only; computing a missing value happens outside the lock (callers pair it
with :class:`geo_api.limits.SingleFlight` so one computation serves all waiters).
Used by the response body cache, the ASGI fast path and the ranking cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedLRU(Generic[K, V]):
    """LRU map with at most ``max_items`` entries and ``max_bytes`` of ``size(value)``."""

    def __init__(
        self,
        max_items: int,
        max_bytes: int | None = None,
        size: Callable[[V], int] | None = None,
    ) -> None:
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._size = size or (lambda _value: 0)
        self._items: OrderedDict[K, V] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value for ``key`` (now most recently used), or ``None``."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Store ``value``, then evict least recently used entries beyond the bounds."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= self._size(old)
            self._items[key] = value
            self._bytes += self._size(value)
            while self._items and (
                len(self._items) > self.max_items
                or (self.max_bytes is not None and self._bytes > self.max_bytes)
            ):
                _, evicted = self._items.popitem(last=False)
                self._bytes -= self._size(evicted)

    def clear(self) -> None:
        """Forget everything (a new store was loaded)."""
        with self._lock:
            self._items.clear()
            self._bytes = 0

    @property
    def nbytes(self) -> int:
        """Total size of the stored values."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)
