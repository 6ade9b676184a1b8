// The demo shop: a Shanghai appliance repair service with one dispatcher, three technicians, four customers.
#include "fieldserver/app/demo_data.hpp"

#include <Poco/JSON/Parser.h>

#include "fieldserver/util/json.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {
namespace {

Poco::JSON::Object::Ptr json(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

// A 1×1 PNG: the demo's stand-in for a signature drawn on a tablet.
const char* kSignaturePng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

// The demo shop as it is built: the services, the two actors everything is done as, and the ids made so far.
struct Demo {
    Services& s;
    Actor admin, dispatcher;
    std::int64_t now = 0;
    Poco::JSON::Object::Ptr zhang, chen;
    std::string liu, zhao, sun, zhou, liu_user;
    std::string washer, tv, ac, fridge, ac2;
};

void add_staff(Demo& d, const std::string& password) {
    auto user = [&](const std::string& body) {
        auto b = json(body);
        b->set("password", password);
        return d.s.users.create(d.admin, b);
    };
    auto dispatcher_user = user(R"({"username":"dispatcher","name":"王芳","role":"dispatcher","phone":"021-50001000",
        "time_zone":"Asia/Shanghai"})");
    user(R"({"username":"tech.li","name":"李建国","role":"technician","phone":"13611110001","region":"浦东新区",
        "time_zone":"Asia/Shanghai","skills":{"洗衣机":4,"空调":3},"home_location":{"lat":31.2050,"lng":121.5900}})");
    d.zhang =
        user(R"({"username":"tech.zhang","name":"张伟","role":"technician","phone":"13611110002","region":"徐汇区",
        "time_zone":"Asia/Shanghai","skills":{"空调":5,"冰箱":3},"home_location":{"lat":31.1880,"lng":121.4370}})");
    d.chen = user(R"({"username":"tech.chen","name":"陈静","role":"technician","phone":"13611110003","region":"闵行区",
        "time_zone":"Asia/Shanghai","skills":{"电视":4,"冰箱":4},"home_location":{"lat":31.1600,"lng":121.3500}})");
    d.dispatcher = Actor{.id = text(dispatcher_user, "id"), .role = Role::dispatcher, .name = "王芳", .source = "demo"};
    user(R"({"username":"agent","name":"何静","role":"agent","phone":"021-50001001","email":"agent@example.cn",
        "time_zone":"Asia/Shanghai"})");
    user(R"({"username":"supervisor","name":"周主管","role":"supervisor","phone":"021-50001002",
        "email":"supervisor@example.cn","time_zone":"Asia/Shanghai"})");
}

void add_customers(Demo& d, const std::string& password) {
    auto customer = [&](const std::string& body) {
        return text(d.s.customers.create_customer(d.dispatcher, json(body)), "id");
    };
    d.liu = customer(R"({"name":"刘洋","phone":"13800138001","email":"liuyang@example.cn",
        "address":"上海市浦东新区张江路88号3栋1201室","location":{"lat":31.2040,"lng":121.5950}})");
    d.zhao = customer(R"({"name":"赵敏","phone":"13900139002","address":"上海市徐汇区漕溪北路201号",
        "location":{"lat":31.1900,"lng":121.4360}})");
    d.sun = customer(R"({"name":"孙丽","phone":"13700137003","address":"上海市闵行区七宝镇新镇路66弄5号",
        "location":{"lat":31.1580,"lng":121.3520}})");
    d.zhou = customer(R"({"name":"周强","phone":"13500135004","address":"上海市浦东新区世纪大道1000号",
        "location":{"lat":31.2290,"lng":121.5280}})");
    auto customer_login = json(R"({"username":"customer.liu","name":"刘洋","role":"customer","phone":"13800138001"})");
    customer_login->set("password", password);
    customer_login->set("customer_id", d.liu);
    d.liu_user = text(d.s.users.create(d.admin, customer_login), "id");
}

