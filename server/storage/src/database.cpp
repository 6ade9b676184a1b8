// Connections, kept prepared statements, transactions and bound queries for SQLite and PostgreSQL. Poco::Data opens
// the connections and runs transactions; statements go to sqlite3 and libpq directly, because a Poco::Data
// Statement prepares afresh on every execution on SQLite, and on PostgreSQL costs four round trips (prepare,
// describe, execute, deallocate) where a kept statement costs one.
#include "fieldserver/storage/database.hpp"

#include <Poco/Data/DataException.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/JSON/Parser.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <exception>
#include <list>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace fieldserver {

namespace {

// Whether a statement may be kept. Schema changes, pragmas and session commands run once and are not kept; a
// schema change makes every connection drop its kept statements.
enum class Use { kept, once, schema_change };

Use use_of(std::string_view sql) {
    auto start = sql.find_first_not_of(" \t\r\n(");
    if (start == std::string_view::npos) return Use::once;
    auto end = sql.find_first_of(" \t\r\n(", start);
    std::string word(sql.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (word == "SELECT" || word == "INSERT" || word == "UPDATE" || word == "DELETE" || word == "WITH")
        return Use::kept;
    if (word == "CREATE" || word == "ALTER" || word == "DROP") return Use::schema_change;
    return Use::once;
}

// PostgreSQL placeholders are $1, $2…; the project writes "?" everywhere and translates here.
std::string placeholders_for(const std::string& sql, Dialect dialect) {
    if (dialect == Dialect::sqlite) return sql;
    std::string out;
    out.reserve(sql.size() + 16);
    int n = 0;
    bool quoted = false;
    for (char c : sql) {
        if (c == '\'') quoted = !quoted;
        if (c == '?' && !quoted)
            out += "$" + std::to_string(++n);
        else
            out += c;
    }
    return out;
}

// The most recently used prepared statements of one connection, keyed by SQL text, at most `capacity` of them.
template <class Statement>
class StatementCache {
  public:
    explicit StatementCache(std::size_t capacity) : capacity_(capacity) {}

    // The kept statement for sql, now the most recently used, or null.
    Statement* find(const std::string& sql) {
        auto it = index_.find(sql);
        if (it == index_.end()) return nullptr;
        order_.splice(order_.begin(), order_, it->second);
        return &it->second->second;
    }

    // Keeps statement for sql; returns the least recently used one when that made the cache exceed its bound.
    std::optional<Statement> keep(const std::string& sql, Statement statement) {
        order_.emplace_front(sql, std::move(statement));
        index_[order_.front().first] = order_.begin();
        if (order_.size() <= capacity_) return std::nullopt;
        std::optional<Statement> evicted(std::move(order_.back().second));
        index_.erase(order_.back().first);
        order_.pop_back();
        return evicted;
    }

    Statement& front() { return order_.front().second; }
    std::size_t size() const { return order_.size(); }
    void clear() {
        index_.clear();
        order_.clear();
    }

  private:
    std::size_t capacity_;
    std::list<std::pair<std::string, Statement>> order_;
    std::unordered_map<std::string_view, typename std::list<std::pair<std::string, Statement>>::iterator> index_;
};

}  // namespace

// A Poco session with the statements prepared on it. The session (and the native connection inside it) lives as
// long as this object, and the kept statements go with it.
class Connection {
  public:
    // How a column's values are read, from its declared type (SQLite) or its type (PostgreSQL), as Poco::Data read
    // them before statements were kept: the JSON a caller gets is unchanged.
    enum class Kind { text, integer, real, boolean };
    struct Column {
        std::string name;
        Kind kind = Kind::text;
    };
    // One value of a row: text for Kind::text, integer for Kind::integer and Kind::boolean (0/1), real for Kind::real.
    struct Cell {
        bool null = true;
        std::string_view text;
        std::int64_t integer = 0;
        double real = 0;
    };
    // Called for each row; returns false to stop reading.
    using RowFn = std::function<bool(const std::vector<Column>&, const std::vector<Cell>&)>;

