// The message catalog: both languages for every id, arguments substituted and labelled, errors rendered in the
// reader's language with the code's general message as fallback, and Accept-Language parsed by q-value.
#include <catch2/catch.hpp>
#include <fieldsync/error.hpp>
#include <fieldsync/message.hpp>
#include <fieldsync/zone.hpp>
#include <regex>
#include <set>
#include <string>

using namespace fieldsync;

namespace {

std::set<std::string> placeholders(const std::string& text) {
    std::set<std::string> out;
    static const std::regex name(R"(\{([a-z_]+)\})");
    for (std::sregex_iterator it(text.begin(), text.end(), name), end; it != end; ++it) out.insert((*it)[1]);
    return out;
}

}  // namespace

TEST_CASE("every catalog message has English and Chinese that use only named arguments", "[sync][messages]") {
    auto ids = message_ids();
    REQUIRE(ids.size() > 50);
    std::set<std::string_view> unique(ids.begin(), ids.end());
    CHECK(unique.size() == ids.size());
    for (auto id : ids) {
        INFO(id);
        Message bare{std::string(id), {}};
        std::string en = render(bare, Locale::en), zh = render(bare, Locale::zh_cn);
        CHECK_FALSE(en.empty());
        CHECK_FALSE(zh.empty());
        CHECK(en != zh);
        // Unfilled placeholders vanish, so the raw text shows none left over and the Chinese asks for no argument
        // the English does not know of.
        CHECK(placeholders(en).empty());
        CHECK(placeholders(zh).empty());
    }
}

TEST_CASE("arguments are substituted; field, role, action and state names are labelled in Chinese",
          "[sync][messages]") {
    Message m{"action.forbidden", {{"role", "technician"}, {"action", "cancel"}}};
    CHECK(render(m, Locale::en) == "a technician may not cancel a job");
    CHECK(render(m, Locale::zh_cn) == "技术员不能对工单执行“取消”");
    Message field{"field.required", {{"field", "reason"}, {"action", "hold"}}};
    CHECK(render(field, Locale::en) == "reason is required to hold");
    CHECK(render(field, Locale::zh_cn) == "请填写原因");
    Message unknown_label{"field.empty", {{"field", "x_custom"}}};
    CHECK(render(unknown_label, Locale::zh_cn) == "x_custom不能为空");
    CHECK(render({"reason.sla_late", {{"duration", "65"}}}, Locale::en) == "Done 1 h 05 min after the SLA deadline");
    CHECK(render({"reason.sla_late", {{"duration", "65"}}}, Locale::zh_cn) == "将超出服务时限 1 小时 5 分钟");
    CHECK(render({"no.such.id", {}}, Locale::zh_cn) == "no.such.id");
    // States and actions of complaints, appeals and follow-ups have labels of their own: a complaint is closed as
    // 已结案 where a job is 已关闭.
    Message complaint{"complaint.invalid_transition",
                      {{"complaint_state", "closed"}, {"complaint_action", "escalate"}}};
    CHECK(render(complaint, Locale::zh_cn) == "投诉处于“已结案”状态，不能“转主管”");
    CHECK(render(complaint, Locale::en) == "a complaint that is closed cannot be given escalate");
    CHECK(render({"followup.settled", {{"followup_state", "waived"}}}, Locale::zh_cn) == "该回访已处理（免回访）");
    CHECK(render({"sla.priority_twice", {{"priority", "urgent"}}}, Locale::zh_cn) == "服务时限策略中“紧急”优先级重复");
    // A value with no label stays as given, also when its argument is one that has labels.
    CHECK(render({"appeal.decided", {{"appeal_state", "lost"}}}, Locale::zh_cn) == "该申诉已裁定（lost）");
}

TEST_CASE("an error renders its message, else in English its text, else the code's general message",
          "[sync][messages]") {
    Error catalogued(ErrorCode::missing_field, Message{"field.required", {{"field", "reason"}, {"action", "hold"}}},
                     "reason");
    CHECK(std::string(catalogued.what()) == "reason is required to hold");
    CHECK(error_text(catalogued, Locale::zh_cn) == "请填写原因");
    Error plain(ErrorCode::not_found, "no job 42");
    CHECK(error_text(plain, Locale::en) == "no job 42");
    CHECK(error_text(plain, Locale::zh_cn) == "不存在或您无权查看");
    Error plain_field(ErrorCode::invalid_field, "serial_no must be short", "serial_no");
    CHECK(error_text(plain_field, Locale::zh_cn) == "序列号无效");
}

TEST_CASE("Accept-Language picks the best of Chinese and English by q-value", "[sync][messages]") {
    CHECK(locale_from_accept_language("") == Locale::en);
    CHECK(locale_from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == Locale::zh_cn);
    CHECK(locale_from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8") == Locale::en);
    CHECK(locale_from_accept_language("fr-FR, zh;q=0.5") == Locale::zh_cn);
    CHECK(locale_from_accept_language("de, fr;q=0.9") == Locale::en);
    CHECK(locale_from_accept_language("ZH-cn") == Locale::zh_cn);
    CHECK(locale_from_accept_language("en;q=0.2, zh-TW;q=0.7") == Locale::zh_cn);
}

TEST_CASE("a locale scope sets this thread's language and restores the one before", "[sync][messages]") {
    CHECK(current_locale() == Locale::en);
    {
        LocaleScope outer(Locale::zh_cn);
        CHECK(localize({"error.forbidden", {}}) == "您的角色无权执行此操作");
        {
            LocaleScope inner(Locale::en);
            CHECK(current_locale() == Locale::en);
        }
        CHECK(current_locale() == Locale::zh_cn);
    }
    CHECK(current_locale() == Locale::en);
}

TEST_CASE("time arguments read on the reader's clock, in UTC when no zone is in scope", "[sync][messages]") {
    Message clash{"conflict.visit_clash",
                  {{"start", "2027-02-05T02:00:00.000Z"}, {"end", "2027-02-05T04:30:00.000Z"}, {"ticket", "T-1"}}};
    CHECK(render(clash, Locale::en) ==
          "the technician is already booked from Feb 5, 2027, 02:00 UTC to Feb 5, 2027, 04:30 UTC for job T-1 ()");
    CHECK(render(clash, Locale::zh_cn) ==
          "该技术员在 2027年2月5日 02:00 UTC 至 2027年2月5日 04:30 UTC 已安排了工单 T-1");
    {
        ZoneScope shanghai([](std::int64_t) { return 480; });
        CHECK(render(clash, Locale::zh_cn) == "该技术员在 2027年2月5日 10:00 至 2027年2月5日 12:30 已安排了工单 T-1");
        // West of UTC the day before: the date follows the clock.
        ZoneScope new_york([](std::int64_t) { return -300; });
        CHECK(render(clash, Locale::en).find("from Feb 4, 2027, 21:00 to Feb 4, 2027, 23:30") != std::string::npos);
    }
    // The scope ended: UTC again; a value that is no instant stays as given.
    CHECK(render(clash, Locale::en).find("02:00 UTC") != std::string::npos);
    CHECK(render({"conflict.visit_clash", {{"start", "03-04 10:00"}}}, Locale::en).find("from 03-04 10:00 to") !=
          std::string::npos);
}
