"""Register tests: the store fixtures on SQLite and PostgreSQL, and one real server per backend
that received the corpus messages and imported the corpus documents, shared by the end-to-end
modules (delivery, OCR and recognition are the slow part, done once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import BACKENDS, new_server
from tests.register.corpus import AGENCY, DOCUMENTS, deliver_corpus, wait_for_register
from tests.store.conftest import make_store  # noqa: F401
from tests.support.server import GovmailServer, provision

REGISTER_READER = "an@songlam.gov.vn"


@pytest.fixture(scope="package", params=BACKENDS)
def registered(request, tmp_path_factory) -> Iterator[GovmailServer]:
    """A server that received the corpus messages, then imported the corpus documents; an@
    has the register right."""
    root = tmp_path_factory.mktemp(f"register-{request.param}")
    server = new_server(root, request.param, request)
    provision(server)
    server.start()
    try:
        deliver_corpus(server)
        imported = server.cli(
            "register", "import", str(DOCUMENTS), "--book", "archive", "--agency", AGENCY
        )
        assert "filed 9, already in the book 0" in imported.stdout, imported.stdout
        wait_for_register(server)
        server.cli("register", "grant", REGISTER_READER)
        yield server
    finally:
        server.stop()
