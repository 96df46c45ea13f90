#pragma once
// check-config's render test of body templates (issue 17 item 2): each subscription with a chat format or a
// template is rendered over sample payloads of every event type it takes (and of spec-notify.test, which
// --test sends), built from hostile values (quotes, backslashes, a newline, "}}", "<!channel>", emoji,
// invalid UTF-8, a 2 KB title, seven conflicting points). A JSON content_type must give valid JSON for
// every one. Syntax errors are the loader's (file:line:col); these are what only rendering shows.
// Pure; nothing is sent or written.
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "messages/event.hpp"

namespace spec_notify::app {

// The sample events, one per type in `types` (unknown types skipped) plus spec-notify.test.
std::vector<event> sample_events(const std::vector<std::string>& types);

// True when `content_type`'s media type is application/json or ends in +json (ASCII case-insensitive).
bool is_json_content_type(const std::string& content_type);

// The problems of `sub`'s body (none for the standard format): errors located at the template file (line 0)
// or, for a built-in template, at the config file; a warning for each {{{name}}} / {{&name}} other than
// payload_json (written unescaped).
std::vector<config::config_problem> check_subscription_body(const config::subscription_settings& sub,
                                                            const std::string& config_path);

}  // namespace spec_notify::app
