"""Persistence: SQLAlchemy models, Alembic migrations and the document store."""

from newstrace.store.database import StoreError, open_store
from newstrace.store.documents import AddOutcome, AddResult, DocumentStore

__all__ = ["AddOutcome", "AddResult", "DocumentStore", "StoreError", "open_store"]
