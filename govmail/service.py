"""Starts and stops every listener and worker in one asyncio loop."""

from __future__ import annotations

import asyncio
import logging
import signal
import ssl

from sqlalchemy.exc import DBAPIError

from govmail.accounts.directory import Directory
from govmail.accounts.login import Authenticator, FailureLimiter
from govmail.config import Settings, database_url
from govmail.imap.server import start_listener as start_imap_listener
from govmail.imap.session import ImapContext, Limits
from govmail.pipeline.accept import Pipeline
from govmail.register.worker import RegisterWorker
from govmail.smtp.handler import SmtpHandler
from govmail.smtp.server import start_listener
from govmail.store.blobs import BlobStore
from govmail.store.commit import Committer
from govmail.store.db import Database
from govmail.store.migrate import is_current
from govmail.store.notify import Notifier
from govmail.tls import server_context

log = logging.getLogger("govmail")


class ServiceError(Exception):
    """The server cannot start; the message says what to do."""


class Service:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(database_url(settings))
        self.blobs = BlobStore(settings.blob_dir)
        self.notifier = Notifier()
        self.register = RegisterWorker(
            self.db, self.blobs, settings.register, on_flags=self.notifier.publish
        )
        self.committer = Committer(
            self.db,
            self.blobs,
            group=settings.storage.group_commit,
            max_batch=settings.storage.group_commit_max,
            notifier=self.notifier,
            on_filed=self.register.wake,
        )
        self.servers: list[asyncio.Server] = []

    async def start(self) -> None:
        settings = self.settings
        try:
            current = await is_current(self.db)
        except DBAPIError as exc:
            raise ServiceError(
                f"cannot open the database ({exc.orig}): run `govmail init`"
            ) from None
        if not current:
            raise ServiceError("the database schema is not current: run `govmail migrate`")
        for path in (settings.tls_cert, settings.tls_key):
            if not path.is_file():
                raise ServiceError(f"{path} is missing: run `govmail init`")
        tls = server_context(settings.tls_cert, settings.tls_key)
        directory = Directory(self.db)
        authenticator = Authenticator(
            directory, FailureLimiter(settings.auth.max_failures, settings.auth.failure_window)
        )
        pipeline = Pipeline(directory, self.committer, settings.server.hostname)
        self.committer.start()
        self.register.start()
        await self._start_smtp(tls, pipeline, authenticator)
        await self._start_imap(tls, pipeline, authenticator)

    async def _start_smtp(
        self, tls: ssl.SSLContext, pipeline: Pipeline, authenticator: Authenticator
    ) -> None:
        settings = self.settings
        smtp = settings.smtp
        doors = (
            ("mx", smtp.mx, False, False),
            ("submission", smtp.submission, False, True),
            ("submissions", smtp.submissions, True, True),
        )
        for door, listen, implicit_tls, auth in doors:
            if listen is None:
                continue
            handler = SmtpHandler(pipeline, authenticator, door, smtp.max_recipients)
            server = await start_listener(
                listen,
                handler,
                hostname=settings.server.hostname,
                max_message_size=smtp.max_message_size,
                timeout=smtp.timeout,
                tls=tls,
                implicit_tls=implicit_tls,
                auth=auth,
                plaintext_auth_loopback=settings.auth.allow_plaintext_loopback,
            )
            self.servers.append(server)
            log.info("%s listening on %s", door, listen)

    async def _start_imap(
        self, tls: ssl.SSLContext, pipeline: Pipeline, authenticator: Authenticator
    ) -> None:
        settings = self.settings
        imap = settings.imap
        context = ImapContext(
            db=self.db,
            blobs=self.blobs,
            authenticator=authenticator,
            pipeline=pipeline,
            notifier=self.notifier,
            limits=Limits(
                max_literal=imap.max_append_size,
                idle_timeout=imap.idle_timeout,
                max_connections_per_user=imap.max_connections_per_user,
            ),
            plaintext_auth_loopback=settings.auth.allow_plaintext_loopback,
        )
        for door, listen, implicit_tls in (("imap", imap.imap, False), ("imaps", imap.imaps, True)):
            if listen is None:
                continue
            server = await start_imap_listener(listen, context, tls, implicit_tls)
            self.servers.append(server)
            log.info("%s listening on %s", door, listen)

    async def stop(self) -> None:
        """Stop accepting, let sessions in DATA finish their commit, then close the database."""
        for server in self.servers:
            server.close()
        await self.committer.stop()
        await self.register.stop()
        await self.db.close()
        if self.servers:
            log.info("stopped")


async def serve(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT."""
    service = Service(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await service.start()
        log.info("govmail ready as %s", settings.server.hostname)
        await stop.wait()
    finally:
        await service.stop()
