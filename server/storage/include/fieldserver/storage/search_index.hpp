// The text index of jobs: one search document per job (what the queues and the knowledge search match), written in
// the transaction of every change the change log records, and the SQL that matches it in each dialect.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// The parts of a job's search document. body: ticket number, description, customer's name and phone, product model
// and serial number, product type and fault category; repair: the latest plan's findings and the work summary;
// notes: the job's notes field and its technician notes (the workshop's own log, never shown to customers).
enum class SearchPart { body = 1, repair = 2, notes = 4 };
using SearchParts = unsigned;
constexpr SearchParts kAllParts = 7;
constexpr SearchParts parts_of(SearchPart a) { return static_cast<SearchParts>(a); }

// The most characters of a search text and the most terms in it.
constexpr std::size_t kMaxSearchChars = 200;
constexpr std::size_t kMaxSearchTerms = 8;

// The terms of a search text, split at white space (every term must match). Throws Error(invalid_field, field)
// when the text is longer than kMaxSearchChars characters, holds more than kMaxSearchTerms terms or is not UTF-8.
std::vector<std::string> search_terms(const std::string& text, const std::string& field);

// What a text search adds to a query over jobs: a FROM that names job_search as s (joined the way the store
// searches fastest; the caller joins jobs j ON j.id = s.job_id), the WHERE with its params, and the ORDER BY that
// lists the newest report first (search documents are numbered in the order jobs are reported).
struct TextMatch {
    std::string from;
    std::string where;
    Params params;
    std::string order_by;
};

// Every term matching in one of parts: a term of three or more characters anywhere in the text (SQLite FTS5
// trigram, PostgreSQL pg_trgm), a shorter one as a Chinese (CJK) character or pair of characters, or as a whole
// word of one or two letters or digits (the generated grams). Letters match in either case. terms must not be empty.
TextMatch text_match(Dialect dialect, const std::vector<std::string>& terms, SearchParts parts);

// The grams of a text for queries shorter than a trigram, space-separated, each prefixed with part's letter: every
// CJK character and every pair of neighbouring ones, and every word of one or two letters or digits, lower-cased.
std::string short_grams(std::string_view text, char part);

// Writes job_id's search document from its rows (job, customer, product, latest plan, notes); removes it when the
// job is gone. Does nothing when the document is unchanged.
void index_job(Db& db, const std::string& job_id);

// Keeps the index current after a change of a synced row (change_log's record_change calls it): a job, its
// customer, its product or a note changes the job's document.
void index_changed_row(Db& db, const std::string& table, const std::string& row_id);

// Indexes every job without a document (an older database, rows written by an import), oldest report first so
// documents are numbered in report order; returns how many. Migration 0091 and store copies run it.
std::size_t index_unindexed_jobs(Db& db);

}  // namespace fieldserver
