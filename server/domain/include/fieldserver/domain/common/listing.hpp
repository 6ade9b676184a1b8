// Paged lists: query parameters in, {items, total, limit, offset} out, shared by every list endpoint.
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <string>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

struct Actor;

using Query = std::map<std::string, std::string>;

struct Page {
    std::int64_t limit = 50;
    std::int64_t offset = 0;
};

// limit (1–200, default 50) and offset (≥ 0) from query; throws Error(invalid_field) otherwise.
Page page_of(const Query& query);
// The value of a filter, or empty.
std::string filter(const Query& query, const std::string& name);
// Throws Error(invalid_field) for a query parameter not in allowed (paging parameters are always allowed).
void allow_filters(const Query& query, std::initializer_list<const char*> allowed);

// The WHERE of a list customers may read too: a customer sees only rows whose <alias>.customer_id is theirs (a portal
// session only its job's, by <alias>.job_id), then <alias>.<key> = ? for each of equal_keys given in query.
std::string scoped_where(const Actor& actor, const std::string& alias, const Query& query,
                         std::initializer_list<const char*> equal_keys, Params& params);

// Runs "SELECT … FROM … WHERE <where>" twice: for the count, and for one page ordered by order_by.
// columns and from are fixed SQL; where holds only placeholders for params. count_from, when given, is the FROM of
// the count: fewer joins when where needs none of the others and they cannot change the number of rows.
// count_cap, when above 0, stops counting there: total is at most count_cap, and total_capped says that more rows
// match (a text search that matches half a million jobs answers its first page without counting them all).
Poco::JSON::Object::Ptr paged(Db& db, const std::string& columns, const std::string& from, const std::string& where,
                              const Params& params, const std::string& order_by, const Page& page,
                              const std::string& count_from = {}, std::int64_t count_cap = 0);

// "(c1 LIKE ? ESCAPE '\' OR c2 LIKE ? …)" matching text anywhere in any of columns, case-insensitively in both
// dialects (SQLite's LIKE ignores ASCII case; PostgreSQL needs ILIKE); appends one pattern per column to params.
std::string text_search(Dialect dialect, std::initializer_list<const char*> columns, const std::string& text,
                        Params& params);

// A LIKE pattern matching text anywhere, with %, _ and \ in text matched literally (ESCAPE '\').
std::string like_pattern(const std::string& text);

}  // namespace fieldserver