    Connection(const std::string& connector, const std::string& connection, std::atomic<std::uint64_t>& schema)
        : session_(connector, connection), schema_(schema), generation_(schema.load()) {}
    virtual ~Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    Poco::Data::Session& session() { return session_; }
    StatementStats stats() const { return {kept(), prepared_, reused_}; }
    // Refreshes the query planner's statistics where they went stale (SQLite's PRAGMA optimize); PostgreSQL's
    // autovacuum does that by itself.
    virtual void optimize() {}

    // Runs sql ("?" placeholders) with params, passing each row to on_row until it returns false. Returns the rows
    // read, or for a statement that reads none, the rows it changed.
    std::size_t run(const std::string& sql, const Params& params, const RowFn& on_row) {
        if (generation_ != schema_.load()) {
            drop_all();
            generation_ = schema_.load();
        }
        auto use = use_of(sql);
        auto n = use == Use::kept ? run_kept(sql, params, on_row) : run_once(sql, params, on_row);
        if (use == Use::schema_change) {
            ++schema_;
            schema_changed_ = true;
        }
        return n;
    }

    // A schema change inside a transaction is seen by other connections only from its commit: one of them may have
    // prepared a statement on the old schema since the change ran, so they drop their statements again.
    void committed() {
        if (std::exchange(schema_changed_, false)) ++schema_;
        auto actions = std::exchange(after_commit_, {});
        for (auto& action : actions) action();
    }
    void rolled_back() {
        after_commit_.clear();
        notifications_.clear();
        before_commit_.clear();
        state_.clear();
    }
    void after_commit(std::function<void()> f) { after_commit_.push_back(std::move(f)); }
    void before_commit(std::function<void()> f) { before_commit_.push_back(std::move(f)); }
    std::shared_ptr<void>& transaction_state(const std::string& key) { return state_[key]; }
    // Writes what the transaction gathered (Db::gathered); its state goes with the transaction.
    void write_gathered() {
        auto writes = std::exchange(before_commit_, {});
        for (auto& write : writes) write();
        state_.clear();
    }
    void notify_at_commit(const std::string& channel, std::string line) {
        notifications_[channel].push_back(std::move(line));
    }
    // The transaction's notifications, one pg_notify per channel and chunk of lines (a payload holds under 8,000
    // bytes), sent just before its commit: one round trip for a transaction, not one per line.
    void send_notifications() {
        constexpr std::size_t kPayloadBytes = 7000;
        auto pending = std::exchange(notifications_, {});
        for (const auto& [channel, lines] : pending) {
            std::string payload;
            for (std::size_t i = 0; i < lines.size(); ++i) {
                payload += (payload.empty() ? "" : "\n") + lines[i];
                if (i + 1 < lines.size() && payload.size() + lines[i + 1].size() < kPayloadBytes) continue;
                run("SELECT 1 FROM (SELECT pg_notify(?, ?)) AS sent", {channel, payload},
                    [](const auto&, const auto&) { return false; });
                payload.clear();
            }
        }
    }

  protected:
    virtual std::size_t kept() const = 0;
    virtual void drop_all() = 0;
    virtual std::size_t run_kept(const std::string& sql, const Params& params, const RowFn& on_row) = 0;
    virtual std::size_t run_once(const std::string& sql, const Params& params, const RowFn& on_row) = 0;

    std::uint64_t prepared_ = 0;
    std::uint64_t reused_ = 0;

