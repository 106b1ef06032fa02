-- Information officers' tracked sharing (issue 6), package internal/share.
--
-- Days are China calendar dates (UTC+8) 'YYYY-MM-DD', months 'YYYY-MM'. Officers are the
-- registry's information_officers, referred to by id; share never reads that table, it keeps
-- what it needs (the unit) in its own rows, copied through registry's exported functions.

-- An officer who has a sign-in code for the sharing page: the code is issued by staff of the
-- officer's unit (shown once; only its SHA-256 is kept).
CREATE TABLE share_officers (
	officer_id BIGINT PRIMARY KEY REFERENCES information_officers (id),
	region_code TEXT NOT NULL REFERENCES regions (code),
	code_hash TEXT NOT NULL,
	issued_at {{time}} NOT NULL,
	issued_by BIGINT REFERENCES accounts (id)
);

-- A personal short link /s/{code}: one per (officer, item). Taking it is a share.
CREATE TABLE share_links (
	code TEXT PRIMARY KEY,
	officer_id BIGINT NOT NULL REFERENCES information_officers (id),
	item_id BIGINT NOT NULL REFERENCES content_items (id),
	region_code TEXT NOT NULL REFERENCES regions (code),
	created_at {{time}} NOT NULL,
	UNIQUE (officer_id, item_id)
);

-- Raw clicks, append-only. visitor is the hex SHA-256 (first 16 bytes) of the day's salt, the
-- address and the User-Agent; subnet is the address's /24 (IPv4) or /48 (IPv6) network, kept
-- for the burst detector; reason is '' for a counted click, else why it was not counted
-- (head, unfurl, bot, datacentre, self, repeat).
CREATE TABLE share_clicks (
	id {{id}},
	link_code TEXT NOT NULL,
	officer_id BIGINT NOT NULL,
	item_id BIGINT NOT NULL,
	region_code TEXT NOT NULL,
	at {{time}} NOT NULL,
	day TEXT NOT NULL,
	visitor TEXT NOT NULL,
	subnet TEXT NOT NULL,
	ua_class TEXT NOT NULL,
	referrer TEXT NOT NULL,
	reason TEXT NOT NULL
);
CREATE INDEX share_clicks_day ON share_clicks (day, visitor);

-- The roll-up cursor: every raw click with an id up to last_click is in the roll-ups below.
-- Clicks are written by group commit and rolled up right after (share.Store.RollUp), the
-- cursor moving in the same transaction as the roll-ups, so each click is counted once.
CREATE TABLE share_rollup_state (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	last_click BIGINT NOT NULL
);
INSERT INTO share_rollup_state (id, last_click) VALUES (1, 0);

-- The salt of the current day's visitor hashes; rows of past days are deleted (share.Recorder).
CREATE TABLE share_salts (
	day TEXT PRIMARY KEY,
	salt {{blob}} NOT NULL
);

-- Devices (visitor hashes of the day) an officer signed in or took links from: what marks an
-- officer's own clicks, and what the device-farm detector reads.
CREATE TABLE share_devices (
	day TEXT NOT NULL,
	visitor TEXT NOT NULL,
	officer_id BIGINT NOT NULL,
	PRIMARY KEY (day, visitor, officer_id)
);

-- Daily check-ins of officers (streaks).
CREATE TABLE share_checkins (
	officer_id BIGINT NOT NULL,
	day TEXT NOT NULL,
	PRIMARY KEY (officer_id, day)
);

-- Roll-up per (officer, item, day), with the officer's unit: shares, counted clicks and the
-- clicks not counted by reason. Shares are added when a link is taken, clicks by the roll-up.
CREATE TABLE share_daily (
	officer_id BIGINT NOT NULL,
	item_id BIGINT NOT NULL,
	day TEXT NOT NULL,
	region_code TEXT NOT NULL,
	shares BIGINT NOT NULL DEFAULT 0,
	clicks BIGINT NOT NULL DEFAULT 0,
	head BIGINT NOT NULL DEFAULT 0,
	unfurl BIGINT NOT NULL DEFAULT 0,
	bot BIGINT NOT NULL DEFAULT 0,
	datacentre BIGINT NOT NULL DEFAULT 0,
	self BIGINT NOT NULL DEFAULT 0,
	repeat BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (officer_id, item_id, day)
);
CREATE INDEX share_daily_day ON share_daily (day, region_code);

