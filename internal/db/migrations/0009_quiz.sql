-- Science quiz contests (issue 9): question banks, contests, participants, attempts and every
-- answer given, leaderboard buckets and certificates.
--
-- Questions never change once written (an import adds new rows; a question is retired, not
-- edited), so an answer always refers to the exact wording and key it was judged against.
-- Times are UTC. A participant's best attempt is kept on the participant row (best_score -1
-- until one counted attempt is finished); quiz_board_buckets counts ranked participants by
-- (scope, score, whole seconds of total time) so that a rank among hundreds of thousands is
-- a sum over the score rows above, the bucket rows of the same score below, and a count inside
-- one bucket (a few hundred index entries at most).

CREATE TABLE quiz_banks (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	name TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id)
);
CREATE INDEX quiz_banks_region ON quiz_banks (region_code, id);

CREATE TABLE quiz_questions (
	id {{id}},
	bank_id BIGINT NOT NULL REFERENCES quiz_banks (id),
	kind TEXT NOT NULL CHECK (kind IN ('true_false', 'single', 'multiple')),
	topic TEXT NOT NULL DEFAULT '',
	difficulty INTEGER NOT NULL DEFAULT 2 CHECK (difficulty BETWEEN 1 AND 3),
	text_zh TEXT NOT NULL,
	text_mn TEXT NOT NULL DEFAULT '',
	options_zh TEXT NOT NULL DEFAULT '',
	options_mn TEXT NOT NULL DEFAULT '',
	answer TEXT NOT NULL,
	explanation_zh TEXT NOT NULL DEFAULT '',
	explanation_mn TEXT NOT NULL DEFAULT '',
	retired_at {{time}},
	created_at {{time}} NOT NULL
);
CREATE INDEX quiz_questions_bank ON quiz_questions (bank_id, id);

CREATE TABLE quiz_contests (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	bank_id BIGINT NOT NULL REFERENCES quiz_banks (id),
	campaign TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL,
	title_mn TEXT NOT NULL DEFAULT '',
	starts_at {{time}} NOT NULL,
	ends_at {{time}} NOT NULL,
	questions INTEGER NOT NULL CHECK (questions BETWEEN 1 AND 100),
	seconds_per_question INTEGER NOT NULL CHECK (seconds_per_question BETWEEN 5 AND 600),
	attempts_per_day INTEGER NOT NULL CHECK (attempts_per_day BETWEEN 1 AND 100),
	stratified BOOLEAN NOT NULL DEFAULT FALSE,
	practice BOOLEAN NOT NULL DEFAULT TRUE,
	invitation_only BOOLEAN NOT NULL DEFAULT FALSE,
	min_answer_ms INTEGER NOT NULL DEFAULT 1000,
	winners INTEGER NOT NULL DEFAULT 100,
	created_at {{time}} NOT NULL,
	created_by BIGINT REFERENCES accounts (id)
);
CREATE INDEX quiz_contests_region ON quiz_contests (region_code, starts_at);

CREATE TABLE quiz_participants (
	id {{id}},
	contest_id BIGINT NOT NULL REFERENCES quiz_contests (id),
	token_hash TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	phone TEXT,
	invitation TEXT,
	region_code TEXT NOT NULL REFERENCES regions (code),
	league_code TEXT NOT NULL,
	banner_code TEXT NOT NULL,
	school TEXT NOT NULL DEFAULT '',
	created_at {{time}} NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	best_score INTEGER NOT NULL DEFAULT -1,
	best_sec INTEGER NOT NULL DEFAULT 0,
	best_ms BIGINT NOT NULL DEFAULT 0,
	best_attempt_id BIGINT,
	UNIQUE (contest_id, phone)
);
CREATE UNIQUE INDEX quiz_participants_invitation ON quiz_participants (contest_id, invitation) WHERE invitation IS NOT NULL;
CREATE INDEX quiz_participants_board ON quiz_participants (contest_id, best_score DESC, best_sec, best_ms, id);
CREATE INDEX quiz_participants_league ON quiz_participants (contest_id, league_code, best_score DESC, best_sec, best_ms, id);
CREATE INDEX quiz_participants_banner ON quiz_participants (contest_id, banner_code, best_score DESC, best_sec, best_ms, id);

