-- Content search (issue 5, search part), SQLite half; the PostgreSQL half is
-- 0005_content_search.postgres.sql. Per content item (rowid = content_items.id) two FTS5 tables
-- hold what internal/content/search.go computes in Go, in the same transaction as each write:
--   doc   the item's searchable text (titles, summaries, body text and topics of both language
--         versions, the speaker), NFKC-normalized and in lower case; the trigram tokenizer
--         (SQLite 3.34+) finds any substring of three characters or more: 锡林郭勒, ᠮᠣᠩᠭᠣᠯ.
--   grams the segmented words: every two adjacent Chinese characters (a bigram: 科普, 普及)
--         and every whole word of another script, space-separated; unicode61 indexes them as
--         words, so two-character Chinese words (which trigrams cannot find) are found.
CREATE VIRTUAL TABLE content_search_doc USING fts5(doc, tokenize = 'trigram');
CREATE VIRTUAL TABLE content_search_grams USING fts5(grams, tokenize = 'unicode61 remove_diacritics 0');
