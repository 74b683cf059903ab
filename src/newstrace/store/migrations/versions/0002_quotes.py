"""Analyses and quotes.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analyses",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("pipeline_version", sa.String(32), nullable=False),
        sa.Column("english", sa.Boolean, nullable=False),
        sa.Column("notes", sa.JSON, nullable=False),
        sa.Column("analysed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content_start", sa.Integer, nullable=False),
        sa.Column("content_end", sa.Integer, nullable=False),
        sa.Column("content_text", sa.Text, nullable=False),
        sa.Column("speaker_kind", sa.String(24), nullable=False),
        sa.Column("speaker_name", sa.Text),
        sa.Column("speaker_canonical", sa.Text),
        sa.Column("mentions", sa.JSON, nullable=False),
    )
    op.create_index("ix_quotes_document_id", "quotes", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_quotes_document_id", "quotes")
    op.drop_table("quotes")
    op.drop_table("analyses")
