-- Statistics core (issue 8): the funds ledger, where no other package holds the data.
--
-- stats_fund_entries is a simple ledger of science-popularization funds (全国科普统计 经费,
-- KJ…) per unit: income by source (government grants, special funds, donations, self-raised)
-- and spending by use. amount_fen is integer fen (1 yuan = 100 fen), always positive; the
-- direction says income or spending. booked_on is the China calendar date 'YYYY-MM-DD' the
-- money came in or went out; the indicators sum entries by that date. A deleted entry keeps
-- its row with deleted_at set.
CREATE TABLE stats_fund_entries (
	id {{id}},
	region_code TEXT NOT NULL REFERENCES regions (code),
	direction TEXT NOT NULL CHECK (direction IN ('income', 'spending')),
	category TEXT NOT NULL,
	amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
	booked_on TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_by BIGINT REFERENCES accounts (id),
	created_at {{time}} NOT NULL,
	deleted_at {{time}}
);
CREATE INDEX stats_fund_entries_region ON stats_fund_entries (region_code, booked_on);
CREATE INDEX stats_fund_entries_day ON stats_fund_entries (booked_on, region_code);

-- stats_snapshots keeps computed indicator figures (a roll-up Kepu statistics owns): one row
-- per unit, period (month 0 = the whole year) and source (the fetcher: activity, registry,
-- content, share, survey, funds, …), cells holding that source's figures as JSON. The
-- registry reads a row while it is younger than its MaxAge and recomputes it from the domains'
-- exported functions otherwise; a funds-ledger change deletes the rows of its unit's ancestors.
CREATE TABLE stats_snapshots (
	region_code TEXT NOT NULL,
	year INTEGER NOT NULL,
	month INTEGER NOT NULL,
	source TEXT NOT NULL,
	cells TEXT NOT NULL,
	computed_at {{time}} NOT NULL,
	PRIMARY KEY (region_code, year, month, source)
);
