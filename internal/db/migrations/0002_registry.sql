-- Registry (issue 3): one table per kind with the common columns, the audit trail, and the
-- imports. Dates are ISO text (2006-01-02) in both databases. The (region_code, id) index of
-- each kind covers live records only, so that scoped counts and keyset pages never touch the
-- table rows they skip.

CREATE TABLE registry_imports (
	id {{id}},
	kind TEXT NOT NULL,
	file_name TEXT NOT NULL,
	account_id BIGINT REFERENCES accounts (id),
	at {{time}} NOT NULL,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL
);

-- Who changed which record when, and which fields from what to what (JSON).
CREATE TABLE registry_audit (
	id {{id}},
	kind TEXT NOT NULL,
	record_id BIGINT NOT NULL,
	at {{time}} NOT NULL,
	account_id BIGINT REFERENCES accounts (id),
	action TEXT NOT NULL,
	changes TEXT NOT NULL DEFAULT ''
);
CREATE INDEX registry_audit_record ON registry_audit (kind, record_id, id);

CREATE TABLE science_museums (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	tier TEXT NOT NULL,
	floor_area DOUBLE PRECISION,
	exhibits BIGINT,
	opening_status TEXT,
	science_tourism BOOLEAN,
	science_culture BOOLEAN,
	has_library BOOLEAN,
	library_holdings BIGINT,
	address TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX science_museums_region ON science_museums (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX science_museums_key ON science_museums (region_code, name) WHERE deleted_at IS NULL;

CREATE TABLE education_bases (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	category TEXT NOT NULL,
	accredited_on TEXT NOT NULL,
	address TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX education_bases_region ON education_bases (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX education_bases_key ON education_bases (region_code, name) WHERE deleted_at IS NULL;

CREATE TABLE information_officers (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	phone TEXT NOT NULL,
	registered_on TEXT,
	status TEXT NOT NULL DEFAULT 'active',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX information_officers_region ON information_officers (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX information_officers_key ON information_officers (phone) WHERE deleted_at IS NULL;
