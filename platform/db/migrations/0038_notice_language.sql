-- Notification texts in the recipient's language (issue 21.3): a notice keeps the values its text
-- is built from, so the text table of either language renders it (platform/notifications/texts.ts);
-- `text` stays the English, for kinds no table knows and for notices written before.
alter table notifications add column params jsonb;

-- The language a user reads notifications in; null: the company's (COMPANY_LANGUAGE, zh by default).
alter table users add column language text check (language in ('zh', 'en'));