  private:
    std::vector<std::function<void()>> after_commit_;
    std::vector<std::function<void()>> before_commit_;
    std::map<std::string, std::shared_ptr<void>> state_;
    std::map<std::string, std::vector<std::string>> notifications_;
    // Destroyed after the subclass's kept statements, which must not outlive their connection.
    Poco::Data::Session session_;
    std::atomic<std::uint64_t>& schema_;
    std::uint64_t generation_;
    bool schema_changed_ = false;
};

namespace {

using Kind = Connection::Kind;
using Column = Connection::Column;
using Cell = Connection::Cell;
using RowFn = Connection::RowFn;

// --- SQLite

// Poco::Data's mapping of a declared column type (upper-cased, up to the first space or parenthesis) to a value
// type; an expression has no declared type and reads as text, as it did through Poco::Data.
Kind sqlite_kind(const char* declared) {
    if (!declared) return Kind::text;
    std::string type(declared);
    type = type.substr(0, type.find_first_of(" ("));
    for (auto& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (type == "BOOL" || type == "BOOLEAN" || type == "BIT") return Kind::boolean;
    if (type == "REAL" || type == "FLOA" || type == "FLOAT" || type == "DOUB" || type == "DOUBLE" ||
        type == "DECIMAL" || type == "NUMERIC")
        return Kind::real;
    static const char* const integers[] = {
        "UINT8",      "UTINY",     "UINTEGER8", "INT8",      "TINY",   "INTEGER8", "UINT16",     "USHORT",
        "UINTEGER16", "INT16",     "SHORT",     "INTEGER16", "UINT",   "UINT32",   "UINTEGER",   "UINTEGER32",
        "INT",        "INT32",     "INTEGER",   "INTEGER32", "UINT64", "ULONG",    "UINTEGER64", "INT64",
        "LONG",       "INTEGER64", "TINYINT",   "SMALLINT",  "BIGINT", "LONGINT",  "COUNTER",    "AUTOINCREMENT"};
    for (const char* name : integers)
        if (type == name) return Kind::integer;
    return Kind::text;
}

// A prepared sqlite3 statement, finalized when dropped.
class SqliteStatement {
  public:
    explicit SqliteStatement(sqlite3_stmt* stmt) : stmt_(stmt) {}
    SqliteStatement(SqliteStatement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
    SqliteStatement& operator=(SqliteStatement&&) = delete;
    ~SqliteStatement() { sqlite3_finalize(stmt_); }
    sqlite3_stmt* get() const { return stmt_; }

  private:
    sqlite3_stmt* stmt_;
};

class SqliteConnection : public Connection {
  public:
    SqliteConnection(const std::string& path, std::size_t capacity, std::atomic<std::uint64_t>& schema)
        : Connection("SQLite", path, schema), db_(Poco::Data::SQLite::Utility::dbHandle(session())), cache_(capacity) {
        // busy_timeout covers readers meeting a checkpoint; foreign keys are off by default in SQLite.
        session() << "PRAGMA busy_timeout = 10000", Poco::Data::Keywords::now;
        session() << "PRAGMA foreign_keys = ON", Poco::Data::Keywords::now;
        session() << "PRAGMA synchronous = NORMAL", Poco::Data::Keywords::now;
        // SQLite 3.40 (Debian bookworm) sets no limit of its own on the ANALYZE that PRAGMA optimize runs (3.46 does):
        // 400 rows an index, as its documentation advises, keeps that quick on a large table.
        session() << "PRAGMA analysis_limit = 400", Poco::Data::Keywords::now;
    }

    // SQLite's advice for long-lived connections: optimize before closing, for the tables this connection used.
    ~SqliteConnection() override {
        try {
            if (session().isGood()) optimize();
        } catch (...) {
            // Statistics are an aid to the planner: a connection that cannot refresh them closes all the same.
        }
    }

    void optimize() override { session() << "PRAGMA optimize", Poco::Data::Keywords::now; }

  protected:
    std::size_t kept() const override { return cache_.size(); }
    void drop_all() override { cache_.clear(); }

    std::size_t run_kept(const std::string& sql, const Params& params, const RowFn& on_row) override {
        if (auto* kept = cache_.find(sql)) {
            ++reused_;
            return execute(kept->get(), params, on_row);
        }
        SqliteStatement fresh = prepare(sql);
        cache_.keep(sql, std::move(fresh));
        return execute(cache_.front().get(), params, on_row);
    }

    std::size_t run_once(const std::string& sql, const Params& params, const RowFn& on_row) override {
        SqliteStatement once = prepare(sql);
        return execute(once.get(), params, on_row);
    }

  private:
    SqliteStatement prepare(const std::string& sql) {
        sqlite3_stmt* stmt = nullptr;
        const char* tail = nullptr;
        int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size() + 1), &stmt, &tail);
        SqliteStatement guard(stmt);
        if (rc != SQLITE_OK) Poco::Data::SQLite::Utility::throwException(db_, rc, sql);
        if (!stmt) throw Poco::Data::SQLite::InvalidSQLStatementException("empty statement", sql);
        // One statement per call, as on PostgreSQL: a second one would otherwise be skipped silently.
        if (std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos)
            throw Poco::Data::SQLite::InvalidSQLStatementException("more than one statement", sql);
        ++prepared_;
        return guard;
    }

    void bind(sqlite3_stmt* stmt, const Params& params) {
        if (static_cast<std::size_t>(sqlite3_bind_parameter_count(stmt)) != params.size())
            throw Poco::Data::BindingException("statement has " + std::to_string(sqlite3_bind_parameter_count(stmt)) +
                                               " placeholders, given " + std::to_string(params.size()) + " values");
        for (std::size_t i = 0; i < params.size(); ++i) {
            int at = static_cast<int>(i + 1);
            int rc = std::visit(
                [&](const auto& v) {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::monostate>)
                        return sqlite3_bind_null(stmt, at);
                    else if constexpr (std::is_same_v<T, bool>)
                        return sqlite3_bind_int64(stmt, at, v ? 1 : 0);
                    else if constexpr (std::is_same_v<T, std::int64_t>)
                        return sqlite3_bind_int64(stmt, at, v);
                    else if constexpr (std::is_same_v<T, double>)
                        return sqlite3_bind_double(stmt, at, v);
                    else  // the params outlive the execution: the bindings are cleared before run() returns
                        return sqlite3_bind_text(stmt, at, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
                },
                params[i]);
            if (rc != SQLITE_OK) Poco::Data::SQLite::Utility::throwException(db_, rc);
        }
    }

    // A unique key taken is a conflict for the caller, as on PostgreSQL; anything else is a database failure.
    [[noreturn]] void throw_step_error(int rc) {
        int extended = sqlite3_extended_errcode(db_);
        if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY)
            throw UniqueViolation(sqlite3_errmsg(db_));
        if ((extended & 0xff) == SQLITE_FULL) throw StorageFull("the database's disk");
        Poco::Data::SQLite::Utility::throwException(db_, rc);
        throw Poco::Data::SQLite::SQLiteException("sqlite3_step failed", rc);
    }

