// The jobs' text index over HTTPS: the queues' q (ticket numbers and phones by index, words in any part, Chinese
// queries of one and two characters), the index following edits in the same transaction, the knowledge search over
// past repairs with its filters and ranking, who may search what, and bad input refused without a change.
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

// A shop with a repaired fridge of customer A (findings, work summary, a technician's note) and a leaking air
// conditioner of customer B, still open; the catalog holds the product types and fault causes the filters name.
struct SearchShop {
    TestServer srv;
    Shop shop{srv};
    std::string fridge_job, ac_job;

    SearchShop() {
        auto fridge =
            need(srv.post("/api/v1/fault-categories", body({{"code", "fridge"}, {"name", "冰箱"}}), shop.dispatcher),
                 201)
                .str("id");
        need(srv.post("/api/v1/fault-categories", body({{"code", "ac"}, {"name", "空调"}}), shop.dispatcher), 201);
        need(srv.post("/api/v1/fault-categories",
                      body({{"code", "fridge.thermostat"}, {"name", "温控故障"}, {"parent_id", fridge}}),
                      shop.dispatcher),
             201);
        fridge_job = shop.report(shop.customer_a, shop.asset_a);
        shop.drive(fridge_job, "accepted");
        shop.must(fridge_job, "triage",
                  body({{"reason", "分类"}, {"product_type", "fridge"}, {"fault_category", "fridge.thermostat"}}),
                  shop.dispatcher);
        need(srv.post("/api/v1/jobs/" + fridge_job + "/notes", body({{"body", "压缩机有异响 compressor rattles"}}),
                      shop.tech_a),
             201);
        auto b =
            body({{"customer_id", shop.customer_b}, {"asset_id", shop.asset_b}, {"description", "空调漏水 AC leaks"}});
        ac_job = need(srv.post("/api/v1/jobs", b, shop.dispatcher), 201).str("id");
    }

    std::set<std::string> jobs(const std::string& q, const std::string& token, const std::string& more = {}) const {
        return ids_of(list(srv, "/api/v1/jobs?q=" + url_encode(q) + more, token)->getArray("items"));
    }
    Obj knowledge(const std::string& query, const std::string& token) const {
        return list(srv, "/api/v1/knowledge?" + query, token);
    }
    std::vector<std::string> found(const std::string& query, const std::string& token) const {
        std::vector<std::string> out;
        auto items = knowledge(query, token)->getArray("items");
        for (const auto& v : *items) out.push_back(text_of(v.extract<Obj>(), "job_id"));
        return out;
    }
};

}  // namespace

TEST_CASE("a queue's search: ticket, phone, words in any part, short Chinese queries", "[integration][search]") {
    SearchShop s;
    const std::set<std::string> fridge{s.fridge_job}, ac{s.ac_job}, none;
    std::string ticket = text_of(s.shop.job(s.fridge_job), "ticket_no");
    CHECK(s.jobs(ticket, s.shop.dispatcher) == fridge);
    CHECK(s.jobs("13900139002", s.shop.dispatcher) == ac);
    // Three characters or more anywhere (trigram), any case; every word must match.
    CHECK(s.jobs("温控器", s.shop.dispatcher) == fridge);           // findings
    CHECK(s.jobs("REPLACED thermo", s.shop.dispatcher) == fridge);  // work summary
    CHECK(s.jobs("BCD-520", s.shop.dispatcher) == fridge);          // model
    CHECK(s.jobs("Bob Baker", s.shop.dispatcher) == ac);            // customer
    CHECK(s.jobs("rattles", s.shop.dispatcher) == fridge);          // a technician's note
    CHECK(s.jobs("thermostat 漏水", s.shop.dispatcher) == none);
    // One and two Chinese characters (the grams), and short whole words.
    CHECK(s.jobs("制冷", s.shop.dispatcher) == fridge);
    CHECK(s.jobs("漏", s.shop.dispatcher) == ac);
    CHECK(s.jobs("冷 温控器", s.shop.dispatcher) == fridge);
    CHECK(s.jobs("刘洋", s.shop.dispatcher) == fridge);
    CHECK(s.jobs("ac", s.shop.dispatcher) == ac);
    CHECK(s.jobs("雨", s.shop.dispatcher) == none);
    // With the queue's other filters, and LIKE's wildcards as plain text.
    CHECK(s.jobs("制冷", s.shop.dispatcher, "&state=accepted") == fridge);
    CHECK(s.jobs("制冷", s.shop.dispatcher, "&state=closed") == none);
    CHECK(s.jobs("%", s.shop.dispatcher) == none);
    CHECK(s.jobs("_", s.shop.dispatcher) == none);
    auto page = list(s.srv, "/api/v1/jobs?q=" + url_encode("制冷"), s.shop.dispatcher);
    CHECK(int_of(page, "total") == 1);
    CHECK(page->getValue<bool>("total_capped") == false);
    REQUIRE(page->getArray("items")->size() == 1);
    CHECK(text_of(page->getArray("items")->getObject(0), "customer_name") == "刘洋");
}

