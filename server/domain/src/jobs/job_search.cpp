// Searching jobs: a list's q (an exact ticket number or phone by index, else the jobs' text index) and the knowledge
// search over past repairs, ranked. The index itself and its SQL per dialect: storage/search_index.
#include <algorithm>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/jobs/job_service.hpp"
#include "fieldserver/storage/search_index.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

namespace {

// A searched list counts its matches up to here ("more than 1,000"), so a common word costs no full count.
constexpr std::int64_t kCountCap = 1000;
// The knowledge search ranks the newest this many matches.
constexpr std::int64_t kRankedMatches = 500;

// The jobs a single term names exactly, by index: its ticket number, else the jobs of the customers with that phone
// number (at most 1,000); none when it names none (then the text index answers).
std::vector<std::string> exact_ids(Db& db, const std::vector<std::string>& terms) {
    std::vector<std::string> ids;
    if (terms.size() != 1) return ids;
    auto rows = db.query("SELECT id FROM jobs WHERE ticket_no = ?", {terms.front()});
    if (rows->size() == 0)
        rows = db.query(
            "SELECT j.id FROM customers c JOIN jobs j ON j.customer_id = c.id WHERE c.phone = ? "
            "ORDER BY j.id LIMIT 1000",
            {terms.front()});
    for (const auto& v : *rows) ids.push_back(text(v.extract<Poco::JSON::Object::Ptr>(), "id"));
    return ids;
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::int64_t occurrences(const std::string& haystack, const std::string& needle) {
    std::int64_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
    return n;
}

// How well a past repair answers the terms: each occurrence in the findings or work summary counts three, in the
// notes one; a repair the customer accepted (or a closed one) adds two: it is known to have worked.
double relevance(const Poco::JSON::Object::Ptr& row, const std::vector<std::string>& terms) {
    std::string repair = lower(text(row, "repair")), notes = lower(text(row, "notes"));
    double score = 0;
    for (const auto& term : terms) score += 3.0 * occurrences(repair, lower(term)) + occurrences(notes, lower(term));
    std::string state = text(row, "state");
    return score + (state == "accepted" || state == "closed" ? 2 : 0);
}

// A catalog entry's name from its name or code (product types are top-level entries); Error(invalid_field) if none.
std::string catalog_name(Db& db, const std::string& value, bool product, const char* field) {
    auto entry = db.query_one(std::string("SELECT name FROM fault_categories WHERE (name = ? OR code = ?)") +
                                  (product ? " AND parent_id IS NULL" : "") + " ORDER BY code LIMIT 1",
                              {value, value});
    if (!entry)
        throw Error(ErrorCode::invalid_field,
                    Message{product ? "search.no_product_type" : "search.no_fault_category", {{"value", value}}},
                    field);
    return text(entry, "name");
}

// The findings and work summary of the page's repairs, as they read.
void add_repair_texts(Db& db, const Poco::JSON::Array::Ptr& items) {
    for (const auto& v : *items) {
        auto item = v.extract<Poco::JSON::Object::Ptr>();
        auto job = db.query_one("SELECT repair_json FROM jobs WHERE id = ?", {text(item, "job_id")});
        auto plan = db.query_one("SELECT findings FROM plans WHERE job_id = ? ORDER BY version DESC LIMIT 1",
                                 {text(item, "job_id")});
        item->set("findings", plan ? plan->get("findings") : Poco::Dynamic::Var());
        auto repair = job ? job->getObject("repair") : nullptr;
        item->set("work_summary",
                  has_value(repair, "work_summary") ? repair->get("work_summary") : Poco::Dynamic::Var());
    }
}

}  // namespace

Poco::JSON::Object::Ptr JobService::search_page(Db& db, const Actor& actor, const std::vector<std::string>& terms,
                                                const ListSql& sql, const Page& page) const {
    if (auto ids = exact_ids(db, terms); !ids.empty()) {
        // Those few jobs first (by primary key), then the list's filters: a planner without statistics would rather
        // walk a whole state's index in date order than look up a customer's five jobs.
        Params params;
        std::string in;
        for (const auto& id : ids) {
            in += in.empty() ? "?" : ", ?";
            params.emplace_back(id);
        }
        params.insert(params.end(), sql.params.begin(), sql.params.end());
        std::string from = "(SELECT * FROM jobs WHERE id IN (" + in + ") LIMIT " + std::to_string(ids.size()) + ") j";
        return paged(db, sql.columns, from + sql.joins, sql.where, params, "j.created_at DESC, j.id DESC", page, from);
    }
    // A customer's search skips the notes: they are the workshop's log, not shown to customers.
    auto match = text_match(
        db.dialect(), terms,
        actor.role == Role::customer ? parts_of(SearchPart::body) | parts_of(SearchPart::repair) : kAllParts);
    Params params = match.params;
    params.insert(params.end(), sql.params.begin(), sql.params.end());
    std::string from = match.from + " JOIN jobs j ON j.id = s.job_id";
    return paged(db, sql.columns, from + sql.joins, match.where + " AND " + sql.where, params, match.order_by, page,
                 from, kCountCap);
}

Poco::JSON::Object::Ptr JobService::knowledge(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::technician, Role::agent, Role::supervisor});
    allow_filters(query, {"q", "product_type", "fault_category"});
    auto terms = search_terms(filter(query, "q"), "q");
    std::string product = filter(query, "product_type"), fault = filter(query, "fault_category");
    if (terms.empty() && product.empty() && fault.empty())
        throw Error(ErrorCode::missing_field, Message{"search.no_terms", {}}, "q");
    Page page = page_of(query);
    return db_.read([&](Db& db) {
        TextMatch match{.from = "job_search s", .where = "1 = 1", .params = {}, .order_by = "s.doc_id DESC"};
        if (!terms.empty())
            match = text_match(db.dialect(), terms, parts_of(SearchPart::repair) | parts_of(SearchPart::notes));
        std::string where = match.where + " AND (s.repair <> '' OR s.notes <> '')";
        if (!product.empty()) {
            where += " AND j.product_type = ?";
            match.params.emplace_back(catalog_name(db, product, true, "product_type"));
        }
        if (!fault.empty()) {
            where += " AND j.category = ?";
            match.params.emplace_back(catalog_name(db, fault, false, "fault_category"));
        }
        match.params.emplace_back(kRankedMatches + 1);
        auto rows = db.query(
            "SELECT j.id AS job_id, j.ticket_no, j.state, j.product_type, j.category AS "
            "fault_category, a.model AS asset_model, s.repair, s.notes, j.created_at, j.updated_at "
            "FROM " +
                match.from +
                " JOIN jobs j ON j.id = s.job_id LEFT JOIN assets a ON a.id = "
                "j.asset_id WHERE " +
                where + " ORDER BY " + match.order_by + " LIMIT ?",
            match.params);
        bool capped = static_cast<std::int64_t>(rows->size()) > kRankedMatches;
        std::vector<std::pair<double, Poco::JSON::Object::Ptr>> ranked;
        for (std::size_t i = 0; i < rows->size() && static_cast<std::int64_t>(i) < kRankedMatches; ++i) {
            auto row = rows->getObject(static_cast<unsigned>(i));
            ranked.emplace_back(relevance(row, terms), row);
        }
        // Most relevant first; equally relevant ones newest first (their order from the index).
        std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (auto i = page.offset; i < page.offset + page.limit && i < static_cast<std::int64_t>(ranked.size()); ++i) {
            auto [score, row] = ranked[static_cast<std::size_t>(i)];
            row->remove("repair");
            row->set("score", score);
            items->add(row);
        }
        add_repair_texts(db, items);
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("items", items);
        out->set("total", static_cast<std::int64_t>(ranked.size()));
        out->set("total_capped", capped);
        out->set("limit", page.limit);
        out->set("offset", page.offset);
        return out;
    });
}

}  // namespace fieldserver
