// Applies the embedded migrations in version order, each in one transaction: SQL files for every store or for one
// dialect, and steps in code (a back-fill that SQL cannot state).
#include "fieldserver/storage/migrations.hpp"

#include <functional>
#include <map>
#include <stdexcept>

#include "fieldserver/storage/search_index.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {

// Defined in the source generated from schemas/migrations by cmake/EmbedFiles.cmake.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_migrations();

namespace {

// Splits a migration into statements at semicolons that end a line; migrations hold no procedural code.
std::vector<std::string> statements(std::string_view text) {
    std::vector<std::string> out;
    std::string current;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string line(text.substr(start, end - start));
        start = end + 1;
        if (line.rfind("--", 0) == 0) continue;
        current += line + "\n";
        auto last = line.find_last_not_of(" \t\r");
        if (last != std::string::npos && line[last] == ';') {
            out.push_back(current);
            current.clear();
        }
    }
    if (current.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(current);
    return out;
}

// One migration: its version, the name recorded, and what it does in its transaction.
struct Step {
    std::string name;
    std::function<void(Db&)> run;
};

// Migrations written in code, by version: what needs more than SQL, such as the search documents of the jobs an
// older database holds (their grams are computed in C++).
const std::vector<std::pair<std::int64_t, Step>>& code_steps() {
    static const std::vector<std::pair<std::int64_t, Step>> steps = {
        {91, {"0091_search_backfill", [](Db& db) { index_unindexed_jobs(db); }}},
    };
    return steps;
}

// "NNNN_name.sql" runs on every store; "NNNN_name.sqlite.sql" or "NNNN_name.postgresql.sql" only on that dialect,
// where a version may have one file per dialect. Two migrations of one version on one store stop the start.
std::map<std::int64_t, Step> steps_for(Dialect dialect) {
    std::map<std::int64_t, Step> steps;
    auto add = [&](std::int64_t version, Step step) {
        if (steps.count(version))
            throw std::logic_error("two migrations of version " + std::to_string(version) + ": " +
                                   steps.at(version).name + " and " + step.name);
        steps.emplace(version, std::move(step));
    };
    const std::string other = dialect == Dialect::sqlite ? ".postgresql.sql" : ".sqlite.sql";
    for (const auto& [name, text] : embedded_migrations()) {
        std::string file(name.substr(name.rfind('/') + 1));
        if (file.size() > other.size() && file.compare(file.size() - other.size(), other.size(), other) == 0) continue;
        add(std::stoll(file.substr(0, file.find('_'))), Step{file, [sql = text](Db& db) {
                                                                 for (const auto& s : statements(sql)) db.execute(s);
                                                             }});
    }
    for (const auto& [version, step] : code_steps()) add(version, step);
    return steps;
}

}  // namespace

std::vector<std::string> migrate(Database& database) {
    database.write([](Db& db) {
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL)");
    });
    std::vector<std::string> applied;
    for (const auto& [version, step] : steps_for(database.dialect())) {
        database.write([&, version = version](Db& db) {
            if (db.scalar("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", {version}) > 0) return;
            step.run(db);
            db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                       {version, step.name, fieldsync::format_utc(fieldsync::now_ms())});
            applied.push_back(step.name);
        });
    }
    return applied;
}

}  // namespace fieldserver
