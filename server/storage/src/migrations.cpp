// Applies the embedded migrations in version order; each file runs whole in one transaction.
#include "fieldserver/storage/migrations.hpp"

#include <algorithm>

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

}  // namespace

std::vector<std::string> migrate(Database& database) {
    database.write([](Db& db) {
        db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL)");
    });
    auto files = embedded_migrations();
    std::sort(files.begin(), files.end());
    std::vector<std::string> applied;
    for (const auto& [name, text] : files) {
        std::string file(name.substr(name.rfind('/') + 1));
        std::int64_t version = std::stoll(file.substr(0, file.find('_')));
        database.write([&](Db& db) {
            if (db.scalar("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", {version}) > 0) return;
            for (const auto& sql : statements(text)) db.execute(sql);
            db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                       {version, file, fieldsync::format_utc(fieldsync::now_ms())});
            applied.push_back(file);
        });
    }
    return applied;
}

}  // namespace fieldserver
