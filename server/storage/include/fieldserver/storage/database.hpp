// The storage gateway: a pool of Poco::Data sessions on SQLite or PostgreSQL, transactions, and queries that
// bind every value and return rows as JSON. Dialect differences live here and in migrations, nowhere else.
#pragma once

#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

namespace fieldserver {

// A value bound to a statement placeholder ("?"). monostate binds NULL.
using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string>;
using Params = std::vector<Value>;

// NULL for an empty string, else the string: for optional text and references.
inline Value text_or_null(const std::string& s) { return s.empty() ? Value(std::monostate{}) : Value(s); }

enum class Dialect { sqlite, postgresql };

// One session, inside a transaction when handed out by Database::write. Rows come back as JSON objects
// keyed by column name, with two conventions: a column named is_* becomes true/false, and a column
// named *_json holds JSON text and becomes the parsed value under the name without the suffix.
class Db {
  public:
    Db(Poco::Data::Session& session, Dialect dialect) : session_(session), dialect_(dialect) {}

    Poco::JSON::Array::Ptr query(const std::string& sql, const Params& params = {});
    // The first row, or null when there is none.
    Poco::JSON::Object::Ptr query_one(const std::string& sql, const Params& params = {});
    // The number of rows changed.
    std::size_t execute(const std::string& sql, const Params& params = {});
    // The first column of the first row as an integer (0 when there is no row).
    std::int64_t scalar(const std::string& sql, const Params& params = {});
    Dialect dialect() const { return dialect_; }

  private:
    Poco::Data::Session& session_;
    Dialect dialect_;
};

class Database {
  public:
    // connection: a SQLite file path, or a PostgreSQL connection string ("postgresql://…" or "host=… dbname=…").
    explicit Database(const std::string& connection, std::size_t max_sessions = 16);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs f(Db&) on a pooled session without a transaction.
    template <class F>
    auto read(F&& f) {
        Poco::Data::Session session = pool_->get();
        Db db(session, dialect_);
        return f(db);
    }

    // Runs f(Db&) in one transaction: committed when f returns, rolled back when it throws. SQLite has one
    // writer at a time, so writers queue here instead of failing with SQLITE_BUSY.
    template <class F>
    auto write(F&& f) {
        std::unique_lock<std::mutex> lock(write_mutex_, std::defer_lock);
        if (dialect_ == Dialect::sqlite) lock.lock();
        Poco::Data::Session session = pool_->get();
        Transaction tx(session);
        Db db(session, dialect_);
        if constexpr (std::is_void_v<decltype(f(db))>) {
            f(db);
            tx.commit();
        } else {
            auto result = f(db);
            tx.commit();
            return result;
        }
    }

    // Runs f(Db&) in one transaction that only reads: every statement sees the same committed state. On SQLite it
    // takes no write lock, so readers never queue behind writers (f must not write); on PostgreSQL it is write(),
    // for readers that lock rows (FOR SHARE) to wait for writers in flight.
    template <class F>
    auto snapshot(F&& f) {
        if (dialect_ == Dialect::postgresql) return write(std::forward<F>(f));
        Poco::Data::Session session = pool_->get();
        Transaction tx(session);
        Db db(session, dialect_);
        auto result = f(db);
        tx.commit();
        return result;
    }

    Dialect dialect() const { return dialect_; }
    // The connection with any password masked, for logs.
    const std::string& description() const { return description_; }

  private:
    // Rolls back unless committed.
    class Transaction {
      public:
        explicit Transaction(Poco::Data::Session& s);
        ~Transaction();
        void commit();

      private:
        Poco::Data::Session& session_;
        bool done_ = false;
    };

    Dialect dialect_;
    std::string description_;
    std::unique_ptr<Poco::Data::SessionPool> pool_;
    std::mutex write_mutex_;
};

// True when text names a PostgreSQL database rather than a SQLite file.
bool is_postgresql_connection(const std::string& connection);

}  // namespace fieldserver
