-- Raw share clicks are found by day only (the repeat window's warm-up, the detectors): an
-- index on (day) grows at its right end as clicks arrive, where (day, visitor) put each click
-- on a random page of the index (visitor is a hash), so a group commit of n clicks wrote up
-- to n index pages. Measured: go test -run xxx -bench 'Record$' ./internal/share/.
DROP INDEX share_clicks_day;
CREATE INDEX share_clicks_day ON share_clicks (day);
