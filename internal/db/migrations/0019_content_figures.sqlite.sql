-- Content figures by unit for issue 8's speed targets: reach by unit and month, published
-- items by unit.
--
-- content_reach_months: the sums of the reach records (content_views: views counted on Kepu's
-- pages and kiosks; content_pushes: pushes to outside platforms with their latest imported
-- views, likes and shares) of every unit's subtree, per
-- China month ("YYYY-MM", the first seven characters of the record's China date), channel,
-- and the item's kind and emergency flag as they are now; pushes counts push records. A
-- record is summed at its own division code and at each of its ancestors (region.ParentOf up
-- to the region), so that a unit's figures are its rows (unit = the unit) and its children's
-- the rows one level below it (parent = the unit). parent is region.ParentOf(unit), '' at the
-- top.
--
-- The content package keeps it in the same transaction as every write that changes what it
-- sums: Views.Flush (counted views), RecordPush, ImportReach (a push's figures), Update (an
-- item's kind or emergency flag moves its figures) and the demo's bulk loads, so that
-- content.Store.ReachSums reads a few hundred rows for a unit's year. Months only partly
-- inside a period are summed from the records. WITHOUT ROWID (SQLite): the rows lie in key
-- order, so a unit's or a parent's rows are read in one range without a lookup each.
CREATE TABLE content_reach_months (
	parent TEXT NOT NULL,
	unit TEXT NOT NULL,
	month TEXT NOT NULL,
	channel TEXT NOT NULL,
	kind TEXT NOT NULL,
	emergency BOOLEAN NOT NULL,
	views BIGINT NOT NULL DEFAULT 0,
	likes BIGINT NOT NULL DEFAULT 0,
	shares BIGINT NOT NULL DEFAULT 0,
	pushes BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (parent, unit, month, channel, kind, emergency)
) WITHOUT ROWID;

-- What is already recorded. Each record's own code and ancestors: the region (the first two
-- digits and 0000), the league (four digits and 00, unless that is the region), the banner
-- (six digits, unless they end in 00), the township (nine digits), the village (twelve); the
-- same chain as region.ParentOf for canonical codes of 6, 9 and 12 digits.
INSERT INTO content_reach_months (parent, unit, month, channel, kind, emergency, views, likes, shares, pushes)
SELECT parent, unit, month, channel, kind, emergency, SUM(views), SUM(likes), SUM(shares), SUM(pushes) FROM (
	SELECT CASE u.level
			WHEN 1 THEN ''
			WHEN 2 THEN substr(r.code, 1, 2) || '0000'
			WHEN 3 THEN CASE WHEN substr(r.code, 3, 2) = '00' THEN substr(r.code, 1, 2) || '0000' ELSE substr(r.code, 1, 4) || '00' END
			WHEN 4 THEN substr(r.code, 1, 6)
			ELSE substr(r.code, 1, 9) END AS parent,
		CASE u.level
			WHEN 1 THEN substr(r.code, 1, 2) || '0000'
			WHEN 2 THEN substr(r.code, 1, 4) || '00'
			WHEN 3 THEN substr(r.code, 1, 6)
			WHEN 4 THEN substr(r.code, 1, 9)
			ELSE r.code END AS unit,
		r.month, r.channel, r.kind, r.emergency, r.views, r.likes, r.shares, r.pushes
	FROM (
		SELECT v.region_code AS code, substr(v.day, 1, 7) AS month, v.channel, i.kind, i.emergency, v.views, 0 AS likes, 0 AS shares, 0 AS pushes
			FROM content_views v JOIN content_items i ON i.id = v.item_id
		UNION ALL
		SELECT p.region_code, substr(p.pushed_on, 1, 7), p.channel, i.kind, i.emergency, p.views, p.likes, p.shares, 1
			FROM content_pushes p JOIN content_items i ON i.id = p.item_id
	) AS r
	JOIN (SELECT 1 AS level UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5) AS u
		ON (u.level = 1)
		OR (u.level = 2 AND substr(r.code, 3, 2) <> '00')
		OR (u.level = 3 AND length(r.code) >= 6 AND substr(r.code, 5, 2) <> '00')
		OR (u.level = 4 AND length(r.code) >= 9)
		OR (u.level = 5 AND length(r.code) = 12)
) AS x GROUP BY parent, unit, month, channel, kind, emergency;

-- content_reach_years: the same sums by China year ("YYYY"), the months of content_reach_months
-- added up, kept by the same writes in the same transactions, so that a unit's or its
-- children's figures of a whole year are a few hundred rows rather than twelve times as many.
CREATE TABLE content_reach_years (
	parent TEXT NOT NULL,
	unit TEXT NOT NULL,
	year TEXT NOT NULL,
	channel TEXT NOT NULL,
	kind TEXT NOT NULL,
	emergency BOOLEAN NOT NULL,
	views BIGINT NOT NULL DEFAULT 0,
	likes BIGINT NOT NULL DEFAULT 0,
	shares BIGINT NOT NULL DEFAULT 0,
	pushes BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (parent, unit, year, channel, kind, emergency)
) WITHOUT ROWID;

INSERT INTO content_reach_years (parent, unit, year, channel, kind, emergency, views, likes, shares, pushes)
SELECT parent, unit, substr(month, 1, 4), channel, kind, emergency, SUM(views), SUM(likes), SUM(shares), SUM(pushes)
	FROM content_reach_months GROUP BY parent, unit, substr(month, 1, 4), channel, kind, emergency;

-- Published items by unit (the same speed target): how many items are published now, by kind
-- and emergency flag, recorded in each unit's subtree (an item counts at its own code and at
-- each ancestor, as above). The content package keeps it in the transaction that publishes or
-- withdraws an item (Store.Act; only drafts are edited, so an item's unit, kind and flag
-- change only while it is not counted) and in the demo's bulk load of items, so that
-- content.Store.PublishedSums reads a few rows a unit.
CREATE TABLE content_published_units (
	parent TEXT NOT NULL,
	unit TEXT NOT NULL,
	kind TEXT NOT NULL,
	emergency BOOLEAN NOT NULL,
	items BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (parent, unit, kind, emergency)
) WITHOUT ROWID;