void add_assets(Demo& d) {
    std::int64_t now = d.now;
    std::string next_year = fieldsync::format_date(now + 365LL * 86'400'000);
    std::string last_year = fieldsync::format_date(now - 365LL * 86'400'000);
    std::string two_years_ago = fieldsync::format_date(now - 2 * 365LL * 86'400'000);
    auto asset = [&](const std::string& customer_id, const std::string& model, const std::string& serial,
                     const std::string& purchased, const std::string& until) {
        Poco::JSON::Object::Ptr b = new Poco::JSON::Object;
        b->set("customer_id", customer_id);
        b->set("model", model);
        b->set("serial_no", serial);
        b->set("purchase_date", purchased);
        b->set("warranty_until", until);
        return text(d.s.customers.create_asset(d.dispatcher, b), "id");
    };
    d.washer = asset(d.liu, "海尔 EG100MATE3S 滚筒洗衣机", "HR-EG100-240001", last_year, next_year);
    d.tv = asset(d.liu, "海信 65E3F 液晶电视", "HX-65E3F-230417", two_years_ago, last_year);
    d.ac = asset(d.zhao, "格力 KFR-35GW 壁挂空调", "GL-KFR35-220318", two_years_ago, last_year);
    d.fridge = asset(d.sun, "美的 BCD-520WKPZM 冰箱", "MD-BCD520-240815", last_year, next_year);
    d.ac2 = asset(d.zhou, "美的 KFR-72LW 柜式空调", "MD-KFR72-250102", last_year, next_year);
}

std::string report(Demo& d, const std::string& customer_id, const std::string& asset_id, const std::string& description,
                   const std::string& priority, const std::string& category) {
    Poco::JSON::Object::Ptr b = new Poco::JSON::Object;
    b->set("customer_id", customer_id);
    b->set("asset_id", asset_id);
    b->set("description", description);
    b->set("channel", "phone");
    b->set("priority", priority);
    b->set("category", category);
    return text(d.s.jobs.create(d.dispatcher, b), "id");
}

void act(Demo& d, const Actor& who, const std::string& job, const std::string& action, const std::string& fields) {
    d.s.jobs.act(who, job, action, json(fields));
}

Actor tech(const Poco::JSON::Object::Ptr& u) {
    return Actor{.id = text(u, "id"), .role = Role::technician, .name = text(u, "name"), .source = "demo"};
}

void assign(Demo& d, const std::string& job, const Poco::JSON::Object::Ptr& u) {
    act(d, d.dispatcher, job, "assign", R"({"technician_id":")" + text(u, "id") + "\"}");
}

// Jobs in every early state: reported, assigned, assessed, scheduled.
void add_open_jobs(Demo& d) {
    std::string tomorrow = fieldsync::format_date(d.now + 86'400'000);

    report(d, d.liu, d.washer, "洗衣机脱水时剧烈震动并伴有异响,已停用。", "urgent", "洗衣机");

    std::string j2 = report(d, d.zhao, d.ac, "空调制冷效果差,室外机不启动。", "high", "空调");
    assign(d, j2, d.zhang);

    std::string j3 = report(d, d.sun, d.fridge, "冰箱冷藏室不制冷,冷冻室正常。", "normal", "冰箱");
    assign(d, j3, d.chen);
    act(d, tech(d.chen), j3, "submit_assessment", R"({"findings":"温控器故障,冷藏风门卡滞。","warranty_covered":false,
        "customer_caused":true,"fault_category":"冰箱","plan":{"mode":"on_site","cost_to_customer":380,"items":[
        {"kind":"part","description":"温控器","part_no":"MD-TC-520","quantity":1,"unit_price":260},
        {"kind":"labour","description":"上门维修工时","quantity":1,"unit_price":120}]}})");

    std::string j4 = report(d, d.zhou, d.ac2, "柜机开机后不久自动关机,显示E5。", "normal", "空调");
    assign(d, j4, d.zhang);
    act(d, tech(d.zhang), j4, "submit_assessment", R"({"findings":"主板电压检测异常,需更换主控板。",
        "warranty_covered":true,"customer_caused":false,"plan":{"mode":"on_site","cost_to_customer":0,"items":[
        {"kind":"part","description":"主控板","part_no":"MD-PCB-72","quantity":1,"unit_price":450},
        {"kind":"labour","description":"上门维修工时","quantity":1,"unit_price":150}]}})");
    act(d, d.dispatcher, j4, "schedule",
        R"({"technician_id":")" + text(d.zhang, "id") + R"(","window_start":")" + tomorrow +
            R"(T09:00:00+08:00","window_end":")" + tomorrow + R"(T11:00:00+08:00"})");
}

