"""Claim mutations on reuse links, and the claim-sentence embeddings paraphrase reads.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reuse_links") as batch:
        batch.add_column(
            sa.Column("mutations", sa.JSON, nullable=False, server_default=sa.text("'[]'"))
        )
    op.create_table(
        "claim_embeddings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("span_start", sa.Integer, nullable=False),
        sa.Column("span_end", sa.Integer, nullable=False),
        sa.Column("model", sa.String(48), nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_claim_embeddings_document_id", "claim_embeddings", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_embeddings_document_id", "claim_embeddings")
    op.drop_table("claim_embeddings")
    with op.batch_alter_table("reuse_links") as batch:
        batch.drop_column("mutations")
