-- Registry stocks (issue 8): how many records of a kind existed at the end of a day, kept per
-- region, league and banner, so that a statistics figure of a unit with hundreds of thousands
-- of records below it (580,000 information officers) is a sum of a few hundred rows instead of
-- a scan of the subtree.
--
-- A record counts from its start day (the kind's Since date, or the China date it was entered)
-- until the day before its end day (closed_on, or the China date it was deleted); see
-- registry.Filter.AsOf. It adds +1 on its start day and -1 on its end day to the rows of the
-- region, league and banner it lies in: with field '' (all records) for a kind without stock
-- fields, else once per field the kind keeps stocks by (Kind.Stocks) with the record's value
-- of that field (the total is the sum over the first field's values); each change is
-- written three times, to the row of its year (grain 'y', at '2006'), of its month ('m',
-- '2006-01') and of its day ('d', '2006-01-02'). A day's stock is the sum of the year rows
-- before its year, the month rows of its year before its month and the day rows of its month
-- up to it: a few dozen rows per unit, whatever the day.
--
-- The rows are kept by registry.Store in the transaction of every write (create, update,
-- delete, import, accreditation). registry_stock_kinds lists the kinds whose rows are built;
-- registry.Store.BuildStocks builds the others from their records when the server starts, and
-- a kind not listed is counted from its records.

CREATE TABLE registry_stocks (
	kind TEXT NOT NULL,
	unit TEXT NOT NULL,
	grain TEXT NOT NULL,
	at TEXT NOT NULL,
	field TEXT NOT NULL,
	value TEXT NOT NULL,
	delta BIGINT NOT NULL,
	PRIMARY KEY (kind, unit, grain, at, field, value)
);

CREATE TABLE registry_stock_kinds (
	kind TEXT PRIMARY KEY,
	built_at {{time}} NOT NULL
);

-- A kind with no records yet has nothing to build: its (empty) rows are complete.
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'museums', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM science_museums);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'bases', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM education_bases);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'officers', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM information_officers);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'mobile-museums', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM mobile_museums);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'caravans', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM science_caravans);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'e-stations', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM science_estations);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'partnerships', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM museum_school_partnerships);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'associations', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM associations);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'departments', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM partner_departments);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'staff', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM association_staff);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'lecturers', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM lecture_members);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'expert-teams', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM expert_teams);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'experts', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM experts);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'volunteer-teams', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM volunteer_teams);
INSERT INTO registry_stock_kinds (kind, built_at) SELECT 'volunteers', CURRENT_TIMESTAMP WHERE NOT EXISTS (SELECT 1 FROM volunteers);
