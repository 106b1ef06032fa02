-- Stored survey estimates (issue 8's speed targets). A survey's report (survey.Estimate: the
-- design, raking to the census margins, every domain's share and confidence interval) costs
-- milliseconds of CPU per call, and a dashboard asks for it many times; a closed survey's
-- responses rarely change. survey.Store keeps each report it computes here, keyed by survey,
-- scope (the report's responses are those in the scope) and raking, with the survey's version
-- at the time it read the responses and margins, and serves it again only while the survey's
-- version is still that one.
--
-- version counts the writes that can change a survey's estimate. Triggers bump it in the same
-- transaction as every such write, whatever code (or hand-typed SQL) makes it: a response
-- added, changed or deleted (online, interview, import, demo load), a census margin added,
-- changed or deleted, the survey's unit or scoring changed. A stored estimate of an older
-- version is never served, so none can be stale without the code knowing.
ALTER TABLE survey_surveys ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- body: the report's numbers as survey.Store writes them (JSON, floats as their IEEE bits so
-- they read back exactly); labels are not stored (they come from the regions' names at read).
-- scope: the scope's roots, space-separated. Nothing to backfill: a missing row is computed
-- on first use.
CREATE TABLE survey_estimates (
	survey_id BIGINT NOT NULL REFERENCES survey_surveys (id) ON DELETE CASCADE,
	scope TEXT NOT NULL,
	rake BOOLEAN NOT NULL,
	version BIGINT NOT NULL,
	body TEXT NOT NULL,
	computed_at {{time}} NOT NULL,
	PRIMARY KEY (survey_id, scope, rake)
);

CREATE TRIGGER survey_responses_version_insert AFTER INSERT ON survey_responses BEGIN
	UPDATE survey_surveys SET version = version + 1 WHERE id = NEW.survey_id;
END;
CREATE TRIGGER survey_responses_version_update AFTER UPDATE ON survey_responses BEGIN
	UPDATE survey_surveys SET version = version + 1 WHERE id IN (OLD.survey_id, NEW.survey_id);
END;
CREATE TRIGGER survey_responses_version_delete AFTER DELETE ON survey_responses BEGIN
	UPDATE survey_surveys SET version = version + 1 WHERE id = OLD.survey_id;
END;
CREATE TRIGGER survey_margins_version_insert AFTER INSERT ON survey_margins BEGIN
	UPDATE survey_surveys SET version = version + 1 WHERE id = NEW.survey_id;
END;
CREATE TRIGGER survey_margins_version_update AFTER UPDATE ON survey_margins BEGIN
	UPDATE survey_surveys SET version = version + 1 WHERE id IN (OLD.survey_id, NEW.survey_id);
END;
CREATE TRIGGER survey_margins_version_delete AFTER DELETE ON survey_margins BEGIN
	UPDATE survey_surveys SET version = version + 1 WHERE id = OLD.survey_id;
END;
CREATE TRIGGER survey_surveys_version_update AFTER UPDATE OF region_code, scheme, scheme_json ON survey_surveys BEGIN
	UPDATE survey_surveys SET version = version + 1 WHERE id = NEW.id;
END;
