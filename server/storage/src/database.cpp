// Sessions, transactions and bound queries for SQLite and PostgreSQL through Poco::Data.
#include "fieldserver/storage/database.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Statement.h>
#include <Poco/JSON/Parser.h>

#include <regex>

namespace fieldserver {
namespace {

using Poco::Data::Keywords::bind;

// Applies per-connection settings whenever the pool opens a session.
class ConfiguredPool : public Poco::Data::SessionPool {
  public:
    ConfiguredPool(const std::string& connector, const std::string& connection, std::size_t max_sessions)
        : SessionPool(connector, connection, 1, static_cast<int>(max_sessions), 300), sqlite_(connector == "SQLite") {}

  protected:
    void customizeSession(Poco::Data::Session& session) override {
        if (!sqlite_) return;
        // busy_timeout covers readers meeting a checkpoint; foreign keys are off by default in SQLite.
        session << "PRAGMA busy_timeout = 10000", Poco::Data::Keywords::now;
        session << "PRAGMA foreign_keys = ON", Poco::Data::Keywords::now;
        session << "PRAGMA synchronous = NORMAL", Poco::Data::Keywords::now;
    }

  private:
    bool sqlite_;
};

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

void bind_all(Poco::Data::Statement& stmt, const Params& params) {
    for (const auto& p : params) {
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::monostate>)
                    stmt, Poco::Data::Keywords::use(Poco::Data::Keywords::null);
                else if constexpr (std::is_same_v<T, bool>)
                    stmt, bind(static_cast<Poco::Int64>(v ? 1 : 0));
                else if constexpr (std::is_same_v<T, std::int64_t>)
                    stmt, bind(static_cast<Poco::Int64>(v));
                else
                    stmt, bind(v);
            },
            p);
    }
}

Poco::Dynamic::Var json_value(const std::string& column, const Poco::Dynamic::Var& v) {
    if (v.isEmpty()) return v;
    if (column.rfind("is_", 0) == 0) return v.convert<Poco::Int64>() != 0;
    if (column.size() > 5 && column.compare(column.size() - 5, 5, "_json") == 0) {
        Poco::JSON::Parser parser;
        return parser.parse(v.convert<std::string>());
    }
    if (v.isString()) return v.extract<std::string>();
    if (v.isInteger()) return v.convert<Poco::Int64>();
    if (v.isNumeric()) return v.convert<double>();
    return v.convert<std::string>();
}

std::string json_name(const std::string& column) {
    if (column.size() > 5 && column.compare(column.size() - 5, 5, "_json") == 0)
        return column.substr(0, column.size() - 5);
    return column;
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
    Poco::Data::Statement stmt(session_);
    stmt << placeholders_for(sql, dialect_);
    bind_all(stmt, params);
    stmt.execute();
    Poco::Data::RecordSet rs(stmt);
    Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
    std::vector<std::string> names;
    for (std::size_t c = 0; c < rs.columnCount(); ++c) names.push_back(rs.columnName(c));
    for (std::size_t r = 0; r < rs.rowCount(); ++r) {
        Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
        for (std::size_t c = 0; c < names.size(); ++c) {
            if (rs.isNull(c, r))
                row->set(json_name(names[c]), Poco::Dynamic::Var());
            else
                row->set(json_name(names[c]), json_value(names[c], rs.value(c, r)));
        }
        rows->add(row);
    }
    return rows;
}

Poco::JSON::Object::Ptr Db::query_one(const std::string& sql, const Params& params) {
    auto rows = query(sql, params);
    return rows->size() == 0 ? nullptr : rows->getObject(0);
}

std::size_t Db::execute(const std::string& sql, const Params& params) {
    Poco::Data::Statement stmt(session_);
    stmt << placeholders_for(sql, dialect_);
    bind_all(stmt, params);
    return stmt.execute();
}

std::int64_t Db::scalar(const std::string& sql, const Params& params) {
    Poco::Data::Statement stmt(session_);
    stmt << placeholders_for(sql, dialect_);
    bind_all(stmt, params);
    stmt.execute();
    Poco::Data::RecordSet rs(stmt);
    if (rs.rowCount() == 0 || rs.isNull(0, 0)) return 0;
    return rs.value(0, 0).convert<Poco::Int64>();
}

Database::Database(const std::string& connection, std::size_t max_sessions)
    : dialect_(is_postgresql_connection(connection) ? Dialect::postgresql : Dialect::sqlite),
      description_(mask_password(connection)) {
    if (dialect_ == Dialect::sqlite) {
        Poco::Data::SQLite::Connector::registerConnector();
        // WAL is a property of the file: set once, before the pool opens its sessions.
        Poco::Data::Session setup("SQLite", connection);
        setup << "PRAGMA journal_mode = WAL", Poco::Data::Keywords::now;
        pool_ = std::make_unique<ConfiguredPool>("SQLite", connection, max_sessions);
    } else {
        Poco::Data::PostgreSQL::Connector::registerConnector();
        pool_ = std::make_unique<ConfiguredPool>("PostgreSQL", connection, max_sessions);
    }
}

Database::~Database() { pool_->shutdown(); }

Database::Transaction::Transaction(Poco::Data::Session& s) : session_(s) { session_.begin(); }

Database::Transaction::~Transaction() {
    if (!done_) {
        try {
            session_.rollback();
        } catch (...) {
            // A failed rollback leaves nothing to undo: the session is discarded with its transaction.
        }
    }
}

void Database::Transaction::commit() {
    session_.commit();
    done_ = true;
}

}  // namespace fieldserver
