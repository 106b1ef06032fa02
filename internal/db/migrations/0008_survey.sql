-- Civic scientific literacy surveys (issue 7, instruments, collection and reports; the
-- estimation itself is the pure package internal/survey/estimate).
--
-- A survey belongs to a unit (region_code: the region, a league or a banner) and is scored by
-- one scheme: 'national2024' (100 points by dimension), 'benchmark' (50 items, 26 benchmarks,
-- literate at 60 % correct) or 'custom' (scheme_json: points per dimension and a pass mark).
CREATE TABLE survey_surveys (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	title TEXT NOT NULL,
	title_mn TEXT NOT NULL DEFAULT '',
	year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
	scheme TEXT NOT NULL CHECK (scheme IN ('national2024', 'benchmark', 'custom')),
	scheme_json TEXT NOT NULL DEFAULT '',
	demo_true_share DOUBLE PRECISION,
	created_by BIGINT REFERENCES accounts (id),
	created_at {{time}} NOT NULL
);
CREATE INDEX survey_surveys_region ON survey_surveys (region_code, year);

-- The questionnaire's items, in order. kind: 'tf' (true/false), 'single', 'multi'.
-- options: the choices, one a line, each "Chinese|Mongolian"; answer: the key as
-- comma-separated 0-based option indexes (tf: 0 = true, 1 = false). benchmark: 1–26 for
-- the benchmark scheme, 0 otherwise. points: the item's weight within its dimension.
CREATE TABLE survey_items (
	id {{id}},
	survey_id BIGINT NOT NULL REFERENCES survey_surveys (id) ON DELETE CASCADE,
	position INTEGER NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('tf', 'single', 'multi')),
	dimension TEXT NOT NULL CHECK (dimension IN ('knowledge', 'method', 'spirit', 'application')),
	benchmark INTEGER NOT NULL DEFAULT 0,
	points DOUBLE PRECISION NOT NULL DEFAULT 1 CHECK (points > 0),
	text_zh TEXT NOT NULL,
	text_mn TEXT NOT NULL DEFAULT '',
	options TEXT NOT NULL DEFAULT '',
	answer TEXT NOT NULL,
	UNIQUE (survey_id, position)
);

-- One invitation per sampled person: the link and QR carry the code; the design variables
-- are fixed here by the survey team, never typed by the respondent. A code is used once.
CREATE TABLE survey_invitations (
	code TEXT PRIMARY KEY,
	survey_id BIGINT NOT NULL REFERENCES survey_surveys (id) ON DELETE CASCADE,
	region_code TEXT NOT NULL REFERENCES regions (code),
	stratum TEXT NOT NULL,
	psu TEXT NOT NULL,
	weight DOUBLE PRECISION,
	prob1 DOUBLE PRECISION,
	prob2 DOUBLE PRECISION,
	urban BOOLEAN NOT NULL,
	sex TEXT NOT NULL,
	age_group TEXT NOT NULL,
	used_at {{time}},
	created_at {{time}} NOT NULL
);
CREATE INDEX survey_invitations_survey ON survey_invitations (survey_id, region_code);

-- A response with its design variables (weight, or the stage selection probabilities prob1 ×
-- prob2 from which the weight is derived), the respondent's classes, the answers as given
-- (answers: one line per item in position order, "" = unanswered) and the score the survey's
-- scheme gave it. region_code is the respondent's banner (or a unit below it).
CREATE TABLE survey_responses (
	id {{id}},
	survey_id BIGINT NOT NULL REFERENCES survey_surveys (id) ON DELETE CASCADE,
	invitation_code TEXT UNIQUE REFERENCES survey_invitations (code),
	mode TEXT NOT NULL CHECK (mode IN ('online', 'interview', 'import', 'demo')),
	region_code TEXT NOT NULL REFERENCES regions (code),
	stratum TEXT NOT NULL,
	psu TEXT NOT NULL,
	weight DOUBLE PRECISION NOT NULL CHECK (weight > 0),
	prob1 DOUBLE PRECISION,
	prob2 DOUBLE PRECISION,
	urban BOOLEAN NOT NULL,
	sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),
	age_group TEXT NOT NULL,
	answers TEXT NOT NULL,
	unanswered INTEGER NOT NULL,
	score DOUBLE PRECISION NOT NULL,
	level TEXT NOT NULL,
	literate BOOLEAN NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	created_at {{time}} NOT NULL
);
CREATE INDEX survey_responses_survey ON survey_responses (survey_id, region_code);

-- Population margins for raking: census counts of one unit (the region or a league) by one
-- variable ('sex', 'age_group', 'urban'), per category.
CREATE TABLE survey_margins (
	survey_id BIGINT NOT NULL REFERENCES survey_surveys (id) ON DELETE CASCADE,
	region_code TEXT NOT NULL REFERENCES regions (code),
	variable TEXT NOT NULL CHECK (variable IN ('sex', 'age_group', 'urban')),
	category TEXT NOT NULL,
	population BIGINT NOT NULL CHECK (population > 0),
	PRIMARY KEY (survey_id, region_code, variable, category)
);
