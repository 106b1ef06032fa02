-- The content hub (issue 5, first part): items of science content (articles, videos, online
-- lectures, reposts), each with a Simplified Chinese version and an optional traditional
-- Mongolian one, topics, target groups, the editorial workflow and its audit trail.
--
-- status: draft → review → published → withdrawn (a withdrawn item may be reopened as a
-- draft; a returned one goes back to draft). An item is public while status = 'published'
-- and publish_at <= now (scheduled publishing is decided at read time). edited_by is the
-- account that last changed the item's text, which may not publish it. Times are UTC.

CREATE TABLE content_items (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	kind TEXT NOT NULL CHECK (kind IN ('article', 'video', 'lecture', 'repost')),
	status TEXT NOT NULL CHECK (status IN ('draft', 'review', 'published', 'withdrawn')),
	emergency BOOLEAN NOT NULL DEFAULT FALSE,
	featured BOOLEAN NOT NULL DEFAULT FALSE,
	topics TEXT NOT NULL DEFAULT '',
	target_groups TEXT NOT NULL DEFAULT '',
	video_url TEXT NOT NULL DEFAULT '',
	duration_seconds INTEGER NOT NULL DEFAULT 0,
	poster_type TEXT NOT NULL DEFAULT '',
	poster {{blob}},
	speaker TEXT NOT NULL DEFAULT '',
	starts_at {{time}},
	ends_at {{time}},
	stream_url TEXT NOT NULL DEFAULT '',
	replay_url TEXT NOT NULL DEFAULT '',
	source_platform TEXT NOT NULL DEFAULT '',
	source_url TEXT NOT NULL DEFAULT '',
	publish_at {{time}},
	withdraw_reason TEXT NOT NULL DEFAULT '',
	edited_by BIGINT REFERENCES accounts (id),
	created_by BIGINT REFERENCES accounts (id),
	created_at {{time}} NOT NULL,
	updated_at {{time}} NOT NULL
);
CREATE INDEX content_items_region ON content_items (region_code, id);
-- The public pages read published items newest first.
CREATE INDEX content_items_public ON content_items (publish_at) WHERE status = 'published';

-- One row per topic of an item, for the topic pages and the console filter.
CREATE TABLE content_topics (
	item_id BIGINT NOT NULL REFERENCES content_items (id),
	topic TEXT NOT NULL,
	PRIMARY KEY (item_id, topic)
);
CREATE INDEX content_topics_topic ON content_topics (topic, item_id);

-- Language versions: zh-Hans is required, mn-Mong (traditional Mongolian, Unicode) optional.
-- body is sanitized HTML.
CREATE TABLE content_versions (
	item_id BIGINT NOT NULL REFERENCES content_items (id),
	lang TEXT NOT NULL CHECK (lang IN ('zh-Hans', 'mn-Mong')),
	title TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (item_id, lang)
);

-- Who did what to which item when: create, update, submit, return, publish, withdraw, reopen.
CREATE TABLE content_steps (
	id {{id}},
	item_id BIGINT NOT NULL REFERENCES content_items (id),
	step TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	at {{time}} NOT NULL,
	account_id BIGINT REFERENCES accounts (id)
);
CREATE INDEX content_steps_item ON content_steps (item_id, id);
