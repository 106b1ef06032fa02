-- Registry history (issue 8): statistics count a kind's records as of a date — the end of the
-- year or month asked — so each record needs when it began and when it ended to count.
--
-- Began: the kind's own date (an education base's 命名日期, an officer's 注册日期, …) or, for the
-- kinds that had none, a new established_on (开馆日期, 投入使用日期, 任职日期, …). An empty one
-- means the day the record was entered (created_at); the count reads it that way, so nothing
-- is backfilled.
-- Ended: closed_on, the date from which a record no longer counts, set when it is deleted (the
-- day of deletion unless the user gives an earlier one). Rows deleted before this migration
-- have none and end at deleted_at. Deleted rows stay in their tables as before.
--
-- The (region_code, began, closed_on, deleted_at, created_at) index serves the counts as of a
-- date, which read live and closed rows alike, from the index alone (officers and e-stations
-- add status, which their counts filter on). Measured: BenchmarkCountAsOf in
-- internal/registry (docs/BENCHMARKS.md).

ALTER TABLE science_museums ADD COLUMN established_on TEXT;
ALTER TABLE mobile_museums ADD COLUMN established_on TEXT;
ALTER TABLE science_caravans ADD COLUMN established_on TEXT;
ALTER TABLE association_staff ADD COLUMN established_on TEXT;
ALTER TABLE lecture_members ADD COLUMN established_on TEXT;
ALTER TABLE expert_teams ADD COLUMN established_on TEXT;
ALTER TABLE experts ADD COLUMN established_on TEXT;

ALTER TABLE science_museums ADD COLUMN closed_on TEXT;
ALTER TABLE education_bases ADD COLUMN closed_on TEXT;
ALTER TABLE information_officers ADD COLUMN closed_on TEXT;
ALTER TABLE mobile_museums ADD COLUMN closed_on TEXT;
ALTER TABLE mobile_museum_stops ADD COLUMN closed_on TEXT;
ALTER TABLE science_caravans ADD COLUMN closed_on TEXT;
ALTER TABLE caravan_trips ADD COLUMN closed_on TEXT;
ALTER TABLE science_estations ADD COLUMN closed_on TEXT;
ALTER TABLE museum_school_partnerships ADD COLUMN closed_on TEXT;
ALTER TABLE associations ADD COLUMN closed_on TEXT;
ALTER TABLE partner_departments ADD COLUMN closed_on TEXT;
ALTER TABLE association_staff ADD COLUMN closed_on TEXT;
ALTER TABLE lecture_members ADD COLUMN closed_on TEXT;
ALTER TABLE expert_teams ADD COLUMN closed_on TEXT;
ALTER TABLE experts ADD COLUMN closed_on TEXT;
ALTER TABLE volunteer_teams ADD COLUMN closed_on TEXT;
ALTER TABLE volunteers ADD COLUMN closed_on TEXT;

CREATE INDEX science_museums_asof ON science_museums (region_code, established_on, closed_on, deleted_at, created_at);
CREATE INDEX education_bases_asof ON education_bases (region_code, accredited_on, closed_on, deleted_at, created_at);
CREATE INDEX information_officers_asof ON information_officers (region_code, registered_on, closed_on, deleted_at, created_at, status);
CREATE INDEX mobile_museums_asof ON mobile_museums (region_code, established_on, closed_on, deleted_at, created_at);
CREATE INDEX science_caravans_asof ON science_caravans (region_code, established_on, closed_on, deleted_at, created_at);
CREATE INDEX science_estations_asof ON science_estations (region_code, accredited_on, closed_on, deleted_at, created_at, status);
CREATE INDEX museum_school_partnerships_asof ON museum_school_partnerships (region_code, start_on, closed_on, deleted_at, created_at);
CREATE INDEX associations_asof ON associations (region_code, founded_on, closed_on, deleted_at, created_at);
CREATE INDEX partner_departments_asof ON partner_departments (region_code, joined_on, closed_on, deleted_at, created_at);
CREATE INDEX association_staff_asof ON association_staff (region_code, established_on, closed_on, deleted_at, created_at);
CREATE INDEX lecture_members_asof ON lecture_members (region_code, established_on, closed_on, deleted_at, created_at);
CREATE INDEX expert_teams_asof ON expert_teams (region_code, established_on, closed_on, deleted_at, created_at);
CREATE INDEX experts_asof ON experts (region_code, established_on, closed_on, deleted_at, created_at);
CREATE INDEX volunteer_teams_asof ON volunteer_teams (region_code, founded_on, closed_on, deleted_at, created_at);
CREATE INDEX volunteers_asof ON volunteers (region_code, joined_on, closed_on, deleted_at, created_at);
