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

CREATE TABLE mobile_museums (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	theme TEXT,
	exhibits BIGINT,
	condition TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX mobile_museums_region ON mobile_museums (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX mobile_museums_key ON mobile_museums (name) WHERE deleted_at IS NULL;

CREATE TABLE mobile_museum_stops (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	museum_set TEXT NOT NULL,
	host_venue TEXT NOT NULL,
	start_on TEXT NOT NULL,
	end_on TEXT,
	visitors BIGINT,
	school_groups BIGINT,
	faults_opened BIGINT,
	faults_fixed BIGINT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX mobile_museum_stops_region ON mobile_museum_stops (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX mobile_museum_stops_key ON mobile_museum_stops (museum_set, start_on) WHERE deleted_at IS NULL;

CREATE TABLE science_caravans (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	vehicle_type TEXT NOT NULL,
	plate TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX science_caravans_region ON science_caravans (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX science_caravans_key ON science_caravans (name) WHERE deleted_at IS NULL;

CREATE TABLE caravan_trips (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	caravan TEXT NOT NULL,
	trip_on TEXT NOT NULL,
	places TEXT,
	km DOUBLE PRECISION,
	activities BIGINT,
	attendance BIGINT,
	materials BIGINT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX caravan_trips_region ON caravan_trips (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX caravan_trips_key ON caravan_trips (caravan, trip_on, region_code) WHERE deleted_at IS NULL;

CREATE TABLE science_estations (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	site_type TEXT NOT NULL,
	plaque_no TEXT,
	accredited_on TEXT,
	status TEXT NOT NULL DEFAULT 'accredited',
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX science_estations_region ON science_estations (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX science_estations_key ON science_estations (region_code, name) WHERE deleted_at IS NULL;

CREATE TABLE museum_school_partnerships (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	museum TEXT NOT NULL,
	school TEXT NOT NULL,
	start_on TEXT,
	programme TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX museum_school_partnerships_region ON museum_school_partnerships (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX museum_school_partnerships_key ON museum_school_partnerships (museum, school) WHERE deleted_at IS NULL;

CREATE TABLE associations (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	org_type TEXT NOT NULL,
	founded_on TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX associations_region ON associations (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX associations_key ON associations (region_code, name) WHERE deleted_at IS NULL;

CREATE TABLE partner_departments (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	joined_on TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX partner_departments_region ON partner_departments (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX partner_departments_key ON partner_departments (region_code, name) WHERE deleted_at IS NULL;

CREATE TABLE association_staff (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	phone TEXT,
	unit TEXT NOT NULL,
	position TEXT,
	employment TEXT NOT NULL,
	part_time_role TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX association_staff_region ON association_staff (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX association_staff_key ON association_staff (region_code, unit, name) WHERE deleted_at IS NULL;

CREATE TABLE lecture_members (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	unit TEXT,
	title TEXT,
	topic TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX lecture_members_region ON lecture_members (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX lecture_members_key ON lecture_members (region_code, name) WHERE deleted_at IS NULL;

CREATE TABLE expert_teams (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	tier TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX expert_teams_region ON expert_teams (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX expert_teams_key ON expert_teams (name) WHERE deleted_at IS NULL;

CREATE TABLE experts (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	phone TEXT,
	team TEXT NOT NULL,
	specialties TEXT,
	languages TEXT NOT NULL,
	title TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX experts_region ON experts (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX experts_key ON experts (team, name) WHERE deleted_at IS NULL;

CREATE TABLE volunteer_teams (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	field TEXT,
	founded_on TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX volunteer_teams_region ON volunteer_teams (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX volunteer_teams_key ON volunteer_teams (region_code, name) WHERE deleted_at IS NULL;

CREATE TABLE volunteers (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	phone TEXT NOT NULL,
	id_number TEXT,
	joined_on TEXT,
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES registry_imports (id),
	deleted_at {{time}}
);
CREATE INDEX volunteers_region ON volunteers (region_code, id) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX volunteers_key ON volunteers (phone) WHERE deleted_at IS NULL;
-- A volunteer's membership of a team: asked for, then approved or refused by the team's side;
-- region_code is the team's unit, which decides who may see and decide it.
CREATE TABLE volunteer_memberships (
	id {{id}},
	volunteer_id BIGINT NOT NULL REFERENCES volunteers (id),
	team_id BIGINT NOT NULL REFERENCES volunteer_teams (id),
	region_code TEXT NOT NULL REFERENCES regions (code),
	status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'left')),
	is_admin BOOLEAN NOT NULL DEFAULT FALSE,
	requested_at {{time}} NOT NULL,
	requested_by BIGINT REFERENCES accounts (id),
	decided_at {{time}},
	decided_by BIGINT REFERENCES accounts (id),
	reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX volunteer_memberships_active ON volunteer_memberships (volunteer_id, team_id) WHERE status IN ('pending', 'approved');
CREATE INDEX volunteer_memberships_team ON volunteer_memberships (team_id, status);
CREATE INDEX volunteer_memberships_volunteer ON volunteer_memberships (volunteer_id, status);

CREATE UNIQUE INDEX science_estations_plaque_no ON science_estations (plaque_no) WHERE plaque_no IS NOT NULL AND deleted_at IS NULL;
CREATE UNIQUE INDEX volunteers_id_number ON volunteers (id_number) WHERE id_number IS NOT NULL AND deleted_at IS NULL;

-- E-station accreditation: the unit applies with the five requirements and their evidence;
-- the banner association reviews and inspects on site; the league re-checks and publishes,
-- which issues the plaque number and registers the station. A refusal ends an application;
-- a new one may answer it (previous_id).
CREATE TABLE estation_applications (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	site_type TEXT NOT NULL,
	contact_name TEXT NOT NULL,
	contact_phone TEXT NOT NULL,
	req_network TEXT NOT NULL,
	req_staff TEXT NOT NULL,
	req_venue TEXT NOT NULL,
	req_activities TEXT NOT NULL,
	req_terminal TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('submitted', 'reviewed', 'rejected', 'accredited')),
	reason TEXT NOT NULL DEFAULT '',
	previous_id BIGINT REFERENCES estation_applications (id),
	station_id BIGINT REFERENCES science_estations (id),
	plaque_no TEXT,
	submitted_at {{time}} NOT NULL,
	submitted_by BIGINT REFERENCES accounts (id)
);
CREATE INDEX estation_applications_region ON estation_applications (region_code, id);

CREATE TABLE estation_application_steps (
	id {{id}},
	application_id BIGINT NOT NULL REFERENCES estation_applications (id),
	step TEXT NOT NULL,
	decision TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	inspected_on TEXT,
	at {{time}} NOT NULL,
	account_id BIGINT REFERENCES accounts (id)
);
CREATE INDEX estation_application_steps_app ON estation_application_steps (application_id, id);