    std::size_t execute(sqlite3_stmt* stmt, const Params& params, const RowFn& on_row) {
        // Leaves the statement ready for its next use, and no read transaction open, however this returns.
        struct Reset {
            sqlite3_stmt* stmt;
            ~Reset() {
                sqlite3_reset(stmt);
                sqlite3_clear_bindings(stmt);
            }
        } reset{stmt};
        bind(stmt, params);
        int count = sqlite3_column_count(stmt);
        std::vector<Column> columns(static_cast<std::size_t>(count));
        for (int c = 0; c < count; ++c)
            columns[static_cast<std::size_t>(c)] = {sqlite3_column_name(stmt, c),
                                                    sqlite_kind(sqlite3_column_decltype(stmt, c))};
        std::vector<Cell> cells(columns.size());
        std::size_t rows = 0;
        for (bool more = true; more;) {
            int rc = sqlite3_step(stmt);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) throw_step_error(rc);
            ++rows;
            for (int c = 0; c < count; ++c)
                read(stmt, c, columns[static_cast<std::size_t>(c)].kind, cells[static_cast<std::size_t>(c)]);
            more = on_row(columns, cells);
        }
        if (rows == 0 && !sqlite3_stmt_readonly(stmt)) return static_cast<std::size_t>(sqlite3_changes(db_));
        return rows;
    }

    static void read(sqlite3_stmt* stmt, int c, Kind kind, Cell& cell) {
        cell.null = sqlite3_column_type(stmt, c) == SQLITE_NULL;
        if (cell.null) return;
        switch (kind) {
            case Kind::text: {
                auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
                cell.text = std::string_view(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
                break;
            }
            case Kind::integer:
                cell.integer = sqlite3_column_int64(stmt, c);
                break;
            case Kind::boolean:
                cell.integer = sqlite3_column_int(stmt, c) != 0 ? 1 : 0;
                break;
            case Kind::real:
                cell.real = sqlite3_column_double(stmt, c);
                break;
        }
    }

    sqlite3* db_;
    StatementCache<SqliteStatement> cache_;
};

// --- PostgreSQL

// Poco::Data's reading of PostgreSQL types (catalog OIDs); every other type (text, varchar, dates…) reads as its
// text.
Kind postgres_kind(Oid type) {
    switch (type) {
        case 16:
            return Kind::boolean;  // bool
        case 20:
        case 21:
        case 23:
            return Kind::integer;  // int8, int2, int4
        case 700:
        case 701:
        case 1700:
            return Kind::real;  // float4, float8, numeric
        default:
            return Kind::text;
    }
}

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

// A server-side prepared statement: its name on the connection.
struct PgStatement {
    std::string name;
};

class PostgresConnection : public Connection {
  public:
    PostgresConnection(const std::string& connection, std::size_t capacity, std::atomic<std::uint64_t>& schema)
        : Connection("PostgreSQL", connection, schema),
          conn_(dynamic_cast<Poco::Data::PostgreSQL::SessionImpl&>(*session().impl()).handle()),
          cache_(capacity) {}

