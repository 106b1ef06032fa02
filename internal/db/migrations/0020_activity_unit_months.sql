-- Counted activity figures by unit subtree and month (issue 8's speed targets): the records
-- that statistics count (accepted, current, not deleted) summed by the code prefix of each
-- unit above them (2, 4, 6, 9 and 12 digits: the region, a league, a banner, a township, a
-- village, as region.Prefix gives them), the China month of the start date ("YYYY-MM", the
-- first 7 characters of starts_on) and one dimension: dim 'type' (item = the type slug, each
-- record once), 'programme' or 'group' (item = a tag, a record under each of its tags). The
-- activity package keeps it in the same transaction as every write that changes a counted
-- record (activity.recount), so that activity.Store.RollupFast reads a few hundred rows where
-- Rollup read every record of the year.
CREATE TABLE activity_unit_months (
	prefix TEXT NOT NULL,
	month TEXT NOT NULL,
	dim TEXT NOT NULL,
	item TEXT NOT NULL,
	activities BIGINT NOT NULL DEFAULT 0,
	sessions BIGINT NOT NULL DEFAULT 0,
	declared BIGINT NOT NULL DEFAULT 0,
	verified BIGINT NOT NULL DEFAULT 0,
	live BIGINT NOT NULL DEFAULT 0,
	replay BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (prefix, dim, month, item)
);

-- What is already recorded: activity.countedSQL with sign +1 and no condition.
WITH c AS (
	SELECT a.id, a.region_code, substr(a.starts_on, 1, 7) AS month, a.type, a.sessions, a.declared_attendance,
		a.verified_attendance, a.live_viewers, a.replay_views
	FROM activities a WHERE a.status = 'accepted' AND a.superseded_at IS NULL AND a.deleted_at IS NULL
), k AS (
	SELECT c.id, 'type' AS dim, c.type AS item FROM c
	UNION ALL SELECT c.id, 'programme', p.programme FROM c JOIN activity_programmes p ON p.activity_id = c.id
	UNION ALL SELECT c.id, 'group', g.target_group FROM c JOIN activity_target_groups g ON g.activity_id = c.id
), l AS (
	SELECT 2 AS n UNION ALL SELECT 4 UNION ALL SELECT 6 UNION ALL SELECT 9 UNION ALL SELECT 12
)
INSERT INTO activity_unit_months (prefix, month, dim, item, activities, sessions, declared, verified, live, replay)
SELECT substr(c.region_code, 1, l.n), c.month, k.dim, k.item, count(*), SUM(c.sessions), SUM(c.declared_attendance),
	SUM(c.verified_attendance), SUM(c.live_viewers), SUM(c.replay_views)
FROM c JOIN k ON k.id = c.id JOIN l ON l.n <= length(c.region_code)
GROUP BY substr(c.region_code, 1, l.n), c.month, k.dim, k.item;