// One job through its whole life: depot repair, customer acceptance and closing.
void add_closed_job(Demo& d) {
    std::string j5 = report(d, d.liu, d.tv, "电视有声音无图像,背光不亮。", "normal", "电视");
    assign(d, j5, d.chen);
    act(d, tech(d.chen), j5, "submit_assessment",
        R"({"findings":"背光灯条两处烧毁,需返厂更换。","warranty_covered":false,
        "customer_caused":false,"fault_category":"电视","plan":{"mode":"depot","cost_to_customer":520,"items":[
        {"kind":"part","description":"背光灯条（一套）","quantity":1,"unit_price":360},
        {"kind":"labour","description":"返厂维修工时","quantity":1,"unit_price":160}]}})");
    Actor liu_actor{.id = d.liu_user, .role = Role::customer, .name = "刘洋", .customer_id = d.liu, .source = "demo"};
    act(d, d.dispatcher, j5, "approve_plan", R"({"plan_version":1,"comment":"客户电话确认同意"})");
    act(d, d.dispatcher, j5, "schedule", R"({"carrier":"顺丰速运","tracking_no":"SF1234567890"})");
    act(d, tech(d.chen), j5, "start_repair", R"({"receipt_inspection":"外观完好,屏幕无划痕,配件齐全。"})");
    act(d, tech(d.chen), j5, "complete_repair",
        R"({"work_summary":"更换背光灯条,老化测试4小时正常。","time_spent_minutes":150,
        "parts_used":[{"description":"背光灯条（一套）","quantity":1}],"return_carrier":"顺丰速运","return_tracking_no":"SF0987654321"})");
    auto summary = d.s.jobs.summary(d.dispatcher, j5);
    Poco::JSON::Object::Ptr acceptance = json(R"({"signer_name":"刘洋","rating":5,"comment":"修得很好,谢谢!",
        "signature_strokes":[[[10,10],[40,30],[80,12]]]})");
    acceptance->set("signature_png", kSignaturePng);
    acceptance->set("summary_sha256", text(summary, "sha256"));
    d.s.jobs.act(liu_actor, j5, "record_acceptance", acceptance);
    // The follow-up call (回访) is made and the survey taken before the job may be closed.
    auto followup = d.s.db.read([&](Db& db) {
        return text(db.query_one("SELECT id FROM followups WHERE job_id = ? AND state = 'due'", {j5}), "id");
    });
    d.s.followups.survey(d.dispatcher, followup,
                         json(R"({"rating":5,"technician_rating":5,"timeliness_rating":4,"price_rating":4,
        "comment":"电话回访:客户满意,电视使用正常。"})"));
    act(d, d.dispatcher, j5, "close", R"({"follow_up_note":"回访:客户满意。"})");
}

void add_catalogs(Demo& d) {
    // The catalogs every technician's tablet carries.
    for (const char* part : {R"({"sku":"MD-TC-520","name":"冰箱温控器","unit":"个","unit_price":260})",
                             R"({"sku":"MD-PCB-72","name":"柜机主控板","unit":"块","unit_price":450})",
                             R"({"sku":"HX-BL-65","name":"65寸背光灯条（一套）","unit":"套","unit_price":360})",
                             R"({"sku":"HR-BRG-100","name":"滚筒轴承","unit":"个","unit_price":85})",
                             R"({"sku":"GL-CAP-35","name":"压缩机启动电容","unit":"个","unit_price":45})"})
        d.s.catalog.create_part(d.dispatcher, json(part));
    for (const char* category : {R"({"code":"washer","name":"洗衣机"})", R"({"code":"ac","name":"空调"})",
                                 R"({"code":"fridge","name":"冰箱"})", R"({"code":"tv","name":"电视"})"})
        d.s.catalog.create_fault_category(d.dispatcher, json(category));
}

}  // namespace

bool load_demo_data(Services& s, const std::string& password) {
    if (s.db.read([](Db& db) { return db.scalar("SELECT COUNT(*) FROM jobs"); }) > 0) return false;
    Demo d{.s = s, .admin = Actor{.role = Role::admin, .name = "demo loader", .source = "demo"}};
    add_staff(d, password);
    add_customers(d, password);
    d.now = fieldsync::now_ms();
    add_assets(d);
    add_open_jobs(d);
    add_closed_job(d);
    add_catalogs(d);
    return true;
}

}  // namespace fieldserver