CREATE TABLE quiz_invitations (
	contest_id BIGINT NOT NULL REFERENCES quiz_contests (id),
	code TEXT NOT NULL,
	created_at {{time}} NOT NULL,
	PRIMARY KEY (contest_id, code)
);

-- An attempt draws its questions once (question_ids, comma-separated, in order). current is
-- the 1-based position of the question being answered; served_at when it was shown (NULL
-- until it is). finished_at is set when the last question is answered or timed out.
CREATE TABLE quiz_attempts (
	id {{id}},
	contest_id BIGINT NOT NULL REFERENCES quiz_contests (id),
	participant_id BIGINT NOT NULL REFERENCES quiz_participants (id),
	practice BOOLEAN NOT NULL DEFAULT FALSE,
	day TEXT NOT NULL,
	question_ids TEXT NOT NULL,
	current INTEGER NOT NULL DEFAULT 1,
	served_at {{time}},
	score INTEGER NOT NULL DEFAULT 0,
	total_ms BIGINT NOT NULL DEFAULT 0,
	flagged INTEGER NOT NULL DEFAULT 0,
	started_at {{time}} NOT NULL,
	finished_at {{time}}
);
CREATE INDEX quiz_attempts_participant ON quiz_attempts (participant_id, day);
CREATE INDEX quiz_attempts_contest ON quiz_attempts (contest_id, id);

-- Every answer given, kept for audit: flag '' (in time), 'too_fast' (scored, flagged for
-- review) or 'late' (after the time limit: refused, scored 0). A question shown and never
-- answered has no row; its attempt stays unfinished and does not count.
CREATE TABLE quiz_answers (
	attempt_id BIGINT NOT NULL REFERENCES quiz_attempts (id),
	seq INTEGER NOT NULL,
	question_id BIGINT NOT NULL REFERENCES quiz_questions (id),
	choice TEXT NOT NULL,
	correct BOOLEAN NOT NULL,
	ms BIGINT NOT NULL,
	flag TEXT NOT NULL DEFAULT '',
	served_at {{time}} NOT NULL,
	answered_at {{time}} NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (attempt_id, seq)
);

CREATE TABLE quiz_board_buckets (
	contest_id BIGINT NOT NULL REFERENCES quiz_contests (id),
	scope TEXT NOT NULL,
	score INTEGER NOT NULL,
	sec INTEGER NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (contest_id, scope, score, sec)
);
CREATE INDEX quiz_board_buckets_n ON quiz_board_buckets (contest_id, scope, score, sec, n);

-- The same counts by score alone (sec = -1 in no row): how many are ahead on score is a sum
-- over at most (questions + 1) rows.
CREATE TABLE quiz_board_scores (
	contest_id BIGINT NOT NULL REFERENCES quiz_contests (id),
	scope TEXT NOT NULL,
	score INTEGER NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (contest_id, scope, score)
);
CREATE INDEX quiz_board_scores_n ON quiz_board_scores (contest_id, scope, score, n);

CREATE TABLE quiz_certificates (
	code TEXT PRIMARY KEY,
	contest_id BIGINT NOT NULL REFERENCES quiz_contests (id),
	participant_id BIGINT NOT NULL REFERENCES quiz_participants (id),
	kind TEXT NOT NULL CHECK (kind IN ('winner', 'completion')),
	score INTEGER NOT NULL,
	total_ms BIGINT NOT NULL,
	rank INTEGER NOT NULL,
	issued_at {{time}} NOT NULL,
	UNIQUE (participant_id, kind)
);
