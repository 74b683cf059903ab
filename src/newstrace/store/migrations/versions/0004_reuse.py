"""Reuse between documents: indexed passages, linked documents, pairs and links.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _document() -> sa.ForeignKey:
    return sa.ForeignKey("documents.id")


def upgrade() -> None:
    op.create_table(
        "reuse_passages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, _document(), nullable=False),
        sa.Column("span_start", sa.Integer, nullable=False),
        sa.Column("span_end", sa.Integer, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_reuse_passages_document_id", "reuse_passages", ["document_id"])
    op.create_table(
        "reuse_linked",
        sa.Column("document_id", sa.Integer, _document(), primary_key=True),
        sa.Column("link_version", sa.String(32), nullable=False),
        sa.Column("linked_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "reuse_pairs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("origin_id", sa.Integer, _document(), nullable=False),
        sa.Column("derived_id", sa.Integer, _document(), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("relation", sa.String(24), nullable=False),
        sa.Column("reused_share", sa.Float, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
    )
    op.create_index("ix_reuse_pairs_origin_id", "reuse_pairs", ["origin_id"])
    op.create_index("ix_reuse_pairs_derived_id", "reuse_pairs", ["derived_id"])
    op.create_table(
        "reuse_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pair_id", sa.Integer, sa.ForeignKey("reuse_pairs.id"), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("similarity", sa.Float, nullable=False),
        sa.Column("origin_start", sa.Integer, nullable=False),
        sa.Column("origin_end", sa.Integer, nullable=False),
        sa.Column("derived_start", sa.Integer, nullable=False),
        sa.Column("derived_end", sa.Integer, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_reuse_links_pair_id", "reuse_links", ["pair_id"])


def downgrade() -> None:
    op.drop_index("ix_reuse_links_pair_id", "reuse_links")
    op.drop_table("reuse_links")
    op.drop_index("ix_reuse_pairs_derived_id", "reuse_pairs")
    op.drop_index("ix_reuse_pairs_origin_id", "reuse_pairs")
    op.drop_table("reuse_pairs")
    op.drop_table("reuse_linked")
    op.drop_index("ix_reuse_passages_document_id", "reuse_passages")
    op.drop_table("reuse_passages")