  protected:
    std::size_t kept() const override { return cache_.size(); }

    // Prepared statements outlive transactions (ROLLBACK keeps them), so they are deallocated explicitly. A failed
    // DEALLOCATE (an aborted transaction) leaves a statement no name here will use again until the connection ends.
    void drop_all() override {
        if (cache_.size() == 0) return;
        cache_.clear();
        PgResult(PQexec(conn_, "DEALLOCATE ALL"), PQclear);
    }

    std::size_t run_kept(const std::string& sql, const Params& params, const RowFn& on_row) override {
        if (auto* kept = cache_.find(sql)) {
            ++reused_;
            return execute(kept->name, {}, params, on_row);
        }
        std::string name = "fr" + std::to_string(++names_);
        std::string text = placeholders_for(sql, Dialect::postgresql);
        check(PgResult(PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr), PQclear), "prepare", text);
        ++prepared_;
        if (auto evicted = cache_.keep(sql, {name}))
            PgResult(PQexec(conn_, ("DEALLOCATE " + evicted->name).c_str()), PQclear);
        return execute(name, {}, params, on_row);
    }

    std::size_t run_once(const std::string& sql, const Params& params, const RowFn& on_row) override {
        return execute({}, placeholders_for(sql, Dialect::postgresql), params, on_row);
    }

  private:
    // Executes the prepared statement `name`, or when name is empty, `text` unprepared (one round trip either way).
    std::size_t execute(const std::string& name, const std::string& text, const Params& params, const RowFn& on_row) {
        // Values go as text, their types inferred by the server, as Poco::Data sent them.
        std::vector<std::string> rendered(params.size());
        std::vector<const char*> values(params.size(), nullptr);
        for (std::size_t i = 0; i < params.size(); ++i)
            std::visit(
                [&](const auto& v) {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, bool>)
                        rendered[i] = v ? "1" : "0";
                    else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
                        char buffer[32];
                        auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
                        rendered[i].assign(buffer, end);
                    }
                    if constexpr (std::is_same_v<T, std::string>)
                        values[i] = v.c_str();
                    else if constexpr (!std::is_same_v<T, std::monostate>)
                        values[i] = rendered[i].c_str();
                },
                params[i]);
        int n = static_cast<int>(params.size());
        PgResult result(name.empty() ? PQexecParams(conn_, text.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0)
                                     : PQexecPrepared(conn_, name.c_str(), n, values.data(), nullptr, nullptr, 0),
                        PQclear);
        check(result, "execute", name.empty() ? text : name);
        if (PQresultStatus(result.get()) != PGRES_TUPLES_OK)
            return std::strtoull(PQcmdTuples(result.get()), nullptr, 10);
        return rows(result.get(), on_row);
    }

    static std::size_t rows(PGresult* result, const RowFn& on_row) {
        int count = PQnfields(result), tuples = PQntuples(result);
        std::vector<Column> columns(static_cast<std::size_t>(count));
        for (int c = 0; c < count; ++c)
            columns[static_cast<std::size_t>(c)] = {PQfname(result, c), postgres_kind(PQftype(result, c))};
        std::vector<Cell> cells(columns.size());
        for (int r = 0; r < tuples; ++r) {
            for (int c = 0; c < count; ++c)
                read(result, r, c, columns[static_cast<std::size_t>(c)].kind, cells[static_cast<std::size_t>(c)]);
            if (!on_row(columns, cells)) break;
        }
        return static_cast<std::size_t>(tuples);
    }

    static void read(PGresult* result, int r, int c, Kind kind, Cell& cell) {
        cell.null = PQgetisnull(result, r, c) != 0;
        if (cell.null) return;
        std::string_view text(PQgetvalue(result, r, c), static_cast<std::size_t>(PQgetlength(result, r, c)));
        switch (kind) {
            case Kind::text:
                cell.text = text;
                break;
            case Kind::integer:
                std::from_chars(text.data(), text.data() + text.size(), cell.integer);
                break;
            case Kind::boolean:
                cell.integer = text == "t" ? 1 : 0;
                break;
            case Kind::real:
                cell.real = std::strtod(std::string(text).c_str(), nullptr);
                break;
        }
    }

    // Throws as Poco::Data did, with the server's message, SQL state and detail.
    static void check(const PgResult& result, const char* what, const std::string& statement) {
        auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
        auto field = [&](int code) {
            const char* v = result ? PQresultErrorField(result.get(), code) : nullptr;
            return std::string(v ? v : "N/A");
        };
        std::string state = field(PG_DIAG_SQLSTATE);
        // 40P01 deadlock_detected, 40001 serialization_failure: the transaction is over; write() runs it again.
        if (state == "40P01" || state == "40001")
            throw TransactionRaced(std::string("PostgreSQL ended the transaction (") + state + "): " + statement);
        if (state == "23505") throw UniqueViolation(field(PG_DIAG_CONSTRAINT_NAME));
        // 53100 disk_full; a failed file extension reports the OS's ENOSPC under other states.
        if (state == "53100" || field(PG_DIAG_MESSAGE_PRIMARY).find("No space left on device") != std::string::npos)
            throw StorageFull("the database's disk");
        throw Poco::Data::PostgreSQL::StatementException(
            std::string("postgresql_stmt_") + what + " error: " + (result ? PQresultErrorMessage(result.get()) : "") +
            " State: " + field(PG_DIAG_SQLSTATE) + " Detail: " + field(PG_DIAG_MESSAGE_DETAIL) +
            " Constraint: " + field(PG_DIAG_CONSTRAINT_NAME) + " " + statement);
    }

    PGconn* conn_;
    StatementCache<PgStatement> cache_;
    std::uint64_t names_ = 0;
};

