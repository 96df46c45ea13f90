// The built-in chat formats (issue 17 item 1): every body parses as the service's webhook does and stays
// within its documented limits, for every event type, with 2 KB titles, emoji and invalid UTF-8; the
// standard format is byte for byte payload v1; helper fields are cut on UTF-8 boundaries and escaped for
// the service (Slack mrkdwn entities, no Google Chat mentions).
#define BOOST_TEST_MODULE chat_format
#include "actors/router/chat_format.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "actors/router/body_template.hpp"
#include "actors/router/payload.hpp"

using namespace spec_notify;
using namespace spec_notify::router;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

const std::string kEmoji = "\xF0\x9F\x9A\x80";  // U+1F680, 4 bytes, 2 UTF-16 units
const std::string kInvalid = "\xFF\xC3";        // a stray byte and a truncated sequence

// 2 KB+ of title: emoji, invalid UTF-8, markup that chat services interpret.
std::string long_title() {
  std::string t;
  while (t.size() < 2100)
    t += "Ship " + kEmoji + " <!channel> @everyone <users/all> & \"q\" " + kInvalid + " ";
  return t;
}

event_context context(bool conflict) {
  std::string points;
  for (int i = 0; i < 20; ++i) points += std::string(i ? "," : "") + json_string(long_title().substr(0, 500));
  event_context ctx;
  ctx.consensus = conflict ? "{\"status\":\"conflict\",\"agreements\":0,\"conflicts\":20,\"stage\":\"plan\","
                             "\"path\":\"docs/x/plan_synthesis.json\",\"conflict_points\":[" +
                                 points + "],\"agents\":[\"a\"]}"
                           : "{\"status\":\"ok\",\"agreements\":4,\"conflicts\":0,\"path\":\"c.json\"}";
  ctx.telemetry = "{\"command\":\"spec-ops-validate\",\"status\":\"passed\",\"path\":" +
                  json_string("docs/" + long_title() + ".json") + "}";
  ctx.evidence = {"e1"};
  return ctx;
}

event make(const char* type) {
  event e;
  e.id = "evt_1";
  e.type = type;
  e.occurred_at_ms = 1795568523456;
  e.spec_id = "SPEC-KIT-075-" + long_title();
  const bool task =
      std::string(type) == event_type::task_transitioned || std::string(type) == event_type::test;
  if (task) {
    e.task_id = "T63";
    e.task_title = long_title();
    e.from = "In Progress";
    e.to = "Done";
    e.raw_status = "**DONE**";
    e.source = "docs/SPEC-KIT-075/tasks.md";
    e.line = 42;
  } else {
    e.stage = "plan " + long_title();
    e.status = "passed";
  }
  e.context = context(std::string(type) == event_type::consensus_conflict);
  return e;
}

const char* kTypes[] = {event_type::task_transitioned, event_type::stage_completed,
                        event_type::pipeline_completed, event_type::consensus_conflict, event_type::test};

std::string render(config::body_format f, const event& e) {
  config::subscription_settings sub;
  sub.format = f;
  auto t = body_template::for_subscription(sub);
  BOOST_REQUIRE_MESSAGE(t, t.message());
  return (*t)->render(e, "msg_1", 7, "task/x");
}

Object::Ptr parse(const std::string& body) {
  Poco::JSON::Parser p;
  Poco::Dynamic::Var v;
  BOOST_REQUIRE_NO_THROW(v = p.parse(body));
  BOOST_REQUIRE(v.type() == typeid(Object::Ptr));
  return v.extract<Object::Ptr>();
}

// Characters as the strictest service counts them (UTF-16 code units; JavaScript's length).
size_t chars(const std::string& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
  }
  return n;
}

bool valid_utf8(const std::string& s) {
  return sanitize_utf8(s) == s;
}

std::string str(const Object::Ptr& o, const char* name) {
  BOOST_REQUIRE_MESSAGE(o->has(name) && o->get(name).isString(), "missing string member " << name);
  return o->getValue<std::string>(name);
}

}  // namespace

BOOST_AUTO_TEST_CASE(standard_format_is_payload_v1_byte_for_byte) {
  for (const char* type : kTypes) {
    const event e = make(type);
    BOOST_TEST(render(config::body_format::standard, e) == render_payload(e, "msg_1", 7, "task/x"));
  }
}

