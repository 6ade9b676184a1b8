// Copies a deployment's rows and attachment bytes into another store, table by table in foreign-key order, and
// checks the result (store_copy.hpp).
#include "fieldserver/app/store_copy.hpp"

#include <Poco/File.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "fieldserver/app/instance.hpp"
#include "fieldserver/domain/attachments/blob_store.hpp"
#include "fieldserver/domain/audit/audit_log.hpp"
#include "fieldserver/storage/migrations.hpp"
#include "fieldserver/storage/search_index.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"

namespace fieldserver {

namespace {

// Kept by their own copy step (attachments) or per database (migrations, the jobs' search index: rebuilt in the
// target from the copied rows, its tables differ by dialect).
const std::set<std::string> kNotCopied = {"schema_migrations", "attachment_chunks", "attachment_blobs"};
bool copied(const std::string& table) { return !kNotCopied.count(table) && table.rfind("job_search", 0) != 0; }

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

// The tables of a SQLite schema, every table after the tables it references.
std::vector<std::string> tables_in_order(Database& schema) {
    return schema.read([](Db& db) {
        std::vector<std::string> names;
        for (auto rows = db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                  "'sqlite_%' ORDER BY name");
             const auto& v : *rows)
            if (auto name = text(v.extract<Poco::JSON::Object::Ptr>(), "name"); copied(name)) names.push_back(name);
        std::vector<std::string> ordered;
        std::set<std::string> placed;
        std::function<void(const std::string&)> place = [&](const std::string& table) {
            if (!placed.insert(table).second) return;
            for (auto rows = db.query("SELECT \"table\" AS parent FROM pragma_foreign_key_list(?)", {table});
                 const auto& v : *rows)
                if (auto parent = text(v.extract<Poco::JSON::Object::Ptr>(), "parent"); parent != table) place(parent);
            ordered.push_back(table);
        };
        for (const auto& name : names) place(name);
        return ordered;
    });
}

std::vector<std::string> columns_of(Database& schema, const std::string& table) {
    return schema.read([&](Db& db) {
        std::vector<std::string> columns;
        for (auto rows = db.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", {table}); const auto& v : *rows)
            columns.push_back(text(v.extract<Poco::JSON::Object::Ptr>(), "name"));
        return columns;
    });
}

Value value_of(const Poco::Dynamic::Var& v) {
    if (v.isEmpty()) return std::monostate{};
    if (v.isInteger()) return v.convert<std::int64_t>();
    if (v.isNumeric()) return v.convert<double>();
    return v.convert<std::string>();
}

std::int64_t count(Database& database, const std::string& table) {
    return database.read([&](Db& db) { return db.scalar("SELECT COUNT(*) FROM " + quoted(table)); });
}

// Copies one table in one transaction of the target. Columns are read under positional aliases (v0, v1, …), so
// the gateway's conventions for is_* and *_json names leave every value as stored. A SQLite source is read in
// insertion order, so a row that references an older row of its own table (a linked job) follows it.
void copy_table(Database& from, Database& to, const std::string& table, const std::vector<std::string>& columns) {
    std::string select = "SELECT ", insert = "INSERT INTO " + quoted(table) + " (", values;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        select += (i ? ", " : "") + quoted(columns[i]) + " AS v" + std::to_string(i);
        insert += (i ? ", " : "") + quoted(columns[i]);
        values += i ? ", ?" : "?";
    }
    std::string order = " ORDER BY ";
    for (std::size_t i = 0; i < columns.size(); ++i) order += (i ? ", " : "") + std::to_string(i + 1);
    select += " FROM " + quoted(table) + (from.dialect() == Dialect::sqlite ? " ORDER BY rowid" : order) +
              " LIMIT 1000 OFFSET ?";
    insert += ") VALUES (" + values + ")";
    to.write([&](Db& target) {
        // SQLite checks foreign keys at commit instead of per row; PostgreSQL's are met by the table order.
        if (to.dialect() == Dialect::sqlite) target.execute("PRAGMA defer_foreign_keys = ON");
        for (std::int64_t offset = 0;; offset += 1000) {
            auto rows = from.read([&](Db& source) { return source.query(select, {offset}); });
            for (const auto& v : *rows) {
                auto row = v.extract<Poco::JSON::Object::Ptr>();
                Params params;
                for (std::size_t i = 0; i < columns.size(); ++i)
                    params.push_back(value_of(row->get("v" + std::to_string(i))));
                target.execute(insert, params);
            }
            if (rows->size() < 1000) return;
        }
    });
}

std::size_t copy_attachments(Database& from, const std::string& from_folder, Database& to,
                             const std::string& to_folder) {
    auto source = make_blob_store(from, from_folder);
    auto target = make_blob_store(to, to_folder);
    auto names = source->complete_names();
    for (const auto& name : names) {
        auto bytes = source->read(name);
        if (sha256_hex(bytes) != name) throw std::runtime_error("attachment " + name + " does not hash to its name");
        target->store(name, bytes);
    }
    if (target->complete_names().size() < names.size())
        throw std::runtime_error("the copy holds fewer attachments than the original");
    return names.size();
}

void check_copy(Database& from, Database& to, StoreCopyReport& report) {
    for (const auto& [table, rows] : report.rows)
        if (count(to, table) != rows)
            throw std::runtime_error("table " + table + ": " + std::to_string(rows) + " rows, the copy has " +
                                     std::to_string(count(to, table)));
    auto counters = [](Database& database) {
        return database.read([](Db& db) {
            std::map<std::string, std::int64_t> out;
            for (auto rows = db.query("SELECT name, value FROM sync_counters"); const auto& v : *rows)
                out[text(v.extract<Poco::JSON::Object::Ptr>(), "name")] =
                    integer(v.extract<Poco::JSON::Object::Ptr>(), "value");
            return out;
        });
    };
    if (counters(from) != counters(to)) throw std::runtime_error("the change-log counters differ in the copy");
    auto last_seq = [](Database& database) {
        return database.read([](Db& db) { return db.scalar("SELECT COALESCE(MAX(seq), 0) FROM sync_changes"); });
    };
    report.last_seq = last_seq(to);
    if (last_seq(from) != report.last_seq) throw std::runtime_error("the change log's last seq differs in the copy");
    to.read([&](Db& db) {
        for (auto rows = db.query("SELECT id FROM jobs ORDER BY id"); const auto& v : *rows) {
            auto id = text(v.extract<Poco::JSON::Object::Ptr>(), "id");
            auto verified = verify_chain(db, id);
            if (!verified->getValue<bool>("ok"))
                throw std::runtime_error("the audit chain of job " + id +
                                         " does not verify in the copy: " + text(verified, "reason"));
            ++report.audit_chains;
        }
    });
}

}  // namespace