TEST_CASE("a search stays within what the caller may see", "[integration][search][access]") {
    SearchShop s;
    const std::set<std::string> fridge{s.fridge_job}, none;
    CHECK(s.jobs("温控器", s.shop.cust_a) == fridge);
    CHECK(s.jobs("温控器", s.shop.cust_b) == none);
    CHECK(s.jobs("刘洋", s.shop.cust_b) == none);
    CHECK(s.jobs("13800138001", s.shop.cust_b) == none);
    // Notes are the workshop's log: a customer cannot find their own job by a word only a note holds.
    CHECK(s.jobs("rattles", s.shop.cust_a) == none);
    CHECK(s.jobs("rattles", s.shop.tech_a) == fridge);
    CHECK(s.jobs("rattles", s.shop.tech_b) == none);
    // The knowledge search is for staff and technicians; customers are refused.
    check_error(s.srv.get("/api/v1/knowledge?q=" + url_encode("温控器"), s.shop.cust_a), 403, "forbidden");
    CHECK(s.found("q=" + url_encode("温控器"), s.shop.tech_b) == std::vector<std::string>{s.fridge_job});
    auto items = s.knowledge("q=" + url_encode("温控器"), s.shop.tech_b)->getArray("items");
    REQUIRE(items->size() == 1);
    auto item = items->getObject(0);
    for (const char* personal : {"customer_name", "customer_phone", "customer_address", "description"})
        CHECK(!item->has(personal));
}

TEST_CASE("the index follows every edit in the same transaction", "[integration][search]") {
    SearchShop s;
    std::string job = s.shop.report(s.shop.customer_b, s.shop.asset_b);
    s.shop.must(job, "assign", body({{"technician_id", s.shop.tech_a_id}}), s.shop.dispatcher);
    auto first = assessment();
    first->set("findings", "排水泵堵塞 drainpump clogged");
    s.shop.must(job, "submit_assessment", first, s.shop.tech_a);
    CHECK(s.jobs("drainpump", s.shop.dispatcher) == std::set<std::string>{job});
    CHECK(s.jobs("堵塞", s.shop.dispatcher) == std::set<std::string>{job});
    // The finding is revised: found by its new words, no longer by the old ones.
    s.shop.must(job, "revise_plan", body({{"reason", "看错了"}}), s.shop.tech_a);
    auto second = assessment();
    second->set("findings", "电机碳刷磨损 motorbrush worn");
    s.shop.must(job, "submit_assessment", second, s.shop.tech_a);
    CHECK(s.jobs("motorbrush", s.shop.dispatcher) == std::set<std::string>{job});
    CHECK(s.jobs("碳刷", s.shop.dispatcher) == std::set<std::string>{job});
    CHECK(s.jobs("drainpump", s.shop.dispatcher).empty());
    CHECK(s.jobs("堵塞", s.shop.dispatcher).empty());
    // The customer's new name and the product's new model reach all their jobs.
    need(s.srv.patch("/api/v1/customers/" + s.shop.customer_b, body({{"name", "Carol Chen 陈卡"}}), s.shop.dispatcher),
         200);
    CHECK(s.jobs("Baker", s.shop.dispatcher).empty());
    CHECK(s.jobs("陈卡", s.shop.dispatcher) == std::set<std::string>({job, s.ac_job}));
    // A new note is found at once.
    need(s.srv.post("/api/v1/jobs/" + job + "/notes", body({{"body", "客户要求周末上门"}}), s.shop.dispatcher), 201);
    CHECK(s.jobs("周末", s.shop.dispatcher) == std::set<std::string>{job});
}

