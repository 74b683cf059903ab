"""Figures, time expressions, places and events; room for longer pipeline versions.

Revision ID: 0003
Revises: 0002
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _span_columns() -> list[sa.Column[Any]]:
    """The columns every finding table starts with: its document and its words."""
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("span_start", sa.Integer, nullable=False),
        sa.Column("span_end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("analyses") as batch:
        batch.alter_column(
            "pipeline_version", type_=sa.String(64), existing_type=sa.String(32), nullable=False
        )
    op.create_table(
        "figures",
        *_span_columns(),
        sa.Column("best", sa.Float),
        sa.Column("low", sa.Float),
        sa.Column("high", sa.Float),
        sa.Column("qualifier", sa.String(16), nullable=False),
        sa.Column("figure_class", sa.String(16), nullable=False),
        sa.Column("unit", sa.Text),
        sa.Column("implausible", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_table(
        "time_expressions",
        *_span_columns(),
        sa.Column("start_date", sa.Date),
        sa.Column("end_date", sa.Date),
        sa.Column("precision", sa.String(8), nullable=False),
        sa.Column("relative", sa.Boolean, nullable=False),
        sa.Column("duration", sa.String(32)),
        sa.Column("implausible", sa.Boolean, nullable=False),
    )
    op.create_table(
        "places",
        *_span_columns(),
        sa.Column("name", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("feature_type", sa.String(24)),
        sa.Column("country", sa.Text),
        sa.Column("admin1", sa.Text),
        sa.Column("geo_precision", sa.Integer),
        sa.Column("gazetteer_id", sa.String(64)),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("event_type", sa.String(48), nullable=False),
        sa.Column("sub_event_type", sa.String(64)),
        sa.Column("actor1", sa.Text),
        sa.Column("actor2", sa.Text),
        sa.Column("event_date", sa.Date),
        sa.Column("date_precision", sa.String(8)),
        sa.Column("country", sa.Text),
        sa.Column("admin1", sa.Text),
        sa.Column("location", sa.Text),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("geo_precision", sa.Integer),
        sa.Column("fatalities", sa.Float),
        sa.Column("injured", sa.Float),
        sa.Column("is_tally", sa.Boolean, nullable=False),
        sa.Column("claimed_by", sa.Text),
        sa.Column("sentence_start", sa.Integer, nullable=False),
        sa.Column("sentence_end", sa.Integer, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    for table in ("figures", "time_expressions", "places", "events"):
        op.create_index(f"ix_{table}_document_id", table, ["document_id"])


def downgrade() -> None:
    for table in ("events", "places", "time_expressions", "figures"):
        op.drop_index(f"ix_{table}_document_id", table)
        op.drop_table(table)
    with op.batch_alter_table("analyses") as batch:
        batch.alter_column(
            "pipeline_version", type_=sa.String(32), existing_type=sa.String(64), nullable=False
        )
