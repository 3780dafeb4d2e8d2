"""Administration of domains, users and aliases: what the CLI's user/domain/alias commands do."""

from __future__ import annotations

import asyncio
import unicodedata
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from govmail.accounts.names import mailbox_key, normalize_address, normalize_domain, split_address
from govmail.accounts.passwords import hash_password
from govmail.store.db import Database
from govmail.store.mailboxes import create_default_mailboxes
from govmail.store.models import Alias, AliasMember, Domain, Mailbox, MailboxEntry, User

MIN_PASSWORD = 8


class AdminError(Exception):
    """An administrative request that cannot be carried out; the message says why."""


@dataclass(frozen=True)
class UserRow:
    address: str
    display_name: str
    disabled: bool
    messages: int


async def add_domain(db: Database, name: str) -> str:
    domain = normalize_domain(name)

    def work(session: Session) -> None:
        if session.scalar(select(Domain.id).where(Domain.name == domain)) is not None:
            raise AdminError(f"domain {domain} already exists")
        session.add(Domain(name=domain))

    await db.write(work)
    return domain


async def set_agency(db: Database, name: str, agency: str, parent: str) -> str:
    """Name the agency a domain belongs to, as its register books print it."""
    domain = normalize_domain(name)

    def work(session: Session) -> None:
        done = session.execute(
            update(Domain)
            .where(Domain.name == domain)
            .values(
                agency_name=unicodedata.normalize("NFC", agency.strip()),
                parent_agency=unicodedata.normalize("NFC", parent.strip()),
            )
        )
        if not done.rowcount:
            raise AdminError(f"no domain {domain}")

    await db.write(work)
    return domain


async def list_domains(db: Database) -> list[str]:
    return await db.read(
        lambda session: list(session.scalars(select(Domain.name).order_by(Domain.name)).all())
    )


async def add_user(db: Database, address: str, password: str, display_name: str = "") -> str:
    _check_password(password)
    key = mailbox_key(address)
    password_hash = await asyncio.to_thread(hash_password, password)

    def work(session: Session) -> None:
        domain_id = _local_domain_id(session, key)
        if session.scalar(select(User.id).where(User.address == key)) is not None:
            raise AdminError(f"user {key} already exists")
        if session.scalar(select(Alias.id).where(Alias.address == key)) is not None:
            raise AdminError(f"{key} is an alias; delete the alias first")
        user = User(
            address=key, domain_id=domain_id, display_name=display_name, password_hash=password_hash
        )
        session.add(user)
        session.flush()
        create_default_mailboxes(session, user)

    await db.write(work)
    return key


async def list_users(db: Database) -> list[UserRow]:
    def work(session: Session) -> list[UserRow]:
        counts = (
            select(Mailbox.user_id, func.count(MailboxEntry.id).label("n"))
            .join(MailboxEntry, MailboxEntry.mailbox_id == Mailbox.id)
            .group_by(Mailbox.user_id)
            .subquery()
        )
        rows = session.execute(
            select(User.address, User.display_name, User.disabled, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.user_id == User.id)
            .order_by(User.address)
        )
        return [UserRow(*row) for row in rows]

    return await db.read(work)


async def set_password(db: Database, address: str, password: str) -> None:
    _check_password(password)
    password_hash = await asyncio.to_thread(hash_password, password)

    def work(session: Session) -> None:
        _user(session, address).password_hash = password_hash

    await db.write(work)


async def set_disabled(db: Database, address: str, disabled: bool) -> None:
    def work(session: Session) -> None:
        _user(session, address).disabled = disabled

    await db.write(work)


async def delete_user(db: Database, address: str) -> None:
    """Remove a user and their mailboxes; message blobs stay until no one refers to them."""

    def work(session: Session) -> None:
        user = _user(session, address)
        mailbox_ids = select(Mailbox.id).where(Mailbox.user_id == user.id)
        session.execute(delete(MailboxEntry).where(MailboxEntry.mailbox_id.in_(mailbox_ids)))
        session.execute(delete(Mailbox).where(Mailbox.user_id == user.id))
        session.delete(user)

    await db.write(work)


async def add_alias(db: Database, address: str, members: list[str]) -> str:
    if not members:
        raise AdminError("an alias needs at least one member")
    key = mailbox_key(address)
    targets = list(dict.fromkeys(normalize_address(member) for member in members))

    def work(session: Session) -> None:
        domain_id = _local_domain_id(session, key)
        if session.scalar(select(User.id).where(User.address == key)) is not None:
            raise AdminError(f"{key} is a user; an alias cannot have the same address")
        alias = session.scalar(select(Alias).where(Alias.address == key))
        if alias is None:
            alias = Alias(address=key, domain_id=domain_id)
            session.add(alias)
            session.flush()
        existing = set(
            session.scalars(select(AliasMember.member).where(AliasMember.alias_id == alias.id))
        )
        session.add_all(
            AliasMember(alias_id=alias.id, member=target)
            for target in targets
            if target not in existing
        )

    await db.write(work)
    return key


async def list_aliases(db: Database) -> dict[str, list[str]]:
    def work(session: Session) -> dict[str, list[str]]:
        rows = session.execute(
            select(Alias.address, AliasMember.member)
            .join(AliasMember)
            .order_by(Alias.address, AliasMember.member)
        )
        aliases: dict[str, list[str]] = {}
        for address, member in rows:
            aliases.setdefault(address, []).append(member)
        return aliases

    return await db.read(work)


async def delete_alias(db: Database, address: str) -> None:
    key = mailbox_key(address)

    def work(session: Session) -> None:
        alias = session.scalar(select(Alias).where(Alias.address == key))
        if alias is None:
            raise AdminError(f"no alias {key}")
        session.delete(alias)

    await db.write(work)


def _local_domain_id(session: Session, address: str) -> int:
    _, domain = split_address(address)
    domain_id = session.scalar(select(Domain.id).where(Domain.name == domain))
    if domain_id is None:
        raise AdminError(f"domain {domain} is not served here; add it with: govmail domain add")
    return domain_id


def _user(session: Session, address: str) -> User:
    user = session.scalar(select(User).where(User.address == mailbox_key(address)))
    if user is None:
        raise AdminError(f"no user {mailbox_key(address)}")
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AdminError(f"the password must have at least {MIN_PASSWORD} characters")
