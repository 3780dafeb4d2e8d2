"""In-process change notification: writers publish the mailbox ids they changed, IDLE waits.

Publish from the event loop thread, after the change is committed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable


class Subscription:
    """Interest in one mailbox; a change published before wait() is not lost."""

    def __init__(self, notifier: Notifier, mailbox_id: int) -> None:
        self.mailbox_id = mailbox_id
        self._notifier = notifier
        self._changed = asyncio.Event()

    async def wait(self, timeout: float | None) -> bool:
        """True when the mailbox changed since the last wait, False after *timeout* seconds."""
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            return False
        self._changed.clear()
        return True

    def close(self) -> None:
        self._notifier._drop(self)

    def _wake(self) -> None:
        self._changed.set()


class Notifier:
    """One per service: the Committer and every IMAP write publish here."""

    def __init__(self) -> None:
        self._subscriptions: dict[int, set[Subscription]] = {}

    def publish(self, mailbox_ids: Iterable[int]) -> None:
        for mailbox_id in set(mailbox_ids):
            for subscription in self._subscriptions.get(mailbox_id, ()):
                subscription._wake()

    def subscribe(self, mailbox_id: int) -> Subscription:
        subscription = Subscription(self, mailbox_id)
        self._subscriptions.setdefault(mailbox_id, set()).add(subscription)
        return subscription

    def _drop(self, subscription: Subscription) -> None:
        waiting = self._subscriptions.get(subscription.mailbox_id, set())
        waiting.discard(subscription)
        if not waiting:
            self._subscriptions.pop(subscription.mailbox_id, None)