BOOST_AUTO_TEST_CASE(slack_body_has_text_and_blocks_within_slack_limits) {
  for (const char* type : kTypes) {
    BOOST_TEST_CONTEXT(type) {
      const auto o = parse(render(config::body_format::slack, make(type)));
      const std::string text = str(o, "text");
      BOOST_TEST(!text.empty());
      BOOST_TEST(chars(text) <= 3000u);
      BOOST_TEST(valid_utf8(text));
      BOOST_TEST(text.find("<!channel>") == std::string::npos);  // escaped: no @channel ping
      const auto blocks = o->getArray("blocks");
      BOOST_REQUIRE(blocks);
      BOOST_TEST(blocks->size() >= 1u);
      BOOST_TEST(blocks->size() <= 50u);
      for (size_t i = 0; i < blocks->size(); ++i) {
        const auto b = blocks->getObject(static_cast<unsigned>(i));
        const std::string kind = str(b, "type");
        if (kind == "section") {
          const auto t = b->getObject("text");
          BOOST_TEST(str(t, "type") == "mrkdwn");
          BOOST_TEST(chars(str(t, "text")) <= 3000u);
          BOOST_TEST(!str(t, "text").empty());
        } else {
          BOOST_TEST(kind == "context");
          const auto els = b->getArray("elements");
          BOOST_TEST(els->size() <= 10u);
          for (size_t j = 0; j < els->size(); ++j)
            BOOST_TEST(chars(str(els->getObject(static_cast<unsigned>(j)), "text")) <= 3000u);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(discord_body_has_content_and_embeds_within_discord_limits) {
  for (const char* type : kTypes) {
    BOOST_TEST_CONTEXT(type) {
      const auto o = parse(render(config::body_format::discord, make(type)));
      const std::string content = str(o, "content");
      BOOST_TEST(!content.empty());
      BOOST_TEST(chars(content) <= 2000u);
      BOOST_TEST(o->getObject("allowed_mentions")->getArray("parse")->size() == 0u);  // no pings
      const auto embeds = o->getArray("embeds");
      BOOST_REQUIRE(embeds);
      BOOST_TEST(embeds->size() <= 10u);
      size_t total = 0;
      for (size_t i = 0; i < embeds->size(); ++i) {
        const auto em = embeds->getObject(static_cast<unsigned>(i));
        const std::string title = str(em, "title"), description = str(em, "description");
        BOOST_TEST(chars(title) <= 256u);
        BOOST_TEST(!description.empty());
        BOOST_TEST(chars(description) <= 4096u);
        BOOST_TEST(valid_utf8(title + description));
        total += chars(title) + chars(description);
      }
      BOOST_TEST(total <= 6000u);
    }
  }
}

BOOST_AUTO_TEST_CASE(teams_body_is_an_adaptive_card_message) {
  for (const char* type : kTypes) {
    BOOST_TEST_CONTEXT(type) {
      const std::string body = render(config::body_format::teams, make(type));
      BOOST_TEST(body.size() < 28u * 1024u);
      const auto o = parse(body);
      BOOST_TEST(str(o, "type") == "message");
      const auto atts = o->getArray("attachments");
      BOOST_REQUIRE(atts);
      BOOST_REQUIRE(atts->size() == 1u);
      const auto att = atts->getObject(0);
      BOOST_TEST(str(att, "contentType") == "application/vnd.microsoft.card.adaptive");
      const auto card = att->getObject("content");
      BOOST_REQUIRE(card);
      BOOST_TEST(str(card, "type") == "AdaptiveCard");
      BOOST_TEST(!str(card, "version").empty());
      const auto blocks = card->getArray("body");
      BOOST_REQUIRE(blocks);
      BOOST_TEST(blocks->size() >= 2u);
      for (size_t i = 0; i < blocks->size(); ++i) {
        const auto b = blocks->getObject(static_cast<unsigned>(i));
        BOOST_TEST(str(b, "type") == "TextBlock");
        BOOST_TEST(chars(str(b, "text")) <= 4096u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(google_chat_body_is_one_text_within_its_limit) {
  for (const char* type : kTypes) {
    BOOST_TEST_CONTEXT(type) {
      const std::string body = render(config::body_format::google_chat, make(type));
      BOOST_TEST(body.size() < 28u * 1024u);
      const auto o = parse(body);
      const std::string text = str(o, "text");
      BOOST_TEST(chars(text) <= 4096u);
      BOOST_TEST(valid_utf8(text));
      BOOST_TEST(text.find("<users/all>") == std::string::npos);  // no @all mention
    }
  }
}

BOOST_AUTO_TEST_CASE(chat_message_names_spec_task_change_consensus_and_telemetry) {
  event e = make(event_type::task_transitioned);
  e.spec_id = "SPEC-KIT-075-webhooks";
  e.task_title = "Sign payloads";
  e.context.telemetry = R"({"command":"spec-ops-validate","status":"passed","path":"docs/t.json"})";
  e.context.consensus = R"({"status":"ok","agreements":4,"conflicts":0})";
  e.context.evidence.clear();
  const std::string text = str(parse(render(config::body_format::google_chat, e)), "text");
  for (const char* part :
       {"SPEC-KIT-075", "T63", "Sign payloads", "In Progress → Done",
        "Consensus: ok (4 agreements, 0 conflicts)", "Telemetry: spec-ops-validate passed · docs/t.json",
        "docs/SPEC-KIT-075/tasks.md:42"})
    BOOST_TEST(text.find(part) != std::string::npos, "'" << part << "' missing from: " << text);
}

BOOST_AUTO_TEST_CASE(conflict_message_lists_the_first_points_and_how_many_more) {
  const std::string text =
      str(parse(render(config::body_format::google_chat, make(event_type::consensus_conflict))), "text");
  BOOST_TEST(text.find("consensus conflict in stage plan") != std::string::npos, text);
  BOOST_TEST(text.find("Consensus: conflict (20 conflicting points)") != std::string::npos, text);
  BOOST_TEST(text.find("… and 15 more") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(truncate_utf8_cuts_on_a_code_point_boundary_with_an_ellipsis) {
  BOOST_TEST(truncate_utf8("short", 10) == "short");
  BOOST_TEST(truncate_utf8("0123456789", 10) == "0123456789");
  BOOST_TEST(truncate_utf8("0123456789A", 10) == "0123456…");
  // 4-byte emoji: a cut inside one drops it whole.
  const std::string s = "ab" + kEmoji + kEmoji;
  for (size_t max = 3; max < s.size(); ++max) {
    const std::string cut = truncate_utf8(s, max);
    BOOST_TEST(cut.size() <= max);
    BOOST_TEST(valid_utf8(cut));
    BOOST_TEST(cut.substr(cut.size() - 3) == "…");
  }
}

BOOST_AUTO_TEST_CASE(title_short_is_the_title_cut_to_its_budget) {
  config::subscription_settings sub;
  sub.template_file = "t.mustache";
  sub.template_text = "{\"short\":\"{{task.title_short}}\",\"title\":\"{{task.title}}\"}";
  auto compiled = body_template::for_subscription(sub);
  BOOST_REQUIRE(compiled);
  auto& t = *compiled;
  event e = make(event_type::task_transitioned);
  const auto o = parse(t->render(e, "msg_1", 1, "k"));
  const std::string title_short = str(o, "short"), title = str(o, "title");
  BOOST_TEST(title_short.size() <= kTitleShortBytes);
  BOOST_TEST(valid_utf8(title_short));
  BOOST_TEST(title_short.substr(title_short.size() - 3) == "…");
  BOOST_TEST(title.size() > 2000u);  // the full title is there too
  BOOST_TEST(title.compare(0, title_short.size() - 3, title_short, 0, title_short.size() - 3) == 0);
}

BOOST_AUTO_TEST_CASE(slack_text_escapes_mrkdwn_control_characters_and_never_cuts_an_entity) {
  event e = make(event_type::task_transitioned);
  e.spec_id = "SPEC-KIT-1";
  e.task_title = "a <b> & c";
  const std::string text = str(parse(render(config::body_format::slack, e)), "text");
  BOOST_TEST(text.find("a &lt;b&gt; &amp; c") != std::string::npos, text);
  // A title of '&' only: the cut summary must end in whole entities, then the ellipsis.
  e.task_title = std::string(600, '&');
  const std::string cut = str(parse(render(config::body_format::slack, e)), "text");
  BOOST_TEST(cut.size() <= kTextSummaryBytes);
  const std::string before = cut.substr(0, cut.size() - 3);
  BOOST_TEST(before.substr(before.size() - 5) == "&amp;", cut);
}
