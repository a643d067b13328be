-- Issue 14: languages.
--
-- The customer's language when they applied: every notice to them is written in it. Cases
-- written before this were applied for on English-only pages, hence the default (the intake and
-- the demo seed always say which language).
ALTER TABLE cases ADD COLUMN locale text NOT NULL DEFAULT 'en'
    CONSTRAINT cases_locale_known CHECK (locale IN ('id', 'en', 'zh-CN'));

-- The language an agent chose on their account page; NULL: the browser's, else the desk's default.
ALTER TABLE agents ADD COLUMN locale text
    CONSTRAINT agents_locale_known CHECK (locale IN ('id', 'en', 'zh-CN'));
