-- Content search (issue 5, search part), PostgreSQL half; the SQLite half, which explains the
-- columns, is 0005_content_search.sqlite.sql. doc is searched with LIKE through a pg_trgm GIN
-- index (the database must be UTF-8: Kepu's are); grams is an array of the words, searched with
-- @> through a GIN index (an array, not space-separated text as on SQLite, so that the planner
-- keeps statistics of its elements and no row is split at query time).
--
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13, so a
-- database owner may create it; when this account may not, the migration stops with a message
-- saying what the administrator has to run.
DO $$
BEGIN
	CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
	RAISE EXCEPTION 'Kepu''s content search needs the PostgreSQL extension pg_trgm, which this account cannot create (%). Ask the database administrator to install PostgreSQL''s contrib extensions and run CREATE EXTENSION pg_trgm; in this database, then start kepu again.', SQLERRM;
END
$$;

CREATE TABLE content_search (
	item_id BIGINT PRIMARY KEY REFERENCES content_items (id),
	doc TEXT NOT NULL,
	grams TEXT[] NOT NULL
);
CREATE INDEX content_search_doc ON content_search USING gin (doc gin_trgm_ops);
CREATE INDEX content_search_grams ON content_search USING gin (grams);
