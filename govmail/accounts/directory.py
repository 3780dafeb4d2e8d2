"""Address look-ups: local domains, users, aliases and distribution lists, sender ownership."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from govmail.accounts.names import InvalidName, mailbox_key, split_address
from govmail.store.db import Database
from govmail.store.models import Alias, AliasMember, Domain, User

MAX_ALIAS_DEPTH = 10
# Domains change rarely and are asked about at every RCPT: a domain added with the CLI is
# served within this many seconds.
DOMAIN_CACHE_SECONDS = 5.0


class Kind(enum.Enum):
    LOCAL = "local"
    REMOTE = "remote"
    UNKNOWN = "unknown"
    DISABLED = "disabled"
    INVALID = "invalid"


@dataclass
class Lookup:
    """Where mail to one address goes: local users, remote addresses, or nowhere."""

    kind: Kind
    user_ids: set[int] = field(default_factory=set)
    remote: list[str] = field(default_factory=list)


class Directory:
    def __init__(self, db: Database, clock: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self.clock = clock
        self._domains: frozenset[str] = frozenset()
        self._domains_until = float("-inf")

    async def local_domains(self) -> frozenset[str]:
        if self.clock() >= self._domains_until:
            self._domains = await self.db.read(
                lambda session: frozenset(session.scalars(select(Domain.name)).all())
            )
            self._domains_until = self.clock() + DOMAIN_CACHE_SECONDS
        return self._domains

    async def resolve(self, address: str) -> Lookup:
        """Expand *address* through aliases to the users and remote addresses it reaches."""
        try:
            _, domain = split_address(address)
        except InvalidName:
            return Lookup(Kind.INVALID)
        domains = await self.local_domains()
        if domain not in domains:
            return Lookup(Kind.REMOTE, remote=[address])
        return await self.db.read(lambda session: _resolve_local(session, address, domains))

    async def user(self, address: str) -> User | None:
        try:
            key = mailbox_key(address)
        except InvalidName:
            return None
        return await self.db.read(lambda session: session.scalar(_USER, {"key": key}))

    async def may_send_as(self, user_address: str, sender: str) -> bool:
        """A user may send as their own address or as an alias they are a direct member of."""
        try:
            key = mailbox_key(sender)
        except InvalidName:
            return False
        if key == user_address:
            return True
        members = await self.db.read(lambda session: _members(session, key))
        return any(mailbox_key(member) == user_address for member in members)


# Built once: these run at every RCPT.
_USER = select(User).where(User.address == bindparam("key"))
_MEMBERS = select(AliasMember.member).join(Alias).where(Alias.address == bindparam("key"))


def _resolve_local(session: Session, address: str, domains: frozenset[str]) -> Lookup:
    key = mailbox_key(address)
    user = session.scalar(_USER, {"key": key})
    if user is not None:
        return Lookup(Kind.DISABLED if user.disabled else Kind.LOCAL, user_ids={user.id})
    members = _members(session, key)
    if not members:
        return Lookup(Kind.UNKNOWN)
    result = Lookup(Kind.LOCAL)
    _expand(session, members, domains, result, seen={key}, depth=1)
    return result


def _expand(
    session: Session,
    members: list[str],
    domains: frozenset[str],
    into: Lookup,
    seen: set[str],
    depth: int,
) -> None:
    # Disabled users and unknown local members are skipped: the rest of the list still gets it.
    for member in members:
        if split_address(member)[1] not in domains:
            if member not in into.remote:
                into.remote.append(member)
            continue
        key = mailbox_key(member)
        user = session.scalar(_USER, {"key": key})
        if user is not None:
            if not user.disabled:
                into.user_ids.add(user.id)
        elif key not in seen and depth < MAX_ALIAS_DEPTH:
            seen.add(key)
            _expand(session, _members(session, key), domains, into, seen, depth + 1)


def _members(session: Session, alias: str) -> list[str]:
    return list(session.scalars(_MEMBERS, {"key": alias}).all())
