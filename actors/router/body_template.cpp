#include "actors/router/body_template.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "actors/router/chat_format.hpp"
#include "actors/router/payload.hpp"
#include "actors/util/json_text.hpp"
#include "config/template_file.hpp"

namespace spec_notify::router {

namespace {

using kainjow::mustache::data;

// The payload is ours and shallow; the bound only keeps a hostile context object from recursing deeply.
constexpr int kMaxDepth = 32;

data to_data(const Poco::Dynamic::Var& v, int depth) {
  if (v.isEmpty()) return data(false);  // null
  if (v.type() == typeid(Poco::JSON::Object::Ptr)) {
    data obj{data::type::object};
    const auto o = v.extract<Poco::JSON::Object::Ptr>();
    if (depth >= kMaxDepth) return obj;
    for (const auto& [name, value] : *o) obj.set(name, to_data(value, depth + 1));
    return obj;
  }
  if (v.type() == typeid(Poco::JSON::Array::Ptr)) {
    data list{data::type::list};
    const auto a = v.extract<Poco::JSON::Array::Ptr>();
    if (depth >= kMaxDepth) return list;
    for (size_t i = 0; i < a->size(); ++i)
      list.push_back(to_data(a->get(static_cast<unsigned>(i)), depth + 1));
    return list;
  }
  if (v.type() == typeid(bool)) return data(v.extract<bool>());
  try {
    return data(v.convert<std::string>());
  } catch (const Poco::Exception&) {
    return data(std::string());
  }
}

}  // namespace

std::string json_escape_inner(const std::string& text) {
  std::string quoted;
  quoted.reserve(text.size() + 2);
  util::append_json_string(quoted, text);
  return quoted.substr(1, quoted.size() - 2);
}

bool json_to_data(const std::string& json_text, data& out) {
  const auto root = util::parse_json(json_text);
  if (!root) return false;
  out = to_data(*root, 0);
  return true;
}

result<std::unique_ptr<body_template>> body_template::for_subscription(
    const config::subscription_settings& sub) {
  std::unique_ptr<body_template> t(new body_template());
  t->format_ = sub.format;
  std::string text;
  if (!sub.template_file.empty()) {
    text = sub.template_text;
    t->source_ = "template " + sub.template_file;
  } else if (sub.format != config::body_format::standard) {
    text = std::string(builtin_template(sub.format));
    t->source_ = "built-in " + std::string(config::to_string(sub.format)) + " template";
  } else {
    return {std::move(t)};
  }
  t->tmpl_ = std::make_unique<kainjow::mustache::mustache>(text);
  if (!t->tmpl_->is_valid()) {
    const auto where = config::locate_template_error(text, t->tmpl_->error_message());
    return status::failure(t->source_ + ":" + std::to_string(where.line) + ":" + std::to_string(where.col) +
                           ": " + where.message);
  }
  t->tmpl_->set_custom_escape(json_escape_inner);
  return {std::move(t)};
}

result<std::string> body_template::render_json(const std::string& payload_json) {
  if (!tmpl_) return payload_json;
  data d;
  if (!json_to_data(payload_json, d) || !d.is_object())
    return status::failure("the payload is not a JSON object");
  add_helper_fields(d, payload_json, format_);
  std::string out = tmpl_->render(d);
  if (!tmpl_->is_valid()) return status::failure(source_ + ": " + tmpl_->error_message());
  return out;
}

std::string body_template::render(const event& e, const std::string& delivery_id, int64_t sequence,
                                  const std::string& ordering_key) {
  std::string payload = render_payload(e, delivery_id, sequence, ordering_key);
  if (!tmpl_) return payload;
  auto out = render_json(payload);
  return out ? std::move(*out) : payload;
}

}  // namespace spec_notify::router
