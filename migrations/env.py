"""Alembic environment: migrations run on a connection govmail hands over (govmail migrate)."""

from alembic import context

from govmail.store.models import Base
from govmail.store.textindex import modelled

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `govmail migrate`, which connects with govmail.toml")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only ALTER a table by rebuilding it
    compare_type=True,
    include_name=modelled,  # the trigram index lives outside the models
)
with context.begin_transaction():
    context.run_migrations()