StoreCopyReport copy_store(Database& from, const std::string& from_attachments, Database& to,
                           const std::string& to_attachments) {
    if (from.dialect() != Dialect::sqlite && to.dialect() != Dialect::sqlite)
        throw std::invalid_argument("one side of a copy must be a SQLite file");
    from.exclusively(kStartupLockKey, [&] { migrate(from); });
    StoreCopyReport report;
    to.exclusively(kStartupLockKey, [&] {
        migrate(to);
        if (to.read([](Db& db) {
                return db.scalar("SELECT COUNT(*) FROM users") + db.scalar("SELECT COUNT(*) FROM jobs");
            }) > 0)
            throw std::runtime_error("the target already holds users or jobs; copy only into an empty database");
        Database& schema = from.dialect() == Dialect::sqlite ? from : to;
        auto tables = tables_in_order(schema);
        // Rows the migrations seeded (counters, settings) make way for the original's.
        to.write([&](Db& db) {
            for (auto t = tables.rbegin(); t != tables.rend(); ++t) db.execute("DELETE FROM " + quoted(*t));
        });
        for (const auto& table : tables) {
            copy_table(from, to, table, columns_of(schema, table));
            report.rows[table] = count(from, table);
        }
        to.write([](Db& db) { index_unindexed_jobs(db); });
        report.attachments = copy_attachments(from, from_attachments, to, to_attachments);
        check_copy(from, to, report);
    });
    return report;
}

