-- Science quiz participation by unit and month (issue 8's speed targets): how many people
-- signed up (by the unit they live in and the China month of signing up) and how many counted
-- attempts they started (by the same unit and the China month of the attempt's day; practice
-- apart), per contest. The quiz package keeps it on every write (Register, Start, FillContest)
-- in the same transaction as the rows it counts, so that quiz.Store.ParticipationByRegion sums
-- a few thousand rows instead of counting hundreds of thousands of participants and attempts.
-- Months are "YYYY-MM" in China time (UTC+8), as statistics' periods are.
CREATE TABLE quiz_region_months (
	contest_id BIGINT NOT NULL REFERENCES quiz_contests (id),
	region_code TEXT NOT NULL,
	month TEXT NOT NULL,
	participants BIGINT NOT NULL DEFAULT 0,
	attempts BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (contest_id, region_code, month)
);
CREATE INDEX quiz_region_months_month ON quiz_region_months (month, region_code);

-- What is already recorded. Participants' created_at is stored as text with its offset
-- ("2026-03-12 04:09:34.5+00:00"); an attempt's day is already its China date.
INSERT INTO quiz_region_months (contest_id, region_code, month, participants, attempts)
SELECT contest_id, region_code, month, SUM(p), SUM(a) FROM (
	SELECT contest_id, region_code, strftime('%Y-%m', created_at, '+8 hours') AS month, 1 AS p, 0 AS a FROM quiz_participants
	UNION ALL
	SELECT t.contest_id, p.region_code, substr(t.day, 1, 7), 0, 1 FROM quiz_attempts t JOIN quiz_participants p ON p.id = t.participant_id WHERE NOT t.practice
) GROUP BY contest_id, region_code, month;
