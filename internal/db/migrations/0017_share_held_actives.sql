-- Information officers' sharing (issue 6), two figures that were stale or missing:
--
-- held_actives: of a unit-month's actives, the officer-months set aside by confirmed review
-- cases (share.Store.Decide), shown apart and left out of rankings by actives like held_clicks
-- and held_shares; taken back when the case is reopened. Existing confirmed cases are counted in.
--
-- through_id: the highest registry officer id that share_registrations' counts include; the
-- rankings add the live officers registered since (ids above it) at once, so a new officer is
-- not an hour late (share.Store.RegionFigures).
ALTER TABLE share_region_months ADD COLUMN held_actives BIGINT NOT NULL DEFAULT 0;
UPDATE share_region_months SET held_actives = (SELECT count(*) FROM share_officer_months o
	WHERE o.month = share_region_months.month AND o.region_code = share_region_months.region_code AND o.held > 0 AND o.shares + o.clicks > 0)
	WHERE (month, region_code) IN (SELECT month, region_code FROM share_cases WHERE status = 'confirmed');
DROP INDEX share_region_months_cover;
CREATE INDEX share_region_months_cover ON share_region_months (month, region_code, shares, clicks, head, unfurl, bot, datacentre, self, repeat,
	actives, held_clicks, held_shares, held_actives);
ALTER TABLE share_registrations ADD COLUMN through_id BIGINT NOT NULL DEFAULT 0;
