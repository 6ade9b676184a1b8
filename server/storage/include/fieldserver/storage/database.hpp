// The storage gateway: a pool of connections to SQLite or PostgreSQL, each keeping its prepared statements,
// transactions, and queries that bind every value and return rows as JSON. Dialect differences live here and in
// migrations, nowhere else.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "fieldsync/error.hpp"

namespace fieldserver {

// The database ended a transaction that raced another one (PostgreSQL: a deadlock or a serialization failure).
// Nothing of it was committed, so Database::write runs it again.
class TransactionRaced : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A unique key (a primary key, a ticket number, an op id) that another transaction took first: a clean 409 for
// the caller, never a 500. Code that expects the race (a repeated sync op) catches it and reads the winner.
class UniqueViolation : public fieldsync::Error {
  public:
    explicit UniqueViolation(const std::string& constraint)
        : fieldsync::Error(fieldsync::ErrorCode::conflict,
                           fieldsync::Message{"conflict.key_taken", {{"constraint", constraint}}}) {}
};

// The storage is full (SQLite's SQLITE_FULL, PostgreSQL's 53100 disk_full, ENOSPC writing attachment files): the
// write changed nothing and may succeed later, so callers get 503 unavailable with Retry-After, never a 500.
// Reads keep working meanwhile.
class StorageFull : public fieldsync::Error {
  public:
    explicit StorageFull(const std::string& where)
        : fieldsync::Error(fieldsync::ErrorCode::unavailable, fieldsync::Message{"storage.full", {{"where", where}}}) {}
};

// A value bound to a statement placeholder ("?"). monostate binds NULL.
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string>;
using Params = std::vector<Value>;

// NULL for an empty string, else the string: for optional text and references.
inline Value text_or_null(const std::string& s) { return s.empty() ? Value(std::monostate{}) : Value(s); }

enum class Dialect { sqlite, postgresql };

// How one connection has used its prepared statements since it opened.
struct StatementStats {
    std::size_t kept = 0;        // statements prepared and kept now (at most the cache's bound)
    std::uint64_t prepared = 0;  // statements prepared (a statement evicted and used again is prepared again)
    std::uint64_t reused = 0;    // executions of a kept statement, without preparing it
};

// One pooled connection to the database with its cache of prepared statements (database.cpp).
class Connection;

// One row of a streamed query (Db::each), read in place: valid only during the call that passes it.
class RowView {
  public:
    virtual ~RowView() = default;
    virtual bool is_null(std::size_t column) const = 0;
    // The column's text as stored (empty for NULL), without a copy.
    virtual std::string_view text(std::size_t column) const = 0;
    // The column as an integer (0 for NULL).
    virtual std::int64_t integer(std::size_t column) const = 0;
};

// One connection, inside a transaction when handed out by Database::write. Statements are prepared once per
// connection and kept (keyed by their SQL text), so callers write plain SQL with "?" and bind values each call.
// Rows come back as JSON objects keyed by column name, with two conventions: a column named is_* becomes
// true/false, and a column named *_json holds JSON text and becomes the parsed value under the name without the
// suffix.
class Db {
  public:
    Db(Connection& connection, Dialect dialect) : connection_(connection), dialect_(dialect) {}

    Poco::JSON::Array::Ptr query(const std::string& sql, const Params& params = {});
    // The first row, or null when there is none.
    Poco::JSON::Object::Ptr query_one(const std::string& sql, const Params& params = {});
    // The number of rows changed.
    std::size_t execute(const std::string& sql, const Params& params = {});
    // The first column of the first row as an integer (0 when there is no row).
    std::int64_t scalar(const std::string& sql, const Params& params = {});
    // Passes each row to on_row as it is read, until on_row returns false, without building JSON or copying
    // values (a *_json column stays its text); returns the rows read. For readers of many rows (a pull page).
    std::size_t each(const std::string& sql, const Params& params, const std::function<bool(const RowView&)>& on_row);
    Dialect dialect() const { return dialect_; }
    StatementStats statement_stats() const;
    // Runs f once the current transaction has committed (never when it rolls back): what others may learn of a
    // change only after it is durable and visible, such as a live sync event.
    void after_commit(std::function<void()> f);
    // On PostgreSQL, sends line on channel with NOTIFY when the current transaction commits (delivered to listeners
    // only then); the lines of one transaction go out together, separated by newlines. Nothing on SQLite.
    void notify_at_commit(const std::string& channel, std::string line);
    // The current transaction's T under key, made at its first use; write(db, t) runs once just before the
    // transaction commits, inside it (never when it rolls back). For sums a transaction gathers as it goes and
    // writes once at its end, so their rows are locked from then to the commit, not from the first change.
    template <class T>
    T& gathered(const std::string& key, std::function<void(Db&, T&)> write) {
        auto& state = transaction_state(key);
        if (!state) {
            auto made = std::make_shared<T>();
            state = made;
            before_commit([db = *this, made, write]() mutable { write(db, *made); });
        }
        return *std::static_pointer_cast<T>(state);
    }

  private:
    std::shared_ptr<void>& transaction_state(const std::string& key);
    void before_commit(std::function<void()> f);

