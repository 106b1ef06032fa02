-- Content channels and reach (issue 5, channels and reach part). Numbered 0006 so that the
-- search migration (0005) can land beside it.
--
-- content_views is the daily roll-up of views counted on Kepu's own pages: the public item
-- page (channel 'web', region = the item's unit) and the e-station kiosks (channel 'estation',
-- region = the station's village). day is the China calendar date (UTC+8) as 'YYYY-MM-DD'.
-- No visitor is stored: one view per visitor per item per day is decided in memory with a
-- daily random salt that is never written anywhere (content.Views).
CREATE TABLE content_views (
	item_id BIGINT NOT NULL REFERENCES content_items (id),
	channel TEXT NOT NULL CHECK (channel IN ('web', 'estation')),
	region_code TEXT NOT NULL REFERENCES regions (code),
	day TEXT NOT NULL,
	views BIGINT NOT NULL,
	PRIMARY KEY (item_id, channel, region_code, day)
);
CREATE INDEX content_views_day ON content_views (day, region_code);

-- An import of an outside platform's reach export (.xlsx/.csv), one transaction each.
CREATE TABLE content_reach_imports (
	id {{id}},
	channel TEXT NOT NULL,
	region_code TEXT NOT NULL REFERENCES regions (code),
	file_name TEXT NOT NULL DEFAULT '',
	figures_on TEXT NOT NULL,
	rows_read INTEGER NOT NULL,
	rows_matched INTEGER NOT NULL,
	created_by BIGINT REFERENCES accounts (id),
	created_at {{time}} NOT NULL
);
CREATE INDEX content_reach_imports_region ON content_reach_imports (region_code, id);

-- A push of an item to an outside platform, recorded by staff: the platform (channel), the
-- date (China calendar, 'YYYY-MM-DD'), the address of the post there and its title there
-- (for matching an export by title + date when the export has no address). views, likes and
-- shares are the latest figures imported for it (figures_on: the date of that import; NULL
-- before any), as the platforms report them cumulatively.
CREATE TABLE content_pushes (
	id {{id}},
	item_id BIGINT NOT NULL REFERENCES content_items (id),
	channel TEXT NOT NULL CHECK (channel IN ('wechat', 'douyin', 'kuaishou', 'toutiao', 'kepuchina')),
	region_code TEXT NOT NULL REFERENCES regions (code),
	pushed_on TEXT NOT NULL,
	url TEXT NOT NULL,
	title TEXT NOT NULL,
	views BIGINT NOT NULL DEFAULT 0,
	likes BIGINT NOT NULL DEFAULT 0,
	shares BIGINT NOT NULL DEFAULT 0,
	figures_on TEXT,
	import_id BIGINT REFERENCES content_reach_imports (id),
	created_by BIGINT REFERENCES accounts (id),
	created_at {{time}} NOT NULL
);
CREATE UNIQUE INDEX content_pushes_url ON content_pushes (channel, url);
CREATE INDEX content_pushes_region ON content_pushes (region_code, pushed_on);
CREATE INDEX content_pushes_item ON content_pushes (item_id);

-- Every row of an import as read: push_id is the push it was matched to, NULL when none
-- matched (kept and listed, never dropped); note says why a row matched nothing.
CREATE TABLE content_reach_rows (
	import_id BIGINT NOT NULL REFERENCES content_reach_imports (id),
	row_no INTEGER NOT NULL,
	push_id BIGINT REFERENCES content_pushes (id),
	url TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL DEFAULT '',
	published_on TEXT NOT NULL DEFAULT '',
	views BIGINT NOT NULL DEFAULT 0,
	likes BIGINT NOT NULL DEFAULT 0,
	shares BIGINT NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (import_id, row_no)
);
