-- An activity's venue as a reference to a registry facility (issue 8): venue_kind is the
-- registry kind's slug (museums, mobile-museums, caravans, bases, e-stations; '' = none) and
-- venue_id that record's id. The free-text venue stays as the place as written. Assessment
-- finds a museum's activities by this reference instead of by its name.
ALTER TABLE activities ADD COLUMN venue_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE activities ADD COLUMN venue_id BIGINT;
CREATE INDEX activities_venue ON activities (venue_kind, venue_id, starts_on) WHERE venue_id IS NOT NULL AND deleted_at IS NULL;

-- Rows written before the reference existed: a venue that is exactly the name of one live
-- science museum (and of no other) becomes a reference to it; every other row keeps its text
-- only and is no longer matched to a museum by name.
UPDATE activities SET venue_kind = 'museums',
	venue_id = (SELECT m.id FROM science_museums m WHERE m.name = activities.venue AND m.deleted_at IS NULL)
WHERE venue <> '' AND venue_id IS NULL
	AND (SELECT count(*) FROM science_museums m WHERE m.name = activities.venue AND m.deleted_at IS NULL) = 1;
