-- Foundation: settings, the division tree, accounts with region-bound roles, sessions,
-- first-admin setup links and the audit log.

CREATE TABLE settings (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- One row per division unit (NBS statistical division code, 2023).
-- code: 6 digits for region, league and banner (150000, 150100, 150102), 9 for township,
-- 12 for village; the subtree of a unit is the code range that starts with its prefix.
CREATE TABLE regions (
	code TEXT PRIMARY KEY,
	parent_code TEXT REFERENCES regions (code),
	level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	name_mn TEXT NOT NULL DEFAULT '',
	population BIGINT CHECK (population IS NULL OR population >= 0),
	population_year INTEGER
);
CREATE INDEX regions_parent ON regions (parent_code);
CREATE INDEX regions_level ON regions (level, code);

CREATE TABLE accounts (
	id {{id}},
	username TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	disabled BOOLEAN NOT NULL DEFAULT FALSE,
	created_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id)
);

-- A role bound to a region subtree: the account may see and change records whose region
-- code lies in the subtree of region_code.
CREATE TABLE role_grants (
	account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	role TEXT NOT NULL,
	region_code TEXT NOT NULL REFERENCES regions (code),
	granted_at {{time}} NOT NULL,
	PRIMARY KEY (account_id, role, region_code)
);
CREATE INDEX role_grants_region ON role_grants (region_code);

-- Server-side sessions; the cookie holds a random token, the table its SHA-256.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	created_at {{time}} NOT NULL,
	last_seen_at {{time}} NOT NULL,
	expires_at {{time}} NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions (account_id);

-- One-time links that create the first region admin of an empty installation.
CREATE TABLE setup_tokens (
	token_hash TEXT PRIMARY KEY,
	created_at {{time}} NOT NULL,
	expires_at {{time}} NOT NULL,
	used_at {{time}}
);

-- Who did what and when: logins, failed logins, accounts created, settings changed.
CREATE TABLE audit_log (
	id {{id}},
	at {{time}} NOT NULL,
	account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
