// The one catalog of the messages people read (errors, reasons), keyed by stable ids with named arguments and
// rendered in English or Simplified Chinese; the server picks the language per request, devices per user.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fieldsync {

enum class Locale { en, zh_cn };

// A message to show: a catalog id ("field.required") and its arguments ({"field", "reason"}). An argument named
// "field" is a field name: rendered through the catalog's field labels when it has one (so are roles, actions and
// states: any argument with a label "<name>.<value>").
struct Message {
    std::string id;
    std::vector<std::pair<std::string, std::string>> args;

    bool empty() const noexcept { return id.empty(); }
};

// The text of message in locale; an id the catalog lacks renders as the id itself, so nothing is lost.
std::string render(const Message& message, Locale locale);
// Whether the catalog holds id (both languages are required of every entry).
bool has_message(std::string_view id);
// Every id in the catalog, for the checks that each has both languages and uses only its arguments.
std::vector<std::string_view> message_ids();

// The best supported language of an Accept-Language header ("zh-CN,zh;q=0.9,en;q=0.8"): the highest q-value
// that is Chinese or English; English when none is.
Locale locale_from_accept_language(std::string_view header);
std::string_view to_string(Locale locale) noexcept;

// The language of the request this thread is answering: set by the HTTP layer for one request, read wherever a
// message becomes text (reasons in an answer). English when no request set one.
Locale current_locale() noexcept;
class LocaleScope {
  public:
    explicit LocaleScope(Locale locale) noexcept;
    ~LocaleScope();
    LocaleScope(const LocaleScope&) = delete;
    LocaleScope& operator=(const LocaleScope&) = delete;

  private:
    Locale previous_;
};

// render(message, current_locale()).
std::string localize(const Message& message);

}  // namespace fieldsync
