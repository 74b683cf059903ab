"""Indexes the web views read by, so a page costs the same on 10,000 documents as on 10.

The newest analysis, linking run and claims rebuild (the web's cache fingerprint) are
index look-ups; the claims list is read in its order a page at a time; events are
filtered and ordered by date, type and country; a speaker's quotes are found by name.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# name: (table, columns); the same indexes are declared on the models in store/schema.py.
INDEXES: dict[str, tuple[str, list[str | sa.TextClause]]] = {
    "ix_analyses_analysed_at": ("analyses", ["analysed_at"]),
    "ix_reuse_linked_linked_at": ("reuse_linked", ["linked_at"]),
    "ix_claim_clusters_built_at": ("claim_clusters", ["built_at"]),
    "ix_claim_clusters_order": ("claim_clusters", [sa.text("documents DESC"), "key"]),
    "ix_claim_clusters_grade_order": (
        "claim_clusters",
        ["grade", sa.text("documents DESC"), "key"],
    ),
    "ix_events_date": ("events", ["event_date", "document_id", "id"]),
    "ix_events_type": ("events", ["event_type", "event_date", "document_id", "id"]),
    "ix_events_country": ("events", ["country", "event_date", "document_id", "id"]),
    "ix_events_actor1": ("events", ["actor1"]),
    "ix_events_actor2": ("events", ["actor2"]),
    "ix_quotes_speaker": ("quotes", ["speaker_name", "speaker_canonical"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in reversed(INDEXES.items()):
        op.drop_index(name, table)
