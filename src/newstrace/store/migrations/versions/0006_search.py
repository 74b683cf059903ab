"""Full-text search over documents, quotes and speakers.

SQLite: an FTS5 index of the documents that reads their text from the ``documents`` table
(external content), and an FTS5 table of each quote's words and its speaker's name and
description; triggers keep both in step with their tables, and existing rows are indexed
here. PostgreSQL: GIN indexes on the ``to_tsvector`` expressions that
``newstrace.web.search`` queries (the expressions must stay identical to be used).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TOKENIZE = "porter unicode61 remove_diacritics 2"
DOCUMENT_COLUMNS = "title, outlet, byline, text"
QUOTE_COLUMNS = "content_text, speaker_name, speaker_canonical, speaker_description"
QUOTE_VALUES = (
    "{row}.content_text, {row}.speaker_name, {row}.speaker_canonical, "
    "json_extract({row}.mentions, '$.speaker_description[0]')"
)

SQLITE_UP = [
    f"CREATE VIRTUAL TABLE documents_fts USING fts5({DOCUMENT_COLUMNS}, "
    f"content='documents', content_rowid='id', tokenize='{TOKENIZE}')",
    "CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN "
    f"INSERT INTO documents_fts(rowid, {DOCUMENT_COLUMNS}) "
    "VALUES (new.id, new.title, new.outlet, new.byline, new.text); END",
    "CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN "
    f"INSERT INTO documents_fts(documents_fts, rowid, {DOCUMENT_COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.outlet, old.byline, old.text); END",
    "CREATE TRIGGER documents_fts_update AFTER UPDATE ON documents BEGIN "
    f"INSERT INTO documents_fts(documents_fts, rowid, {DOCUMENT_COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.outlet, old.byline, old.text); "
    f"INSERT INTO documents_fts(rowid, {DOCUMENT_COLUMNS}) "
    "VALUES (new.id, new.title, new.outlet, new.byline, new.text); END",
    "INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')",
    f"CREATE VIRTUAL TABLE quotes_fts USING fts5({QUOTE_COLUMNS}, tokenize='{TOKENIZE}')",
    "CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN "
    f"INSERT INTO quotes_fts(rowid, {QUOTE_COLUMNS}) "
    f"VALUES (new.id, {QUOTE_VALUES.format(row='new')}); END",
    "CREATE TRIGGER quotes_fts_delete AFTER DELETE ON quotes BEGIN "
    "DELETE FROM quotes_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER quotes_fts_update AFTER UPDATE ON quotes BEGIN "
    "DELETE FROM quotes_fts WHERE rowid = old.id; "
    f"INSERT INTO quotes_fts(rowid, {QUOTE_COLUMNS}) "
    f"VALUES (new.id, {QUOTE_VALUES.format(row='new')}); END",
    f"INSERT INTO quotes_fts(rowid, {QUOTE_COLUMNS}) "
    f"SELECT quotes.id, {QUOTE_VALUES.format(row='quotes')} FROM quotes",
]
SQLITE_DOWN = [
    "DROP TRIGGER quotes_fts_update",
    "DROP TRIGGER quotes_fts_delete",
    "DROP TRIGGER quotes_fts_insert",
    "DROP TABLE quotes_fts",
    "DROP TRIGGER documents_fts_update",
    "DROP TRIGGER documents_fts_delete",
    "DROP TRIGGER documents_fts_insert",
    "DROP TABLE documents_fts",
]

# The same text as newstrace.web.search's expressions, so PostgreSQL uses these indexes.
POSTGRES_INDEXES = {
    "ix_documents_search": (
        "documents",
        "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(outlet, '') "
        "|| ' ' || coalesce(byline, '') || ' ' || text)",
    ),
    "ix_quotes_search": (
        "quotes",
        "to_tsvector('english'::regconfig, content_text || ' ' || coalesce(speaker_name, '') "
        "|| ' ' || coalesce(speaker_canonical, ''))",
    ),
    "ix_quotes_speaker_search": (
        "quotes",
        "to_tsvector('english'::regconfig, coalesce(speaker_name, '') || ' ' "
        "|| coalesce(speaker_canonical, '') || ' ' "
        "|| coalesce(mentions #>> '{speaker_description,0}', ''))",
    ),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    elif dialect == "postgresql":
        for name, (table, expression) in POSTGRES_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin (({expression}))")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif dialect == "postgresql":
        for name in POSTGRES_INDEXES:
            op.execute(f"DROP INDEX {name}")