// --- rows as JSON

// How a column becomes a JSON member: its name, and whether it is an is_* flag or a *_json document.
struct Member {
    std::string name;
    enum { plain, flag, document } shape = plain;
};

std::vector<Member> members_of(const std::vector<Column>& columns) {
    std::vector<Member> out;
    for (const auto& column : columns) {
        const auto& n = column.name;
        if (n.size() > 5 && n.compare(n.size() - 5, 5, "_json") == 0)
            out.push_back({n.substr(0, n.size() - 5), Member::document});
        else
            out.push_back({n, n.rfind("is_", 0) == 0 ? Member::flag : Member::plain});
    }
    return out;
}

// The value as Poco::Data returned it: a bool reads as an integer, as Poco's Var reports it.
Poco::Dynamic::Var plain_value(Kind kind, const Cell& cell) {
    switch (kind) {
        case Kind::text:
            return std::string(cell.text);
        case Kind::real:
            return cell.real;
        case Kind::integer:
        case Kind::boolean:
            break;
    }
    return static_cast<Poco::Int64>(cell.integer);
}

Poco::Dynamic::Var json_value(const Member& member, Kind kind, const Cell& cell) {
    if (cell.null) return {};
    switch (member.shape) {
        case Member::flag:
            if (kind == Kind::integer || kind == Kind::boolean) return cell.integer != 0;
            return plain_value(kind, cell).convert<Poco::Int64>() != 0;
        case Member::document: {
            Poco::JSON::Parser parser;
            return parser.parse(kind == Kind::text ? std::string(cell.text)
                                                   : plain_value(kind, cell).convert<std::string>());
        }
        case Member::plain:
            break;
    }
    return plain_value(kind, cell);
}

std::string mask_password(const std::string& connection) {
    static const std::regex uri_password(R"(://([^:/@]+):[^@]*@)");
    static const std::regex kv_password(R"(password=\S+)");
    return std::regex_replace(std::regex_replace(connection, uri_password, "://$1:***@"), kv_password, "password=***");
}

}  // namespace

