// The jobs' search documents and their matching SQL: SQLite FTS5 (trigram, and unicode61 over generated grams) and
// PostgreSQL pg_trgm (GIN) with a GIN-indexed array of the grams. Tables: migration 0090 (one file per dialect).
#include "fieldserver/storage/search_index.hpp"

#include <set>

#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;

namespace {

constexpr char kPartLetters[] = {'b', 'r', 'n'};  // body, repair, notes: the prefixes of their grams
const char* kPartColumns[] = {"body", "repair", "notes"};

// The code points of UTF-8 text and the byte offset each starts at (one more: the end); ok is false for bad UTF-8.
struct CodePoints {
    std::vector<char32_t> points;
    std::vector<std::size_t> starts;
    bool ok = true;
};

CodePoints decode(std::string_view s) {
    CodePoints out;
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
        if (extra < 0 || i + extra >= s.size()) {
            out.ok = false;
            return out;
        }
        char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
        for (int k = 1; k <= extra; ++k) {
            auto next = static_cast<unsigned char>(s[i + k]);
            if ((next >> 6) != 2) {
                out.ok = false;
                return out;
            }
            cp = (cp << 6) | (next & 0x3F);
        }
        out.points.push_back(cp);
        out.starts.push_back(i);
        i += extra + 1;
    }
    out.starts.push_back(s.size());
    return out;
}

// Han, kana and hangul: scripts written without spaces, where one or two characters are a word.
bool is_cjk(char32_t c) {
    return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF);
}

