-- Activities and participation (issue 4): activity records with their versions and review
-- steps, photos, public sign-up with QR tickets and check-ins, volunteer shifts and hours, and
-- request–dispatch service orders.
--
-- An activity is a series of versions: the first row's id is the series_id of every version.
-- A correction of an accepted record is a new row (version + 1, previous_id → the old row);
-- the old one stays as it was and is marked superseded when the correction is accepted.
-- Sign-ups and check-ins belong to the series; verified_attendance (distinct tickets checked in)
-- is kept on every row of the series by the check-in that adds one, so that roll-ups read one
-- table. Times are UTC; starts_on is the local (China Standard Time) date of the start, which
-- the roll-ups group by month, quarter and year.

CREATE TABLE activity_imports (
	id {{id}},
	file_name TEXT NOT NULL,
	account_id BIGINT REFERENCES accounts (id),
	at {{time}} NOT NULL,
	created INTEGER NOT NULL
);

CREATE TABLE activities (
	id {{id}},
	series_id BIGINT,
	version INTEGER NOT NULL DEFAULT 1,
	previous_id BIGINT REFERENCES activities (id),
	region_code TEXT NOT NULL REFERENCES regions (code),
	title TEXT NOT NULL,
	type TEXT NOT NULL,
	organizer TEXT NOT NULL,
	venue TEXT NOT NULL DEFAULT '',
	starts_at {{time}} NOT NULL,
	ends_at {{time}} NOT NULL,
	starts_on TEXT NOT NULL,
	mode TEXT NOT NULL CHECK (mode IN ('offline', 'online', 'both')),
	programmes TEXT NOT NULL DEFAULT '',
	partners TEXT NOT NULL DEFAULT '',
	target_groups TEXT NOT NULL DEFAULT '',
	sessions INTEGER NOT NULL DEFAULT 1,
	declared_attendance BIGINT NOT NULL DEFAULT 0,
	verified_attendance BIGINT NOT NULL DEFAULT 0,
	live_viewers BIGINT NOT NULL DEFAULT 0,
	replay_views BIGINT NOT NULL DEFAULT 0,
	capacity INTEGER NOT NULL DEFAULT 0,
	walkin_allowance INTEGER NOT NULL DEFAULT 0,
	signup_open BOOLEAN NOT NULL DEFAULT FALSE,
	report TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'reviewed', 'accepted', 'returned')),
	reason TEXT NOT NULL DEFAULT '',
	submitted_by BIGINT REFERENCES accounts (id),
	reviewed_by BIGINT REFERENCES accounts (id),
	superseded_at {{time}},
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_by BIGINT REFERENCES accounts (id),
	import_id BIGINT REFERENCES activity_imports (id),
	deleted_at {{time}}
);
CREATE INDEX activities_region ON activities (region_code, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_series ON activities (series_id, version);
-- A report row is matched to a record already on file by unit, title and start.
CREATE INDEX activities_key ON activities (region_code, title, starts_at) WHERE deleted_at IS NULL;
-- The roll-up reads the accepted, current records of a period.
CREATE INDEX activities_current ON activities (starts_on, region_code) WHERE status = 'accepted' AND superseded_at IS NULL AND deleted_at IS NULL;
-- One open correction per series at a time.
CREATE UNIQUE INDEX activities_one_open ON activities (series_id) WHERE status IN ('draft', 'submitted', 'reviewed', 'returned') AND deleted_at IS NULL;

-- Programme tags and target groups, one row each, for the roll-up by programme and group.
CREATE TABLE activity_programmes (
	activity_id BIGINT NOT NULL REFERENCES activities (id),
	programme TEXT NOT NULL,
	PRIMARY KEY (activity_id, programme)
);
CREATE INDEX activity_programmes_tag ON activity_programmes (programme);
CREATE TABLE activity_target_groups (
	activity_id BIGINT NOT NULL REFERENCES activities (id),
	target_group TEXT NOT NULL,
	PRIMARY KEY (activity_id, target_group)
);

-- Who did what to which version when: create, submit, review, accept, return, correct.
CREATE TABLE activity_steps (
	id {{id}},
	activity_id BIGINT NOT NULL REFERENCES activities (id),
	step TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	at {{time}} NOT NULL,
	account_id BIGINT REFERENCES accounts (id)
);
CREATE INDEX activity_steps_activity ON activity_steps (activity_id, id);

CREATE TABLE activity_photos (
	id {{id}},
	activity_id BIGINT NOT NULL REFERENCES activities (id),
	content_type TEXT NOT NULL,
	data {{blob}} NOT NULL,
	size INTEGER NOT NULL,
	created_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id)
);
CREATE INDEX activity_photos_activity ON activity_photos (activity_id, id);

-- Public sign-up: one row per ticket. status: confirmed (holds a place), waitlisted (position
-- in the queue by id), cancelled. Walk-ins are tickets made at the door by staff.
CREATE TABLE registrations (
	id {{id}},
	activity_id BIGINT NOT NULL REFERENCES activities (id),
	name TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
	walk_in BOOLEAN NOT NULL DEFAULT FALSE,
	nonce TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	cancelled_at {{time}}
);
CREATE INDEX registrations_activity ON registrations (activity_id, status, id);
CREATE UNIQUE INDEX registrations_phone ON registrations (activity_id, phone) WHERE status <> 'cancelled' AND phone <> '';

