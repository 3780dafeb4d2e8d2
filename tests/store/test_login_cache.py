"""The authenticator remembers verified passwords for a while, and forgets them when the
password changes, the account is disabled, or the time is up."""

from __future__ import annotations

from unittest import mock

from govmail.accounts import admin
from govmail.accounts.directory import Directory
from govmail.accounts.login import VERIFIED_SECONDS, Authenticator, FailureLimiter, Outcome
from govmail.store.blobs import BlobStore
from govmail.store.db import Database
from tests.store.helpers import run

ADDRESS = "an@songlam.gov.vn"


def test_remembered_password_skips_the_hash_until_it_changes(make_store):
    now = [0.0]

    async def test(db: Database, _: BlobStore) -> list[object]:
        await admin.add_user(db, ADDRESS, "mat-khau-1")
        auth = Authenticator(Directory(db), FailureLimiter(5, 900), clock=lambda: now[0])
        seen = [await auth.login(ADDRESS, "mat-khau-1", "127.0.0.1")]
        with mock.patch("govmail.accounts.login.verify_password") as verify:
            seen.append(await auth.login(ADDRESS, "mat-khau-1", "127.0.0.1"))
            seen.append(verify.call_count)
            verify.return_value = False
            seen.append(await auth.login(ADDRESS, "sai", "127.0.0.1"))
        await admin.set_password(db, ADDRESS, "mat-khau-2")
        seen.append(await auth.login(ADDRESS, "mat-khau-1", "127.0.0.1"))
        seen.append(await auth.login(ADDRESS, "mat-khau-2", "127.0.0.1"))
        now[0] += VERIFIED_SECONDS + 1
        with mock.patch("govmail.accounts.login.verify_password", return_value=True) as verify:
            await auth.login(ADDRESS, "mat-khau-2", "127.0.0.1")
            seen.append(verify.call_count)
        await admin.set_disabled(db, ADDRESS, True)
        seen.append(await auth.login(ADDRESS, "mat-khau-2", "127.0.0.1"))
        return seen

    ok = (Outcome.OK, ADDRESS)
    invalid = (Outcome.INVALID, None)
    assert run(make_store, test) == [ok, ok, 0, invalid, invalid, ok, 1, invalid]