bool is_word_char(char32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string lower_ascii(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::size_t length_of(const std::string& term) { return decode(term).points.size(); }

// A term as an FTS5 string: in double quotes, a quote doubled.
std::string fts_string(const std::string& term) {
    std::string out = "\"";
    for (char c : term) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string like_any(const std::string& text) {
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\') out += '\\';
        out += c;
    }
    return out + "%";
}

std::vector<int> part_indexes(SearchParts parts) {
    std::vector<int> out;
    for (int i = 0; i < 3; ++i)
        if (parts & (1U << i)) out.push_back(i);
    return out;
}

// SQLite: long terms in the trigram table, drive the query in rowid order; short ones through the grams table.
TextMatch sqlite_match(const std::vector<std::string>& longs, const std::vector<std::string>& shorts,
                       SearchParts parts) {
    auto indexes = part_indexes(parts);
    std::string filter;
    if (indexes.size() < 3) {
        filter = "{";
        for (int i : indexes) filter += std::string(filter.size() > 1 ? " " : "") + kPartColumns[i];
        filter += "} : ";
    }
    std::string text_query, gram_query;
    for (const auto& term : longs) text_query += (text_query.empty() ? "" : " AND ") + filter + fts_string(term);
    for (const auto& term : shorts) {
        std::string any;
        for (int i : indexes) any += (any.empty() ? "" : " OR ") + fts_string(kPartLetters[i] + term);
        gram_query += (gram_query.empty() ? "(" : " AND (") + any + ")";
    }
    TextMatch m;
    const char* driver = longs.empty() ? "job_search_grams" : "job_search_text";
    m.from = std::string(driver) + " JOIN job_search s ON s.doc_id = " + driver + ".rowid";
    m.where = std::string(driver) + " MATCH ?";
    m.params.emplace_back(longs.empty() ? gram_query : text_query);
    if (!longs.empty() && !shorts.empty()) {
        m.where += " AND s.doc_id IN (SELECT rowid FROM job_search_grams WHERE job_search_grams MATCH ?)";
        m.params.emplace_back(gram_query);
    }
    m.order_by = std::string(driver) + ".rowid DESC";
    return m;
}

TextMatch postgresql_match(const std::vector<std::string>& longs, const std::vector<std::string>& shorts,
                           SearchParts parts) {
    auto indexes = part_indexes(parts);
    TextMatch m{.from = "job_search s", .where = "", .params = {}, .order_by = "s.doc_id DESC"};
    for (const auto& term : longs) {
        std::string any;
        for (int i : indexes) {
            any += (any.empty() ? "" : " OR ") + std::string("s.") + kPartColumns[i] + " ILIKE ? ESCAPE '\\'";
            m.params.emplace_back(like_any(term));
        }
        m.where += (m.where.empty() ? "(" : " AND (") + any + ")";
    }
    for (const auto& term : shorts) {
        std::string array;
        for (int i : indexes) {
            array += array.empty() ? "CAST(? AS TEXT)" : ", CAST(? AS TEXT)";
            m.params.emplace_back(kPartLetters[i] + term);
        }
        m.where += (m.where.empty() ? "" : " AND ") + std::string("s.grams && ARRAY[") + array + "]";
    }
    return m;
}

// What a document is made of, read from the job's rows.
struct Document {
    std::string body, repair, notes;
    std::string grams() const {
        std::string g = short_grams(body, 'b'), r = short_grams(repair, 'r'), n = short_grams(notes, 'n');
        for (const auto* part : {&r, &n})
            if (!part->empty()) g += (g.empty() ? "" : " ") + *part;
        return g;
    }
    bool operator==(const Document&) const = default;
};

void add_line(std::string& to, const std::string& line) {
    if (line.empty()) return;
    if (!to.empty()) to += '\n';
    to += line;
}

// The job's document, or false when there is no such job.
bool load_document(Db& db, const std::string& job_id, Document& doc) {
    auto job = db.query_one(
        "SELECT j.ticket_no, j.description, j.product_type, j.category, j.repair_json, j.notes, c.name, c.phone, "
        "a.model, a.serial_no FROM jobs j JOIN customers c ON c.id = j.customer_id "
        "LEFT JOIN assets a ON a.id = j.asset_id WHERE j.id = ?",
        {job_id});
    if (!job) return false;
    for (const char* key :
         {"ticket_no", "description", "name", "phone", "model", "serial_no", "product_type", "category"})
        add_line(doc.body, text(job, key));
    add_line(doc.repair,
             text(db.query_one("SELECT findings FROM plans WHERE job_id = ? ORDER BY version DESC LIMIT 1", {job_id}),
                  "findings"));
    add_line(doc.repair, text(job->getObject("repair"), "work_summary"));
    add_line(doc.notes, text(job, "notes"));
    for (auto notes = db.query("SELECT body FROM job_notes WHERE job_id = ? ORDER BY created_at, id", {job_id});
         const auto& v : *notes)
        add_line(doc.notes, text(v.extract<Poco::JSON::Object::Ptr>(), "body"));
    return true;
}

void write_sqlite(Db& db, const std::string& job_id, const Document* doc) {
    auto old = db.query_one("SELECT doc_id, body, repair, notes, grams FROM job_search WHERE job_id = ?", {job_id});
    if (old && doc && Document{text(old, "body"), text(old, "repair"), text(old, "notes")} == *doc) return;
    if (old) {
        Params was = {integer(old, "doc_id"), text(old, "body"), text(old, "repair"), text(old, "notes")};
        db.execute(
            "INSERT INTO job_search_text (job_search_text, rowid, body, repair, notes) VALUES "
            "('delete', ?, ?, ?, ?)",
            was);
        db.execute("INSERT INTO job_search_grams (job_search_grams, rowid, grams) VALUES ('delete', ?, ?)",
                   {integer(old, "doc_id"), text(old, "grams")});
    }
    if (!doc) {
        db.execute("DELETE FROM job_search WHERE job_id = ?", {job_id});
        return;
    }
    std::string grams = doc->grams();
    if (old)
        db.execute("UPDATE job_search SET body = ?, repair = ?, notes = ?, grams = ? WHERE job_id = ?",
                   {doc->body, doc->repair, doc->notes, grams, job_id});
    else
        db.execute("INSERT INTO job_search (job_id, body, repair, notes, grams) VALUES (?, ?, ?, ?, ?)",
                   {job_id, doc->body, doc->repair, doc->notes, grams});
    std::int64_t id =
        old ? integer(old, "doc_id") : db.scalar("SELECT doc_id FROM job_search WHERE job_id = ?", {job_id});
    db.execute("INSERT INTO job_search_text (rowid, body, repair, notes) VALUES (?, ?, ?, ?)",
               {id, doc->body, doc->repair, doc->notes});
    db.execute("INSERT INTO job_search_grams (rowid, grams) VALUES (?, ?)", {id, grams});
}

void write_postgresql(Db& db, const std::string& job_id, const Document* doc) {
    if (!doc) {
        db.execute("DELETE FROM job_search WHERE job_id = ?", {job_id});
        return;
    }
    // The document keeps its number (doc_id, report order) when it changes; an unchanged one is not rewritten.
    db.execute(
        "INSERT INTO job_search (job_id, body, repair, notes, grams) VALUES (?, ?, ?, ?, "
        "string_to_array(CAST(? AS TEXT), ' ')) ON CONFLICT (job_id) DO UPDATE SET body = excluded.body, "
        "repair = excluded.repair, notes = excluded.notes, grams = excluded.grams WHERE job_search.body <> "
        "excluded.body OR job_search.repair <> excluded.repair OR job_search.notes <> excluded.notes",
        {job_id, doc->body, doc->repair, doc->notes, doc->grams()});
}

}  // namespace

std::vector<std::string> search_terms(const std::string& text, const std::string& field) {
    auto points = decode(text);
    if (!points.ok) throw Error(ErrorCode::invalid_field, fieldsync::Message{"search.utf8", {{"field", field}}}, field);
    if (points.points.size() > kMaxSearchChars)
        throw Error(
            ErrorCode::invalid_field,
            fieldsync::Message{"field.max_length", {{"field", field}, {"max", std::to_string(kMaxSearchChars)}}},
            field);
    std::vector<std::string> terms;
    std::string current;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            if (!current.empty()) terms.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) terms.push_back(std::move(current));
    if (terms.size() > kMaxSearchTerms)
        throw Error(
            ErrorCode::invalid_field,
            fieldsync::Message{"search.too_many_words", {{"field", field}, {"max", std::to_string(kMaxSearchTerms)}}},
            field);
    return terms;
}

