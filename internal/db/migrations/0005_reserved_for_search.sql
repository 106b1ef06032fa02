-- Placeholder only on the reach branch: migrations must be numbered without gaps, and the
-- search branch brings the real 0005 at the same time. At merge, DELETE THIS FILE and keep the
-- search branch's 0005 (nothing here creates anything, so no database depends on it).
SELECT 1;