bool is_postgresql_connection(const std::string& connection) {
    return connection.rfind("postgresql://", 0) == 0 || connection.rfind("postgres://", 0) == 0 ||
           connection.find("dbname=") != std::string::npos || connection.find("host=") != std::string::npos;
}

Poco::JSON::Array::Ptr Db::query(const std::string& sql, const Params& params) {
    Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
    std::vector<Member> members;
    connection_.run(sql, params, [&](const std::vector<Column>& columns, const std::vector<Cell>& cells) {
        if (members.size() != columns.size()) members = members_of(columns);
        Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
        for (std::size_t c = 0; c < columns.size(); ++c)
            row->set(members[c].name, json_value(members[c], columns[c].kind, cells[c]));
        rows->add(row);
        return true;
    });
    return rows;
}

Poco::JSON::Object::Ptr Db::query_one(const std::string& sql, const Params& params) {
    Poco::JSON::Object::Ptr first;
    connection_.run(sql, params, [&](const std::vector<Column>& columns, const std::vector<Cell>& cells) {
        auto members = members_of(columns);
        first = new Poco::JSON::Object;
        for (std::size_t c = 0; c < columns.size(); ++c)
            first->set(members[c].name, json_value(members[c], columns[c].kind, cells[c]));
        return false;
    });
    return first;
}

std::size_t Db::execute(const std::string& sql, const Params& params) {
    return connection_.run(sql, params, [](const auto&, const auto&) { return true; });
}

std::int64_t Db::scalar(const std::string& sql, const Params& params) {
    std::int64_t value = 0;
    connection_.run(sql, params, [&](const std::vector<Column>& columns, const std::vector<Cell>& cells) {
        if (columns.empty() || cells[0].null) return false;
        bool integral = columns[0].kind == Kind::integer || columns[0].kind == Kind::boolean;
        value = integral ? cells[0].integer : plain_value(columns[0].kind, cells[0]).convert<Poco::Int64>();
        return false;
    });
    return value;
}

namespace {

// A row of Connection::run seen through RowView: the cells as the connection read them.
class CellRow : public RowView {
  public:
    CellRow(const std::vector<Column>& columns, const std::vector<Cell>& cells) : columns_(columns), cells_(cells) {}
    bool is_null(std::size_t column) const override { return cells_.at(column).null; }
    std::string_view text(std::size_t column) const override {
        const auto& cell = cells_.at(column);
        return cell.null || columns_[column].kind != Kind::text ? std::string_view() : cell.text;
    }
    std::int64_t integer(std::size_t column) const override {
        const auto& cell = cells_.at(column);
        if (cell.null) return 0;
        switch (columns_[column].kind) {
            case Kind::integer:
            case Kind::boolean:
                return cell.integer;
            case Kind::real:
                return static_cast<std::int64_t>(cell.real);
            case Kind::text:
                break;
        }
        std::int64_t value = 0;
        std::from_chars(cell.text.data(), cell.text.data() + cell.text.size(), value);
        return value;
    }

  private:
    const std::vector<Column>& columns_;
    const std::vector<Cell>& cells_;
};

}  // namespace

std::size_t Db::each(const std::string& sql, const Params& params, const std::function<bool(const RowView&)>& on_row) {
    return connection_.run(sql, params, [&](const std::vector<Column>& columns, const std::vector<Cell>& cells) {
        return on_row(CellRow(columns, cells));
    });
}

StatementStats Db::statement_stats() const { return connection_.stats(); }

void Db::after_commit(std::function<void()> f) { connection_.after_commit(std::move(f)); }

std::shared_ptr<void>& Db::transaction_state(const std::string& key) { return connection_.transaction_state(key); }

void Db::before_commit(std::function<void()> f) { connection_.before_commit(std::move(f)); }

void Db::notify_at_commit(const std::string& channel, std::string line) {
    if (dialect_ == Dialect::postgresql) connection_.notify_at_commit(channel, std::move(line));
}