INSERT INTO content_published_units (parent, unit, kind, emergency, items)
SELECT parent, unit, kind, emergency, COUNT(*) FROM (
	SELECT CASE u.level
			WHEN 1 THEN ''
			WHEN 2 THEN substr(i.region_code, 1, 2) || '0000'
			WHEN 3 THEN CASE WHEN substr(i.region_code, 3, 2) = '00' THEN substr(i.region_code, 1, 2) || '0000' ELSE substr(i.region_code, 1, 4) || '00' END
			WHEN 4 THEN substr(i.region_code, 1, 6)
			ELSE substr(i.region_code, 1, 9) END AS parent,
		CASE u.level
			WHEN 1 THEN substr(i.region_code, 1, 2) || '0000'
			WHEN 2 THEN substr(i.region_code, 1, 4) || '00'
			WHEN 3 THEN substr(i.region_code, 1, 6)
			WHEN 4 THEN substr(i.region_code, 1, 9)
			ELSE i.region_code END AS unit,
		i.kind, i.emergency
	FROM content_items i
	JOIN (SELECT 1 AS level UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5) AS u
		ON (u.level = 1)
		OR (u.level = 2 AND substr(i.region_code, 3, 2) <> '00')
		OR (u.level = 3 AND length(i.region_code) >= 6 AND substr(i.region_code, 5, 2) <> '00')
		OR (u.level = 4 AND length(i.region_code) >= 9)
		OR (u.level = 5 AND length(i.region_code) = 12)
	WHERE i.status = 'published'
) AS x GROUP BY parent, unit, kind, emergency;