-- A check-in: at most one per ticket, so a repeated scan or a re-uploaded batch adds nothing.
CREATE TABLE checkins (
	registration_id BIGINT PRIMARY KEY REFERENCES registrations (id),
	activity_id BIGINT NOT NULL REFERENCES activities (id),
	scanned_at {{time}} NOT NULL,
	recorded_at {{time}} NOT NULL,
	device TEXT NOT NULL DEFAULT '',
	account_id BIGINT REFERENCES accounts (id)
);
CREATE INDEX checkins_activity ON checkins (activity_id, scanned_at);

-- Volunteer shifts: a slot of an activity (or of a team's own service) needing a headcount.
CREATE TABLE volunteer_shifts (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	team_id BIGINT NOT NULL REFERENCES volunteer_teams (id),
	activity_id BIGINT REFERENCES activities (id),
	title TEXT NOT NULL,
	starts_at {{time}} NOT NULL,
	ends_at {{time}} NOT NULL,
	headcount INTEGER NOT NULL,
	created_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id)
);
CREATE INDEX volunteer_shifts_region ON volunteer_shifts (region_code, starts_at);
CREATE INDEX volunteer_shifts_team ON volunteer_shifts (team_id, starts_at);

-- A volunteer's place on a shift and, after the activity, the hours the team admin confirms:
-- minutes worked, status pending / approved / declined (with a reason). volunteer_id is NULL
-- for anonymous walk-in hours, which carry a name only. starts_at/ends_at are the time actually
-- served, used to refuse overlapping hours of one volunteer. recorded_* is who entered the time
-- served (status → pending); confirmed_* is who approved or declined it, another account.
CREATE TABLE volunteer_hours (
	id {{id}},
	shift_id BIGINT NOT NULL REFERENCES volunteer_shifts (id),
	volunteer_id BIGINT REFERENCES volunteers (id),
	walk_in_name TEXT NOT NULL DEFAULT '',
	signup_status TEXT NOT NULL CHECK (signup_status IN ('signed_up', 'cancelled')),
	starts_at {{time}},
	ends_at {{time}},
	minutes INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL CHECK (status IN ('open', 'pending', 'approved', 'declined')),
	reason TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	recorded_at {{time}},
	recorded_by BIGINT REFERENCES accounts (id),
	confirmed_at {{time}},
	confirmed_by BIGINT REFERENCES accounts (id)
);
CREATE UNIQUE INDEX volunteer_hours_once ON volunteer_hours (shift_id, volunteer_id) WHERE volunteer_id IS NOT NULL AND signup_status = 'signed_up';
CREATE INDEX volunteer_hours_volunteer ON volunteer_hours (volunteer_id, starts_at);
-- The award report reads (status, volunteer, minutes) of a period's shifts from this index alone.
CREATE INDEX volunteer_hours_shift ON volunteer_hours (shift_id, status, volunteer_id, minutes);

-- Service orders (点单 / 派单 / 接单 / 评单): a township, school or community asks; the banner
-- association reviews and dispatches to a volunteer team or an expert team; the team accepts,
-- serves (as a linked activity), reports; the requester rates.
CREATE TABLE service_orders (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	requester_kind TEXT NOT NULL CHECK (requester_kind IN ('township', 'school', 'community')),
	requester_name TEXT NOT NULL,
	topic TEXT NOT NULL,
	place TEXT NOT NULL,
	window_start {{time}} NOT NULL,
	window_end {{time}} NOT NULL,
	audience INTEGER NOT NULL,
	language TEXT NOT NULL CHECK (language IN ('zh', 'mn', 'both')),
	status TEXT NOT NULL CHECK (status IN ('submitted', 'in_review', 'dispatched', 'accepted', 'in_service', 'done', 'rejected', 'cancelled')),
	team_kind TEXT CHECK (team_kind IN ('volunteer', 'expert')),
	team_id BIGINT,
	-- The dispatched team's unit, copied at dispatch: the team side (staff whose scope contains
	-- it) sees and acts on the order without this domain reading the registry's tables.
	team_region_code TEXT REFERENCES regions (code),
	activity_id BIGINT REFERENCES activities (id),
	report TEXT NOT NULL DEFAULT '',
	rating INTEGER CHECK (rating BETWEEN 1 AND 5),
	rating_comment TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	updated_at {{time}} NOT NULL
);
CREATE INDEX service_orders_region ON service_orders (region_code, id);
CREATE INDEX service_orders_status ON service_orders (status, id);
CREATE INDEX service_orders_team_region ON service_orders (team_region_code, id) WHERE team_region_code IS NOT NULL;

CREATE TABLE service_order_events (
	id {{id}},
	order_id BIGINT NOT NULL REFERENCES service_orders (id),
	-- submit, review, reject, dispatch, reassign, cancel, accept, start, finish, rate
	-- (activity.OrderTransitions); from_status is '' for submit.
	action TEXT NOT NULL,
	from_status TEXT NOT NULL,
	to_status TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	at {{time}} NOT NULL,
	account_id BIGINT REFERENCES accounts (id)
);
CREATE INDEX service_order_events_order ON service_order_events (order_id, id);