Database::Database(const std::string& connection, std::size_t max_sessions, std::size_t statements_per_session)
    : dialect_(is_postgresql_connection(connection) ? Dialect::postgresql : Dialect::sqlite),
      connection_(connection),
      description_(mask_password(connection)),
      max_sessions_(max_sessions),
      statements_per_session_(statements_per_session) {
    if (dialect_ == Dialect::sqlite) {
        Poco::Data::SQLite::Connector::registerConnector();
        // WAL is a property of the file: set once, before the pool opens its sessions.
        Poco::Data::Session setup("SQLite", connection);
        setup << "PRAGMA journal_mode = WAL", Poco::Data::Keywords::now;
    } else {
        Poco::Data::PostgreSQL::Connector::registerConnector();
    }
}

Database::~Database() = default;

int Database::jitter_ms() {
    thread_local std::minstd_rand random(
        static_cast<unsigned>(std::hash<std::thread::id>()(std::this_thread::get_id())));
    return static_cast<int>(random() % 10);
}

std::unique_ptr<Connection> Database::acquire() {
    {
        std::lock_guard<std::mutex> lock(pool_mutex_);
        while (!idle_.empty()) {
            auto connection = std::move(idle_.back());
            idle_.pop_back();
            if (connection->session().isGood()) return connection;
            --open_;
        }
        if (open_ >= max_sessions_) throw Poco::Data::SessionPoolExhaustedException(description_);
        ++open_;
    }
    try {
        if (dialect_ == Dialect::sqlite)
            return std::make_unique<SqliteConnection>(connection_, statements_per_session_, schema_generation_);
        return std::make_unique<PostgresConnection>(connection_, statements_per_session_, schema_generation_);
    } catch (...) {
        std::lock_guard<std::mutex> lock(pool_mutex_);
        --open_;
        throw;
    }
}

void Database::release(std::unique_ptr<Connection> connection) {
    // The most recently used connection goes out first: its statements are the warmest.
    bool good = connection->session().isGood();
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (good)
        idle_.push_back(std::move(connection));
    else
        --open_;
}

void Database::optimize() {
    if (dialect_ != Dialect::sqlite) return;
    std::lock_guard<std::mutex> writers(write_mutex_);
    std::vector<std::unique_ptr<Connection>> connections;
    {
        std::lock_guard<std::mutex> lock(pool_mutex_);
        connections.swap(idle_);
    }
    std::exception_ptr failure;
    for (auto& connection : connections) {
        try {
            connection->optimize();
        } catch (...) {
            failure = std::current_exception();
        }
    }
    for (auto& connection : connections) release(std::move(connection));
    if (failure) std::rethrow_exception(failure);
}

void Database::exclusively(std::int64_t key, const std::function<void()>& f) {
    if (dialect_ == Dialect::sqlite) return f();
    Lease connection(*this);
    Db db(*connection, dialect_);
    db.scalar("SELECT 1 FROM (SELECT pg_advisory_lock(?::bigint)) AS locked", {key});
    // The lock belongs to the session: released here, or by PostgreSQL when a crashed process's connection ends.
    struct Unlock {
        Db& db;
        std::int64_t key;
        ~Unlock() {
            try {
                db.scalar("SELECT 1 FROM (SELECT pg_advisory_unlock(?::bigint)) AS unlocked", {key});
            } catch (...) {
                // Only a broken connection fails here; its session ends, and PostgreSQL releases the lock with it.
            }
        }
    } unlock{db, key};
    f();
}

Database::Lease::Lease(Database& database) : database_(database), connection_(database.acquire()) {}

Database::Lease::~Lease() { database_.release(std::move(connection_)); }

Database::Transaction::Transaction(Connection& connection) : connection_(connection) {
    connection_.rolled_back();
    connection_.session().begin();
}

Database::Transaction::~Transaction() {
    if (!done_) {
        connection_.rolled_back();
        try {
            connection_.session().rollback();
        } catch (...) {
            // A failed rollback leaves nothing to undo: the connection is broken, and the pool drops it.
        }
    }
}

void Database::Transaction::commit() {
    connection_.write_gathered();
    connection_.send_notifications();
    try {
        connection_.session().commit();
    } catch (const Poco::Data::SQLite::DatabaseFullException&) {
        throw StorageFull("the database's disk");
    } catch (const Poco::Exception& e) {
        const auto& message = e.message();
        if (message.find("53100") != std::string::npos || message.find("No space left") != std::string::npos)
            throw StorageFull("the database's disk");
        throw;
    }
    done_ = true;
    connection_.committed();
}

}  // namespace fieldserver