TextMatch text_match(Dialect dialect, const std::vector<std::string>& terms, SearchParts parts) {
    std::vector<std::string> longs, shorts;
    for (const auto& term : terms) (length_of(term) >= 3 ? longs : shorts).push_back(lower_ascii(term));
    return dialect == Dialect::sqlite ? sqlite_match(longs, shorts, parts) : postgresql_match(longs, shorts, parts);
}

std::string short_grams(std::string_view text, char part) {
    auto d = decode(text);
    std::set<std::string> grams;
    auto piece = [&](std::size_t from, std::size_t to) {
        return std::string(1, part) +
               lower_ascii(std::string(text.substr(d.starts[from], d.starts[to] - d.starts[from])));
    };
    std::size_t n = d.points.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (is_cjk(d.points[i])) {
            grams.insert(piece(i, i + 1));
            if (i + 1 < n && is_cjk(d.points[i + 1])) grams.insert(piece(i, i + 2));
        } else if (is_word_char(d.points[i]) && (i == 0 || !is_word_char(d.points[i - 1]))) {
            std::size_t end = i;
            while (end < n && is_word_char(d.points[end])) ++end;
            if (end - i <= 2) grams.insert(piece(i, end));
        }
    }
    std::string out;
    for (const auto& g : grams) out += (out.empty() ? "" : " ") + g;
    return out;
}

void index_job(Db& db, const std::string& job_id) {
    Document doc;
    bool exists = load_document(db, job_id, doc);
    if (db.dialect() == Dialect::sqlite)
        write_sqlite(db, job_id, exists ? &doc : nullptr);
    else
        write_postgresql(db, job_id, exists ? &doc : nullptr);
}

void index_changed_row(Db& db, const std::string& table, const std::string& row_id) {
    const char* jobs_of = table == "jobs"        ? nullptr
                          : table == "customers" ? "SELECT id FROM jobs WHERE customer_id = ? ORDER BY id"
                          : table == "assets"    ? "SELECT id FROM jobs WHERE asset_id = ? ORDER BY id"
                          : table == "job_notes" ? "SELECT job_id AS id FROM job_notes WHERE id = ?"
                                                 : "";
    if (!jobs_of) {
        index_job(db, row_id);
        return;
    }
    if (!*jobs_of) return;
    for (auto rows = db.query(jobs_of, {row_id}); const auto& v : *rows)
        index_job(db, text(v.extract<Poco::JSON::Object::Ptr>(), "id"));
}

std::size_t index_unindexed_jobs(Db& db) {
    std::vector<std::string> ids;
    db.each(
        "SELECT j.id FROM jobs j WHERE NOT EXISTS (SELECT 1 FROM job_search s WHERE s.job_id = j.id) "
        "ORDER BY j.created_at, j.id",
        {}, [&](const RowView& row) {
            ids.emplace_back(row.text(0));
            return true;
        });
    for (const auto& id : ids) index_job(db, id);
    return ids.size();
}

}  // namespace fieldserver
