-- Sharing and quiz figures per banner and month (issue 8's speed targets): the same sums as
-- share_region_months and quiz_region_months, keyed by the first six digits of the unit's code
-- (banner_code: the banner a village or township lies in; a league's or the region's own code
-- for what is recorded at the league or the region itself). A dashboard of the region or of a
-- league groups its children by a code prefix of 4 or 6 digits, which these tables answer
-- from about 100 rows a month instead of about 13,600 villages (share) or 1,200 contest-villages
-- (quiz). They are kept in the same transaction as the village roll-ups they sum:
-- share.addRollups, share.setAside and the share demo; quiz Register, Start and the quiz demo.
-- share.Store.MonthsFigures and quiz.Store.ParticipationByRegion read them for groupings of
-- six digits or fewer; TestBannerMonthsAreExact (share) and TestParticipationRollupIsExact
-- (quiz) compare them with the village roll-ups and the rows.
CREATE TABLE share_banner_months (
	banner_code TEXT NOT NULL,
	month TEXT NOT NULL,
	shares BIGINT NOT NULL DEFAULT 0,
	clicks BIGINT NOT NULL DEFAULT 0,
	head BIGINT NOT NULL DEFAULT 0,
	unfurl BIGINT NOT NULL DEFAULT 0,
	bot BIGINT NOT NULL DEFAULT 0,
	datacentre BIGINT NOT NULL DEFAULT 0,
	self BIGINT NOT NULL DEFAULT 0,
	repeat BIGINT NOT NULL DEFAULT 0,
	actives BIGINT NOT NULL DEFAULT 0,
	held_clicks BIGINT NOT NULL DEFAULT 0,
	held_shares BIGINT NOT NULL DEFAULT 0,
	held_actives BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (month, banner_code)
);

INSERT INTO share_banner_months (banner_code, month, shares, clicks, head, unfurl, bot, datacentre, self, repeat, actives, held_clicks, held_shares, held_actives)
SELECT substr(region_code, 1, 6), month, SUM(shares), SUM(clicks), SUM(head), SUM(unfurl), SUM(bot), SUM(datacentre), SUM(self), SUM(repeat),
	SUM(actives), SUM(held_clicks), SUM(held_shares), SUM(held_actives)
FROM share_region_months GROUP BY substr(region_code, 1, 6), month;

CREATE TABLE quiz_banner_months (
	banner_code TEXT NOT NULL,
	month TEXT NOT NULL,
	participants BIGINT NOT NULL DEFAULT 0,
	attempts BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (month, banner_code)
);

INSERT INTO quiz_banner_months (banner_code, month, participants, attempts)
SELECT substr(region_code, 1, 6), month, SUM(participants), SUM(attempts)
FROM quiz_region_months GROUP BY substr(region_code, 1, 6), month;
