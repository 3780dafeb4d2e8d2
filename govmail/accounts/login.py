"""Credential checks shared by SMTP AUTH and IMAP LOGIN, with limits on failed attempts."""

from __future__ import annotations

import asyncio
import enum
import functools
import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import update

from govmail.accounts.directory import Directory
from govmail.accounts.passwords import hash_password, needs_rehash, verify_password
from govmail.store.models import User

# A password once verified is remembered this long: clients open several connections and
# phones reconnect often, and each memory-hard check costs a third of a CPU second.
VERIFIED_SECONDS = 300.0


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so the time taken does not tell.
    Made on first use: a CLI command that never checks a password should not pay for it."""
    return hash_password("govmail-no-such-user")


class Outcome(enum.Enum):
    OK = "ok"
    INVALID = "invalid"
    THROTTLED = "throttled"


class FailureLimiter:
    """Counts failed logins per client IP and per account in a sliding window."""

    def __init__(
        self, max_failures: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)

    def blocked(self, ip: str, account: str) -> bool:
        return any(self._count(key) >= self.max_failures for key in _keys(ip, account))

    def record_failure(self, ip: str, account: str) -> None:
        now = self.clock()
        for key in _keys(ip, account):
            self._failures[key].append(now)

    def record_success(self, account: str) -> None:
        # The IP's count stays: one good account must not reset a guesser's budget.
        self._failures.pop(_keys("", account)[1], None)

    def _count(self, key: str) -> int:
        stamps = self._failures.get(key)
        if not stamps:
            return 0
        horizon = self.clock() - self.window
        while stamps and stamps[0] < horizon:
            stamps.popleft()
        if not stamps:
            del self._failures[key]
        return len(stamps)


def _keys(ip: str, account: str) -> tuple[str, str]:
    return (f"ip:{ip}", f"account:{account.lower()}")


@dataclass(frozen=True)
class _Verified:
    password_hash: str  # the stored hash it was checked against: a new password voids it
    digest: bytes
    until: float


class Authenticator:
    def __init__(
        self,
        directory: Directory,
        limiter: FailureLimiter,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.directory = directory
        self.limiter = limiter
        self.clock = clock
        # Remembered passwords are kept only as keyed digests under a key that dies with
        # the process.
        self._key = secrets.token_bytes(32)
        _dummy_hash()  # now, so the first unknown user's login takes no longer than later ones
        self._verified: dict[str, _Verified] = {}

    async def login(self, username: str, password: str, ip: str) -> tuple[Outcome, str | None]:
        """Check a username and password; returns the outcome and the user's address."""
        if self.limiter.blocked(ip, username):
            return Outcome.THROTTLED, None
        user = await self.directory.user(username)
        if user is not None and not user.disabled and self._remembered(user, password):
            self.limiter.record_success(username)
            return Outcome.OK, user.address
        stored = user.password_hash if user is not None else _dummy_hash()
        good = await asyncio.to_thread(verify_password, stored, password)
        if user is None or user.disabled or not good:
            self.limiter.record_failure(ip, username)
            return Outcome.INVALID, None
        self.limiter.record_success(username)
        stored = user.password_hash
        if needs_rehash(stored):
            stored = await self._rehash(user, password)
        self._verified[user.address] = _Verified(
            stored, self._digest(password), self.clock() + VERIFIED_SECONDS
        )
        return Outcome.OK, user.address

    def _remembered(self, user: User, password: str) -> bool:
        known = self._verified.get(user.address)
        if known is None or known.until < self.clock() or known.password_hash != user.password_hash:
            return False
        return hmac.compare_digest(known.digest, self._digest(password))

    def _digest(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode("utf-8"), hashlib.sha256).digest()

    async def _rehash(self, user: User, password: str) -> str:
        new_hash = await asyncio.to_thread(hash_password, password)
        await self.directory.db.write(
            lambda session: session.execute(
                update(User).where(User.id == user.id).values(password_hash=new_hash)
            )
        )
        return new_hash
