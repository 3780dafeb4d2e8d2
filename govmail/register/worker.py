"""The register's workers: text extraction and OCR in a process pool, then recognition of each
entry's metadata; never on the SMTP path, retried with backoff, failures recorded."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sqlalchemy.orm import Session

from govmail.config import RegisterSettings
from govmail.register import folders, records
from govmail.register.extract import Extraction, Limits
from govmail.register.recognise import recognise
from govmail.store.blobs import BlobStore
from govmail.store.db import Database
from govmail.store.models import utcnow

log = logging.getLogger(__name__)

# A worker process is replaced after this many documents, so a leak in a parser stays bounded.
TASKS_PER_PROCESS = 200
# Documents claimed per pass and worker process: enough to keep every process busy.
CLAIM = 8
RECOGNISE_BATCH = 100
# Without a wake-up, look again this often: retries fall due with time alone.
POLL_SECONDS = 30.0


class RegisterWorker:
    """Drains the register's pending work; wake() after a commit that filed something."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        settings: RegisterSettings,
        # Told which mailboxes a pass changed: confidential mail's flags, the register's folders.
        on_flags: Callable[[set[int]], None] | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.settings = settings
        self.on_flags = on_flags
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="register-worker")

    def wake(self) -> None:
        self._wakeup.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def _run(self) -> None:
        while True:
            self._wakeup.clear()
            try:
                busy = await self.drain_once()
            except Exception:
                log.exception("register worker pass failed")
                busy = False
            if busy:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), POLL_SECONDS)

    async def drain_once(self) -> bool:
        """One pass: extract what is due, recognise what is extracted. True if it did work."""
        extracted = await self._extract_due()
        recognised = await self._recognise_due()
        return extracted or recognised

    async def _extract_due(self) -> bool:
        now = utcnow()
        due = await self.db.read(
            lambda session: records.claim_documents(session, self.settings.processes * CLAIM, now)
        )
        if not due:
            return False
        outcomes = await asyncio.gather(*(self._extract_one(pending) for pending in due))
        # One transaction for the pass: a commit per document would cost more than a text PDF.
        await self.db.write(lambda session: self._save(session, due, outcomes))
        return True

    async def _extract_one(self, pending: records.Pending) -> Extraction | str:
        """The extraction, or why the attempt failed (the document is tried again later)."""
        try:
            data = await asyncio.to_thread(self.blobs.get, pending.sha256)
            result = await asyncio.get_running_loop().run_in_executor(
                self._executor(),
                _extract_in_process,
                data,
                pending.kind,
                pending.filename,
                self.settings.ocr,
                self.settings.ocr_timeout,
            )
        except (BrokenProcessPool, OSError, RuntimeError) as exc:
            if isinstance(exc, BrokenProcessPool):
                self._pool = None
            log.warning("extraction of document %d failed: %s", pending.id, exc)
            return f"{type(exc).__name__}: {exc}"
        log.info(
            "extracted document %d: %s, %d pages, %s",
            pending.id,
            result.kind,
            len(result.pages),
            result.status,
        )
        return result

    def _save(
        self, session: Session, due: list[records.Pending], outcomes: list[Extraction | str]
    ) -> None:
        for pending, outcome in zip(due, outcomes, strict=True):
            if isinstance(outcome, str):
                records.defer_document(
                    session, pending.id, pending.attempts, outcome, self.settings.max_attempts
                )
            else:
                records.save_extraction(session, pending.id, outcome)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Not fork: the server has threads, and a forked child would inherit their locks.
            self._pool = ProcessPoolExecutor(
                self.settings.processes,
                mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=TASKS_PER_PROCESS,
            )
        return self._pool

    async def _recognise_due(self) -> bool:
        waiting = await self.db.read(lambda session: records.unrecognised(session, RECOGNISE_BATCH))
        if not waiting:
            return False
        found = await asyncio.to_thread(lambda: [recognise(item.read.text) for item in waiting])

        def apply(session: Session) -> set[int]:
            changed: set[int] = set()
            for item, recognised in zip(waiting, found, strict=True):
                changed |= records.apply_recognition(session, item.entry_id, item.read, recognised)
            return changed

        changed = await self.db.write(apply)
        changed |= await self._show([item.entry_id for item in waiting])
        if changed and self.on_flags is not None:
            self.on_flags(changed)
        return True

    async def _show(self, entry_ids: list[int]) -> set[int]:
        """Publish the entries' views in the register's IMAP folders; returns the mailboxes."""
        try:
            return await folders.publish(self.db, self.blobs, entry_ids)
        except Exception:
            # The recognition stands; a view follows with its entry's next change or a grant.
            log.exception("showing register entries in the IMAP folders failed")
            return set()


def _extract_in_process(
    data: bytes, kind: str, filename: str, ocr: bool, ocr_timeout: float
) -> Extraction:
    # Imported in the worker process: the readers' libraries have no business in the server's.
    from govmail.register.extract import extract

    return extract(
        data, declared=kind, filename=filename, ocr=ocr, limits=Limits(ocr_timeout=ocr_timeout)
    )