namespace {

// The audit checkpoints' key and journal live outside the database (docs/architecture.md), so a backup carries
// them beside the file and a restore puts them back: without the key that signed them, the restored checkpoints
// would not verify. A target that has a key of its own keeps it, and the restore is refused before anything is
// copied.
struct AuditFiles {
    std::string key;
    std::vector<std::string> journals;  // read from (all of them), or written to (the first)
};

std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void copy_file_if(const std::string& from, const std::string& to) {
    if (Poco::File(from).exists()) Poco::File(from).copyTo(to);
}

void check_audit_target(const AuditFiles& from, const AuditFiles& to) {
    if (Poco::File(from.key).exists() && Poco::File(to.key).exists() && file_text(from.key) != file_text(to.key))
        throw std::invalid_argument("the target already has its own audit key " + to.key +
                                    "; move it aside so the copy's checkpoints verify with the key that signed them");
}

void copy_audit_files(const AuditFiles& from, const AuditFiles& to) {
    if (Poco::File(to.key).exists()) return;
    copy_file_if(from.key, to.key);
    copy_file_if(from.key + ".pub", to.key + ".pub");
    // Every instance's journal into one: verification takes each job's highest signed seq, whichever line has it.
    for (const auto& journal : from.journals) {
        if (!Poco::File(journal).exists()) continue;
        std::ofstream out(to.journals.front(), std::ios::binary | std::ios::app);
        out << file_text(journal);
    }
}

}  // namespace

int run_store_command(const std::string& command, const std::string& argument, const ServerConfig& cfg) {
    ::umask(077);  // a backup holds password hashes and customer data: owner-only, like the data folder
    std::string attachments = cfg.data_dir + "/attachments";
    std::unique_ptr<Database> from, to;
    std::string from_folder = attachments, to_folder = attachments;
    if (command == "move-to-postgres") {
        if (is_postgresql_connection(cfg.database) || !is_postgresql_connection(argument))
            throw std::invalid_argument(
                "--move-to-postgres moves the configured SQLite database into the PostgreSQL "
                "database it names");
        from = std::make_unique<Database>(cfg.database, 2);
        to = std::make_unique<Database>(argument, 3);
    } else if (command == "backup" || command == "restore") {
        if (is_postgresql_connection(argument) || (command == "backup" && Poco::File(argument).exists()))
            throw std::invalid_argument("--" + command + " takes a SQLite file" +
                                        (command == "backup" ? " that does not exist yet" : ""));
        auto configured = std::make_unique<Database>(cfg.database, 3);
        auto file = std::make_unique<Database>(argument, 2);
        (command == "backup" ? to_folder : from_folder) = argument + ".attachments";
        from = command == "backup" ? std::move(configured) : std::move(file);
        to = command == "backup" ? std::move(file) : std::move(configured);
    } else {
        throw std::invalid_argument("unknown store command " + command);
    }
    // A restored journal keeps the plain name, which every instance reads along with the journals named by node.
    AuditFiles here{cfg.audit_key_file, command == "backup"
                                            ? audit_journal_files(cfg.audit_journal_dir)
                                            : std::vector{cfg.audit_journal_dir + "/audit-checkpoints.jsonl"}};
    AuditFiles beside{argument + ".audit-key.pem", {argument + ".audit-checkpoints.jsonl"}};
    bool carries_audit = command == "backup" || command == "restore";
    if (command == "restore") check_audit_target(beside, here);
    auto report = copy_store(*from, from_folder, *to, to_folder);
    if (carries_audit) copy_audit_files(command == "backup" ? here : beside, command == "backup" ? beside : here);
    std::int64_t rows = 0;
    for (const auto& [table, n] : report.rows) rows += n;
    std::cout << command << ": copied " << rows << " rows of " << report.rows.size() << " tables and "
              << report.attachments << " attachments from " << from->description() << " to " << to->description()
              << "\nchecked: row counts per table, change-log counters (last seq " << report.last_seq << "), "
              << report.audit_chains << " audit chains intact\n";
    return 0;
}

}  // namespace fieldserver
