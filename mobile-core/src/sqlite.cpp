// The sqlite3 RAII wrappers: errors become fieldsync::Error with SQLite's message.
#include "sqlite.hpp"

#include "fieldsync/error.hpp"

namespace fieldmobile::sqlite {
namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    throw Error(ErrorCode::internal, what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Connection::Connection(const std::string& path) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw Error(ErrorCode::unavailable, "cannot open the replica " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, 5000);
    // WAL keeps readers (a UI thread) unblocked by the sync writer; foreign keys are not used across synced rows
    // because the server decides which rows a device holds.
    // A bootstrap commits a page at a time; checkpointing after every few pages (the default 1,000-page WAL)
    // rewrote the same B-tree pages again and again. Up to 32 MiB of WAL first copies each page far fewer times.
    // A page cache of 8 MiB instead of 2: a bootstrap's inserts kept reading back the B-tree pages they had just
    // written from the WAL file (a system call and a copy each).
    exec_script(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=8192; PRAGMA cache_size=-8192;");
}

Connection::~Connection() {
    cache_.clear();
    sqlite3_close(db_);
}

void Connection::exec_script(const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        throw Error(ErrorCode::internal, "SQLite: " + text);
    }
}

Statement& Connection::prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) it = cache_.emplace(sql, std::make_unique<Statement>(*this, sql)).first;
    it->second->reset();
    return *it->second;
}

int Connection::run(const std::string& sql, const std::vector<Value>& values) {
    Statement& s = prepare(sql);
    s.bind(values);
    while (s.step()) {
    }
    int changed = sqlite3_changes(db_);
    s.reset();
    return changed;
}

std::optional<std::string> Connection::text(const std::string& sql, const std::vector<Value>& values) {
    Statement& s = prepare(sql);
    s.bind(values);
    std::optional<std::string> out;
    if (s.step() && !s.is_null(0)) out = s.text(0);
    s.reset();
    return out;
}

std::optional<std::int64_t> Connection::integer(const std::string& sql, const std::vector<Value>& values) {
    Statement& s = prepare(sql);
    s.bind(values);
    std::optional<std::int64_t> out;
    if (s.step() && !s.is_null(0)) out = s.integer(0);
    s.reset();
    return out;
}

Statement::Statement(Connection& connection, const std::string& sql) : connection_(connection), sql_(sql) {
    if (sqlite3_prepare_v3(connection.handle(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
        SQLITE_OK)
        fail(connection.handle(), "SQLite cannot prepare \"" + sql + "\"");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::bind(const std::vector<Value>& values) {
    sqlite3_clear_bindings(stmt_);
    for (std::size_t i = 0; i < values.size(); ++i) {
        int index = static_cast<int>(i) + 1;
        int rc = std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::monostate>)
                    return sqlite3_bind_null(stmt_, index);
                else if constexpr (std::is_same_v<T, std::int64_t>)
                    return sqlite3_bind_int64(stmt_, index, v);
                else if constexpr (std::is_same_v<T, double>)
                    return sqlite3_bind_double(stmt_, index, v);
                else
                    return sqlite3_bind_text(stmt_, index, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
            },
            values[i]);
        if (rc != SQLITE_OK) fail(connection_.handle(), "SQLite cannot bind a value of \"" + sql_ + "\"");
    }
}

void Statement::bind_text(int index, std::string_view text) {
    if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC) != SQLITE_OK)
        fail(connection_.handle(), "SQLite cannot bind a value of \"" + sql_ + "\"");
}

void Statement::bind_integer(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK)
        fail(connection_.handle(), "SQLite cannot bind a value of \"" + sql_ + "\"");
}

void Statement::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK)
        fail(connection_.handle(), "SQLite cannot bind a value of \"" + sql_ + "\"");
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string message = sqlite3_errmsg(connection_.handle());
    sqlite3_reset(stmt_);
    throw Error(ErrorCode::internal, "SQLite: " + message + " in \"" + sql_ + "\"");
}

void Statement::reset() { sqlite3_reset(stmt_); }

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::string Statement::text(int column) const {
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }

Transaction::Transaction(Connection& connection) : connection_(connection) {
    if (connection_.in_transaction()) return;
    connection_.exec_script("BEGIN IMMEDIATE");
    owner_ = true;
}

Transaction::~Transaction() {
    if (owner_ && !done_) sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    if (owner_ && !done_) connection_.exec_script("COMMIT");
    done_ = true;
}

}  // namespace fieldmobile::sqlite