    Connection& connection_;
    Dialect dialect_;
};

class Database {
  public:
    // connection: a SQLite file path, or a PostgreSQL connection string ("postgresql://…" or "host=… dbname=…").
    // Each of at most max_sessions connections keeps its statements_per_session most recently used statements.
    explicit Database(const std::string& connection, std::size_t max_sessions = 16,
                      std::size_t statements_per_session = 256);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs f(Db&) on a pooled connection without a transaction.
    template <class F>
    auto read(F&& f) {
        Lease connection(*this);
        Db db(*connection, dialect_);
        return f(db);
    }

    // Runs f(Db&) in one transaction: committed when f returns, rolled back when it throws. SQLite has one
    // writer at a time, so writers queue here instead of failing with SQLITE_BUSY.
    // PostgreSQL may end a transaction that deadlocked or failed to serialize with another one; write() then runs
    // f again (f must not depend on state it changed outside the database), at most kWriteAttempts times, and
    // answers Error(unavailable) when every attempt raced.
    template <class F>
    auto write(F&& f) {
        for (int attempt = 1;; ++attempt) {
            try {
                return write_once(f);
            } catch (const TransactionRaced& e) {
                if (attempt >= kWriteAttempts)
                    throw fieldsync::Error(fieldsync::ErrorCode::unavailable, fieldsync::Message{"storage.busy", {}});
                // A short, growing pause with jitter, so the two racing transactions do not meet again at once.
                std::this_thread::sleep_for(std::chrono::milliseconds(attempt * 5 + jitter_ms()));
            }
        }
    }

    // Runs f(Db&) in one transaction that only reads: every statement sees the same committed state. On SQLite it
    // takes no write lock, so readers never queue behind writers (f must not write); on PostgreSQL it is write(),
    // for readers that lock rows (FOR SHARE) to wait for writers in flight.
    template <class F>
    auto snapshot(F&& f) {
        if (dialect_ == Dialect::postgresql) return write(std::forward<F>(f));
        Lease connection(*this);
        Transaction tx(*connection);
        Db db(*connection, dialect_);
        auto result = f(db);
        tx.commit();
        return result;
    }

    // Runs f() while this process holds the database-wide lock named key (PostgreSQL: a session advisory lock on a
    // connection of its own, so f's own transactions may use the pool). Instances started together on one database
    // run their migrations and first-start set-up one after another. SQLite is one process's file: f just runs.
    void exclusively(std::int64_t key, const std::function<void()>& f);

    // SQLite's table statistics for the query planner, refreshed where they went stale: PRAGMA optimize (bounded by
    // analysis_limit) on each idle connection, for the tables that connection's queries used, under the writers'
    // lock so its ANALYZE never waits for a writer. A connection in use runs it when it closes. PostgreSQL's
    // autovacuum analyzes by itself: nothing to do there.
    void optimize();

    Dialect dialect() const { return dialect_; }
    // The connection with any password masked, for logs.
    const std::string& description() const { return description_; }

  private:
    static constexpr int kWriteAttempts = 5;

    // One attempt of write(): f in one transaction.
    template <class F>
    auto write_once(F& f) {
        std::unique_lock<std::mutex> lock(write_mutex_, std::defer_lock);
        if (dialect_ == Dialect::sqlite) lock.lock();
        Lease connection(*this);
        Transaction tx(*connection);
        Db db(*connection, dialect_);
        if constexpr (std::is_void_v<decltype(f(db))>) {
            f(db);
            tx.commit();
        } else {
            auto result = f(db);
            tx.commit();
            return result;
        }
    }

    // 0–9 ms, different per thread and call.
    static int jitter_ms();

    // A connection taken from the pool, given back (with its kept statements) when the lease ends.
    class Lease {
      public:
        explicit Lease(Database& database);
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Connection& operator*() const { return *connection_; }

      private:
        Database& database_;
        std::unique_ptr<Connection> connection_;
    };

    // Rolls back unless committed.
    class Transaction {
      public:
        explicit Transaction(Connection& connection);
        ~Transaction();
        void commit();

      private:
        Connection& connection_;
        bool done_ = false;
    };

    std::unique_ptr<Connection> acquire();
    void release(std::unique_ptr<Connection> connection);

    Dialect dialect_;
    std::string connection_;
    std::string description_;
    std::size_t max_sessions_;
    std::size_t statements_per_session_;
    // The pool is kept here rather than in Poco's SessionPool: a connection's statements belong to the connection,
    // and SessionPool hands out wrappers (PooledSessionImpl) around it and closes idle ones without telling anyone,
    // so a cache keyed by the native handle (sqlite3*, PGconn*) could outlive its connection, or be found again by
    // a new connection opened at the same address. Here the cache is a member of the connection object, which
    // goes back to the pool with it and is destroyed with it. Connections stay open (at most max_sessions) until
    // the Database goes, or until one is found broken.
    std::mutex pool_mutex_;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::size_t open_ = 0;
    // Bumped by every schema change (CREATE, ALTER, DROP): each connection then drops its kept statements, whose
    // result columns may have changed (PostgreSQL refuses to run such a statement).
    std::atomic<std::uint64_t> schema_generation_{0};
    std::mutex write_mutex_;
};

// True when text names a PostgreSQL database rather than a SQLite file.
bool is_postgresql_connection(const std::string& connection);

}  // namespace fieldserver
