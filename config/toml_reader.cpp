#include "config/toml_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "config/duration.hpp"

namespace spec_notify::config::detail {
namespace {

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool contains(const std::vector<std::string_view>& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// Table-valued keys point at the key's last use in a header, which can be odd; their table header is clearer.
const toml::source_region& key_position(const toml::key& k, const toml::node& value) {
  if (value.is_table() && value.source().begin.line > 0) return value.source();
  return k.source().begin.line > 0 ? k.source() : value.source();
}

}  // namespace

std::string closest_match(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (auto c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

void toml_reader::add(const toml::source_region& where, std::string message, bool warning) {
  config_problem p;
  p.file = file_;
  p.line = static_cast<int>(where.begin.line);
  p.col = static_cast<int>(where.begin.column);
  p.message = std::move(message);
  p.warning = warning;
  problems_.push_back(std::move(p));
}

void toml_reader::type_error(const scope& s, std::string_view key, const toml::node& node,
                             std::string_view expected) {
  error(node.source(),
        s.key(key) + " must be " + std::string(expected) + ", not " + std::string(type_name(node.type())));
}

void toml_reader::reject_unknown_keys(const scope& s, const std::vector<std::string_view>& allowed,
                                      const std::vector<std::string_view>& nested,
                                      std::string_view nested_name) {
  for (auto&& [k, v] : s.table) {
    std::string_view name = k.str();
    if (contains(allowed, name)) continue;
    std::string message = s.label + "unknown key '" + std::string(name) + "' in " + s.header;
    if (contains(nested, name)) {
      message += "; '" + std::string(name) + "' belongs in [" + std::string(nested_name) + "]";
    } else if (auto guess = closest_match(name, allowed); !guess.empty()) {
      message += "; did you mean '" + guess + "'?";
    }
    error(key_position(k, v), std::move(message));
  }
}

bool toml_reader::require(const scope& s, std::string_view key) {
  if (s.table.contains(key)) return true;
  error(s.table.source(), s.label + "missing required key '" + s.key_prefix + std::string(key) + "'");
  return false;
}

bool toml_reader::get_string(const scope& s, std::string_view key, std::string& out) {
  const toml::node* n = s.table.get(key);
  if (!n) return false;
  if (n->is_string()) {
    out = n->as_string()->get();
    return true;
  }
  type_error(s, key, *n, "a string");
  return false;
}

bool toml_reader::get_bool(const scope& s, std::string_view key, bool& out) {
  const toml::node* n = s.table.get(key);
  if (!n) return false;
  if (n->is_boolean()) {
    out = n->as_boolean()->get();
    return true;
  }
  type_error(s, key, *n, "a boolean (true or false)");
  return false;
}

bool toml_reader::get_int(const scope& s, std::string_view key, int64_t lo, int64_t hi, int64_t& out) {
  const toml::node* n = s.table.get(key);
  if (!n) return false;
  if (!n->is_integer()) {
    type_error(s, key, *n, "an integer");
    return false;
  }
  int64_t v = n->as_integer()->get();
  if (v < lo || v > hi) {
    std::string range = hi == std::numeric_limits<int64_t>::max()
                            ? (lo == 1 ? "greater than 0" : "at least " + std::to_string(lo))
                            : "between " + std::to_string(lo) + " and " + std::to_string(hi);
    error(n->source(), s.key(key) + " must be " + range + ", got " + std::to_string(v));
    return false;
  }
  out = v;
  return true;
}

bool toml_reader::get_number(const scope& s, std::string_view key, double& out) {
  const toml::node* n = s.table.get(key);
  if (!n) return false;
  if (!n->is_number()) {
    type_error(s, key, *n, "a number");
    return false;
  }
  double v = n->is_integer() ? static_cast<double>(n->as_integer()->get()) : n->as_floating_point()->get();
  if (!std::isfinite(v)) {
    error(n->source(), s.key(key) + " must be a finite number");
    return false;
  }
  out = v;
  return true;
}

bool toml_reader::get_duration(const scope& s, std::string_view key, bool allow_zero,
                               std::chrono::milliseconds& out, std::chrono::milliseconds max) {
  const toml::node* n = s.table.get(key);
  if (!n) return false;
  if (!n->is_string()) {
    type_error(s, key, *n, "a duration string such as \"10s\"");
    return false;
  }
  auto parsed = parse_duration(n->as_string()->get());
  if (!parsed) {
    error(n->source(), s.key(key) + ": " + parsed.message());
    return false;
  }
  std::chrono::milliseconds d = *parsed;
  if (!allow_zero && d.count() == 0) {
    error(n->source(), s.key(key) + " must be greater than 0");
    return false;
  }
  if (d > max) {
    error(n->source(),
          s.key(key) + " must be at most " + format_duration(max) + ", got " + format_duration(d));
    return false;
  }
  out = d;
  return true;
}

bool toml_reader::get_strings(const scope& s, std::string_view key, std::vector<std::string>& out,
                              const element_check& check) {
  const toml::node* n = s.table.get(key);
  if (!n) return false;
  const toml::array* arr = n->as_array();
  if (!arr) {
    type_error(s, key, *n, "an array of strings");
    return false;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (const toml::node& element : *arr) {
    if (!element.is_string()) {
      error(element.source(),
            s.key(key) + " entries must be strings, not " + std::string(type_name(element.type())));
      ok = false;
      continue;
    }
    const std::string& text = element.as_string()->get();
    if (check) {
      if (auto why = check(text)) {
        error(element.source(), s.key(key) + ": " + *why);
        ok = false;
        continue;
      }
    }
    values.push_back(text);
  }
  if (ok) out = std::move(values);
  return ok;
}

}  // namespace spec_notify::config::detail
