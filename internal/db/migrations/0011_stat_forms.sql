-- Annual statistics forms (issue 8, internal/stats/forms): one form per reporting unit per
-- year, in the layout of the national science-popularization statistics (全国科普统计).
--
-- unit_key names the reporting unit: an association by its division code ("152502"), a venue
-- by its registry kind and id ("museums-17"); region_code is where the unit sits (scope and
-- summaries use it). figures, prefilled and remarks are JSON objects keyed by the layout's
-- field codes (KR01, KJ02, …): figures the values as filed (integers), prefilled what the
-- records gave when the form was opened, remarks the filer's explanations. A form is locked
-- once accepted; imported forms (earlier years, from .xlsx) are accepted on import.

CREATE TABLE stat_forms (
	id {{id}},
	unit_key TEXT NOT NULL,
	unit_kind TEXT NOT NULL CHECK (unit_kind IN ('association', 'venue')),
	unit_name TEXT NOT NULL,
	region_code TEXT NOT NULL REFERENCES regions (code),
	year INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'accepted', 'returned')),
	figures TEXT NOT NULL DEFAULT '{}',
	prefilled TEXT NOT NULL DEFAULT '{}',
	remarks TEXT NOT NULL DEFAULT '{}',
	reasons TEXT NOT NULL DEFAULT '',
	imported BOOLEAN NOT NULL DEFAULT FALSE,
	submitted_by BIGINT REFERENCES accounts (id),
	reviewed_by BIGINT REFERENCES accounts (id),
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	UNIQUE (unit_key, year)
);
CREATE INDEX stat_forms_year_region ON stat_forms (year, region_code);

-- The form's workflow steps, oldest first: who did what, with the reviewer's reasons.
CREATE TABLE stat_form_events (
	id {{id}},
	form_id BIGINT NOT NULL REFERENCES stat_forms (id),
	at {{time}} NOT NULL,
	account_id BIGINT REFERENCES accounts (id),
	action TEXT NOT NULL,
	reasons TEXT NOT NULL DEFAULT ''
);
CREATE INDEX stat_form_events_form ON stat_form_events (form_id, id);