-- Roll-up per (officer, month): what officer rankings, points and monthly actives read.
-- points = shares × 2 + counted clicks (share.Points); held counts the confirmed review cases
-- that set the month's counts aside (0: none).
CREATE TABLE share_officer_months (
	officer_id BIGINT NOT NULL,
	month TEXT NOT NULL,
	region_code TEXT NOT NULL,
	shares BIGINT NOT NULL DEFAULT 0,
	clicks BIGINT NOT NULL DEFAULT 0,
	flagged BIGINT NOT NULL DEFAULT 0,
	points BIGINT NOT NULL DEFAULT 0,
	held INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (officer_id, month)
);
CREATE INDEX share_officer_months_region ON share_officer_months (month, region_code);
CREATE INDEX share_officer_months_points ON share_officer_months (month, points, officer_id);

-- Roll-up per (unit, month), at the officers' own units (villages mostly): what region rankings
-- and monthly figures read. actives counts officers with a share or a click that month;
-- held_clicks / held_shares are the counts of confirmed cases, set aside (not subtracted from
-- clicks, so that a dismissal restores them exactly).
CREATE TABLE share_region_months (
	region_code TEXT NOT NULL REFERENCES regions (code),
	month TEXT NOT NULL,
	shares BIGINT NOT NULL DEFAULT 0,
	clicks BIGINT NOT NULL DEFAULT 0,
	head BIGINT NOT NULL DEFAULT 0,
	unfurl BIGINT NOT NULL DEFAULT 0,
	bot BIGINT NOT NULL DEFAULT 0,
	datacentre BIGINT NOT NULL DEFAULT 0,
	self BIGINT NOT NULL DEFAULT 0,
	repeat BIGINT NOT NULL DEFAULT 0,
	actives BIGINT NOT NULL DEFAULT 0,
	held_clicks BIGINT NOT NULL DEFAULT 0,
	held_shares BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (month, region_code)
);
-- Covering: a unit's month is summed from the index alone (no table lookups, about 13,600 villages).
CREATE INDEX share_region_months_cover ON share_region_months (month, region_code, shares, clicks, head, unfurl, bot, datacentre, self, repeat,
	actives, held_clicks, held_shares);

-- Registered officers per unit as last counted from the registry (share.Store.RefreshRegistrations):
-- what rankings by registrations and by share of population read, instead of counting 580,000
-- registry rows on every page.
CREATE TABLE share_registrations (
	region_code TEXT PRIMARY KEY REFERENCES regions (code),
	officers BIGINT NOT NULL,
	counted_at {{time}} NOT NULL
);
CREATE INDEX share_registrations_cover ON share_registrations (region_code, officers);

-- Anti-gaming review queue: what a detector found, with its evidence (JSON), and the decision.
CREATE TABLE share_cases (
	id {{id}},
	kind TEXT NOT NULL CHECK (kind IN ('burst', 'device_farm', 'ratio', 'bulk_registration')),
	officer_id BIGINT NOT NULL,
	region_code TEXT NOT NULL REFERENCES regions (code),
	month TEXT NOT NULL,
	evidence TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'dismissed')),
	found_at {{time}} NOT NULL,
	UNIQUE (kind, officer_id, month)
);
CREATE INDEX share_cases_region ON share_cases (status, region_code);

-- Every review decision, never deleted.
CREATE TABLE share_case_log (
	id {{id}},
	case_id BIGINT NOT NULL REFERENCES share_cases (id),
	action TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	account_id BIGINT REFERENCES accounts (id),
	at {{time}} NOT NULL
);
CREATE INDEX share_case_log_case ON share_case_log (case_id, id);

-- The national platform's back-office figures per unit and month, imported from CSV; shown
-- beside Kepu's own counts, never added to them.
CREATE TABLE share_national (
	region_code TEXT NOT NULL REFERENCES regions (code),
	month TEXT NOT NULL,
	officers BIGINT NOT NULL DEFAULT 0,
	shares BIGINT NOT NULL DEFAULT 0,
	clicks BIGINT NOT NULL DEFAULT 0,
	imported_at {{time}} NOT NULL,
	imported_by BIGINT REFERENCES accounts (id),
	PRIMARY KEY (month, region_code)
);
