"""Alembic environment: migrations run on the engine newstrace hands over.

The whole upgrade is one transaction under a write lock, taken before Alembic reads
the current revision: two processes opening a new ledger at once do not both create
it, and a process killed mid-upgrade leaves the schema as it was (SQLite's DDL is
transactional too once the transaction is opened explicitly).
"""

from alembic import context
from sqlalchemy import Engine

MIGRATION_LOCK_KEY = 0x6E657773  # PostgreSQL advisory lock: "news"

engine: Engine = context.config.attributes["engine"]

with engine.begin() as connection:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
    context.configure(connection=connection, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
