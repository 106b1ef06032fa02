-- Assessment (issue 8, 考核评价): indicator systems defined by an admin. A system ranks the
-- units of one level (league, banner) or the venues of one kind (museum, mobile_museum,
-- caravan) inside the subtree of root_code, for one calendar year. Its items are indicators
-- (codes of the stats registry or of assess's venue figures) with a weight, a normalization
-- and an optional minimum on the raw value. Scores are computed on demand, never stored.
CREATE TABLE assess_systems (
	id {{id}},
	name TEXT NOT NULL,
	year INTEGER NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('league', 'banner', 'museum', 'mobile_museum', 'caravan')),
	root_code TEXT NOT NULL REFERENCES regions (code),
	award TEXT NOT NULL DEFAULT '',
	top_n INTEGER NOT NULL DEFAULT 0,
	created_by BIGINT REFERENCES accounts (id),
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	UNIQUE (root_code, year, name)
);
CREATE INDEX assess_systems_root ON assess_systems (root_code, year);

CREATE TABLE assess_items (
	system_id BIGINT NOT NULL REFERENCES assess_systems (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	code TEXT NOT NULL,
	weight DOUBLE PRECISION NOT NULL CHECK (weight > 0),
	norm TEXT NOT NULL CHECK (norm IN ('raw', 'capita', 'per10k', 'minmax', 'per10k_minmax')),
	minimum DOUBLE PRECISION,
	PRIMARY KEY (system_id, position)
);
