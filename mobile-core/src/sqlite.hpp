// RAII over the sqlite3 C API: a connection with cached prepared statements, statements that bind every value,
// and a transaction that rolls back unless committed. The device library talks to SQLite only through these.
// The C API directly rather than Poco::Data: a tablet app embeds one SQLite file and nothing else, the device
// needs no second dialect, and BEGIN IMMEDIATE, WAL and persistent prepared statements are one call each here.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fieldmobile::sqlite {

// A value bound to a `?` parameter; monostate binds NULL.
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

class Statement;

class Connection {
  public:
    // Opens (creating) the file; throws fieldsync::Error(unavailable) naming the file when SQLite cannot.
    explicit Connection(const std::string& path);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs SQL text with no parameters (schema scripts, pragmas); may hold several statements.
    void exec_script(const std::string& sql);
    // A prepared statement for sql, reset and with bindings cleared; prepared once per connection and reused.
    Statement& prepare(const std::string& sql);
    // Runs one statement with bound values; returns the number of rows changed.
    int run(const std::string& sql, const std::vector<Value>& values = {});
    // The first column of the first row, or nullopt when there is no row or it is NULL.
    std::optional<std::string> text(const std::string& sql, const std::vector<Value>& values = {});
    std::optional<std::int64_t> integer(const std::string& sql, const std::vector<Value>& values = {});

    sqlite3* handle() const { return db_; }
    bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

  private:
    sqlite3* db_ = nullptr;
    std::map<std::string, std::unique_ptr<Statement>> cache_;
};

class Statement {
  public:
    Statement(Connection& connection, const std::string& sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    void bind(const std::vector<Value>& values);
    // Binds one parameter (1-based) without copying: the text must stay alive until the statement is reset. For
    // the hot loops that write many rows with one statement.
    void bind_text(int index, std::string_view text);
    void bind_integer(int index, std::int64_t value);
    void bind_null(int index);
    // Advances to the next row; false when done. Throws on errors (constraint violations included).
    bool step();
    void reset();

    bool is_null(int column) const;
    std::string text(int column) const;
    std::int64_t integer(int column) const;
    double real(int column) const;

  private:
    Connection& connection_;
    sqlite3_stmt* stmt_ = nullptr;
    std::string sql_;
};

// BEGIN IMMEDIATE on construction (so a writer never fails half-way on a lock upgrade), ROLLBACK on
// destruction unless commit() was called. Nested use joins the outer transaction.
class Transaction {
  public:
    explicit Transaction(Connection& connection);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Connection& connection_;
    bool owner_ = false;
    bool done_ = false;
};

}  // namespace fieldmobile::sqlite
