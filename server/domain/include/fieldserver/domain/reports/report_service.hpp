// Service-quality reports (SLA compliance, time to repair, first-time fix, rework, repeat repairs, satisfaction,
// job volumes) per technician, fault category, product model or month, as JSON or CSV, over the job_facts table.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// Rewrites the job's row of job_facts from the job as it is now; called in the transaction of each change.
void refresh_job_facts(Db& db, const std::string& job_id);

struct ReportOutput {
    Poco::JSON::Object::Ptr json;  // set unless csv
    std::string csv;               // UTF-8 with a byte order mark, so spreadsheet programs read Chinese right
    std::string filename;
};

class ReportService {
  public:
    explicit ReportService(Database& db) : db_(db) {}

    // name: sla-compliance, mttr, first-time-fix, rework, repeat-repairs, satisfaction, jobs. Query: from, to
    // (dates, inclusive, on the day a job was reported, UTC), group_by (technician, category, model, month;
    // default none), technician_id, format (json or csv).
    ReportOutput report(const Actor& actor, const std::string& name, const Query& query);
    // Writes job_facts rows for jobs that have none (jobs from before the table existed); returns how many.
    std::size_t backfill();

  private:
    // The after-sales report (after_sales_report.cpp): one row per case kind, JSON only.
    Poco::JSON::Object::Ptr after_sales(const std::string& from, const std::string& to);

    Database& db_;
};

}  // namespace fieldserver
