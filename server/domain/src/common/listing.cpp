// Paging and filter helpers for list endpoints.
#include "fieldserver/domain/common/listing.hpp"

#include <Poco/NumberParser.h>

#include <algorithm>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldsync/error.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

namespace {

std::int64_t number(const Query& query, const char* name, std::int64_t fallback, std::int64_t min, std::int64_t max) {
    auto it = query.find(name);
    if (it == query.end()) return fallback;
    Poco::Int64 v = 0;
    if (!Poco::NumberParser::tryParse64(it->second, v) || v < min || v > max)
        throw Error(ErrorCode::invalid_field,
                    Message{"field.whole_number",
                            {{"field", name}, {"min", std::to_string(min)}, {"max", std::to_string(max)}}},
                    name);
    return v;
}

}  // namespace

Page page_of(const Query& query) {
    return Page{number(query, "limit", 50, 1, 200), number(query, "offset", 0, 0, 1'000'000'000)};
}

std::string filter(const Query& query, const std::string& name) {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
}

void allow_filters(const Query& query, std::initializer_list<const char*> allowed) {
    for (const auto& [name, value] : query) {
        if (name == "limit" || name == "offset") continue;
        bool ok = false;
        for (const char* a : allowed) ok = ok || name == a;
        if (!ok) throw Error(ErrorCode::invalid_field, Message{"query.unknown_parameter", {{"name", name}}}, name);
    }
}

Poco::JSON::Object::Ptr paged(Db& db, const std::string& columns, const std::string& from, const std::string& where,
                              const Params& params, const std::string& order_by, const Page& page,
                              const std::string& count_from, std::int64_t count_cap) {
    std::string where_clause = where.empty() ? "" : " WHERE " + where;
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    std::string counted = "FROM " + (count_from.empty() ? from : count_from) + where_clause;
    if (count_cap > 0) {
        Params count_params = params;
        count_params.emplace_back(count_cap + 1);
        // In the page's order, so the count walks the rows as the page does (a text index in its own order) and stops.
        std::int64_t n = db.scalar(
            "SELECT COUNT(*) FROM (SELECT 1 " + counted + " ORDER BY " + order_by + " LIMIT ?) capped", count_params);
        out->set("total", std::min(n, count_cap));
        out->set("total_capped", n > count_cap);
    } else {
        out->set("total", db.scalar("SELECT COUNT(*) " + counted, params));
    }
    Params page_params = params;
    page_params.emplace_back(page.limit);
    page_params.emplace_back(page.offset);
    out->set("items", db.query("SELECT " + columns + " FROM " + from + where_clause + " ORDER BY " + order_by +
                                   " LIMIT ? OFFSET ?",
                               page_params));
    out->set("limit", page.limit);
    out->set("offset", page.offset);
    return out;
}

std::string text_search(Dialect dialect, std::initializer_list<const char*> columns, const std::string& text,
                        Params& params) {
    std::string clause;
    for (const char* column : columns) {
        clause += clause.empty() ? "(" : " OR ";
        clause += std::string(column) + (dialect == Dialect::postgresql ? " ILIKE" : " LIKE") + " ? ESCAPE '\\'";
        params.emplace_back(like_pattern(text));
    }
    return clause + ")";
}

std::string like_pattern(const std::string& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

std::string scoped_where(const Actor& actor, const std::string& alias, const Query& query,
                         std::initializer_list<const char*> equal_keys, Params& params) {
    std::string where = "1 = 1";
    if (actor.role == Role::customer) {
        where += " AND " + alias + ".customer_id = ?";
        params.emplace_back(actor.customer_id);
        if (!actor.job_scope.empty()) {
            where += " AND " + alias + ".job_id = ?";
            params.emplace_back(actor.job_scope);
        }
    }
    for (const char* key : equal_keys)
        if (auto v = filter(query, key); !v.empty()) {
            where += " AND " + alias + "." + key + " = ?";
            params.emplace_back(v);
        }
    return where;
}

}  // namespace fieldserver