TEST_CASE("knowledge search: past repairs by findings, work summary and notes, filtered and ranked",
          "[integration][search][knowledge]") {
    SearchShop s;
    // A second fridge repair mentions the thermostat once, in a note only: the first, with it in its findings and
    // work summary, ranks above it.
    std::string other = s.shop.report(s.shop.customer_a, s.shop.asset_a);
    s.shop.must(other, "triage", body({{"reason", "分类"}, {"product_type", "冰箱"}}), s.shop.dispatcher);
    s.shop.must(other, "assign", body({{"technician_id", s.shop.tech_b_id}}), s.shop.dispatcher);
    auto a = assessment();
    a->set("findings", "门封老化 door seal worn");
    a->remove("fault_category");
    s.shop.must(other, "submit_assessment", a, s.shop.tech_b);
    need(s.srv.post("/api/v1/jobs/" + other + "/notes", body({{"body", "顺便检查了温控器"}}), s.shop.tech_b), 201);

    CHECK(s.found("q=" + url_encode("温控器"), s.shop.dispatcher) == std::vector<std::string>{s.fridge_job, other});
    auto best = s.knowledge("q=" + url_encode("温控器"), s.shop.dispatcher)->getArray("items")->getObject(0);
    CHECK(text_of(best, "findings") == "温控器故障 faulty thermostat");
    CHECK(text_of(best, "work_summary") == "更换温控器 replaced thermostat");
    CHECK(text_of(best, "product_type") == "冰箱");
    CHECK(text_of(best, "fault_category") == "温控故障");
    CHECK(best->getValue<double>("score") > 0);
    // One and two characters, and Latin words in any case.
    CHECK(s.found("q=" + url_encode("门封"), s.shop.dispatcher) == std::vector<std::string>{other});
    CHECK(s.found("q=" + url_encode("封"), s.shop.dispatcher) == std::vector<std::string>{other});
    CHECK(s.found("q=SEAL", s.shop.dispatcher) == std::vector<std::string>{other});
    // What the customer said and who they are is not knowledge: the description and the name are not searched.
    CHECK(s.found("q=" + url_encode("不制冷"), s.shop.dispatcher).empty());
    CHECK(s.found("q=" + url_encode("刘洋"), s.shop.dispatcher).empty());
    // Filters by catalog name or code; the open air conditioner has nothing to learn from yet.
    CHECK(s.found("product_type=fridge&fault_category=" + url_encode("温控故障"), s.shop.dispatcher) ==
          std::vector<std::string>{s.fridge_job});
    CHECK(s.found("q=" + url_encode("温控器") + "&product_type=" + url_encode("冰箱"), s.shop.dispatcher).size() == 2);
    CHECK(s.found("q=" + url_encode("温控器") + "&product_type=ac", s.shop.dispatcher).empty());
    CHECK(s.found("q=" + url_encode("漏水"), s.shop.dispatcher).empty());
}

TEST_CASE("bad search input is a clear error and changes nothing", "[integration][search][errors]") {
    SearchShop s;
    std::string long_q;
    for (int i = 0; i < 201; ++i) long_q += "冷";
    check_error(s.srv.get("/api/v1/jobs?q=" + url_encode(long_q), s.shop.dispatcher), 422, "invalid_field", "q");
    check_error(s.srv.get("/api/v1/jobs?q=" + url_encode("a b c d e f g h i"), s.shop.dispatcher), 422, "invalid_field",
                "q");
    check_error(s.srv.get("/api/v1/knowledge?q=" + url_encode(long_q), s.shop.dispatcher), 422, "invalid_field", "q");
    check_error(s.srv.get("/api/v1/knowledge?q=x&product_type=" + url_encode("潜水艇"), s.shop.dispatcher), 422,
                "invalid_field", "product_type");
    check_error(s.srv.get("/api/v1/knowledge?q=x&fault_category=nope", s.shop.dispatcher), 422, "invalid_field",
                "fault_category");
    // A fault cause is no product type.
    check_error(s.srv.get("/api/v1/knowledge?product_type=fridge.thermostat", s.shop.dispatcher), 422, "invalid_field",
                "product_type");
    check_error(s.srv.get("/api/v1/knowledge?state=closed&q=x", s.shop.dispatcher), 422, "invalid_field", "state");
    check_error(s.srv.get("/api/v1/knowledge", s.shop.dispatcher), 422, "missing_field", "q");
    check_error(s.srv.get("/api/v1/knowledge?q=x&limit=0", s.shop.dispatcher), 422, "invalid_field", "limit");
    check_error(s.srv.get("/api/v1/jobs?q=%FF%FE", s.shop.dispatcher), 422, "invalid_field", "q");
    // Nothing changed: the same searches answer as before.
    CHECK(s.jobs("温控器", s.shop.dispatcher) == std::set<std::string>{s.fridge_job});
    CHECK(s.found("q=" + url_encode("温控器"), s.shop.dispatcher) == std::vector<std::string>{s.fridge_job});
    CHECK(s.shop.state(s.fridge_job) == "accepted");
}
