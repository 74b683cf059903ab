"""Claims: clusters with their grade and evidence, and their members by document.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_clusters",
        sa.Column("key", sa.String(48), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("grade", sa.String(40), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("documents", sa.Integer, nullable=False),
        sa.Column("origins", sa.Integer, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("built_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_claim_clusters_grade", "claim_clusters", ["grade"])
    op.create_table(
        "claim_members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "cluster_key", sa.String(48), sa.ForeignKey("claim_clusters.key"), nullable=False
        ),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("span_start", sa.Integer, nullable=False),
        sa.Column("span_end", sa.Integer, nullable=False),
    )
    op.create_index("ix_claim_members_cluster_key", "claim_members", ["cluster_key"])
    op.create_index("ix_claim_members_document_id", "claim_members", ["document_id"])


def downgrade() -> None:
    op.drop_index("ix_claim_members_document_id", "claim_members")
    op.drop_index("ix_claim_members_cluster_key", "claim_members")
    op.drop_table("claim_members")
    op.drop_index("ix_claim_clusters_grade", "claim_clusters")
    op.drop_table("claim_clusters")
