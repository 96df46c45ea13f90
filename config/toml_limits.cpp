#include "config/toml_limits.hpp"

#include <vector>

namespace spec_notify::config::detail {
namespace {

constexpr std::string_view kLimitText =
    " levels deep (each header or dotted-key segment, array and inline table counts one level)";

// A single pass over the text tracking just enough TOML to know, at every '.', '[', '{' and '=', how deep the
// table tree toml++ would build is. It never needs to be right about malformed input, only never to count
// inside strings or comments, and never to under-count valid input.
class limit_scanner {
 public:
  limit_scanner(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  std::optional<config_problem> run() {
    while (!problem_ && i_ < text_.size()) step(text_[i_]);
    return problem_;
  }

 private:
  struct frame {
    bool inline_table;  // else an array
    int depth;          // depth of the container itself
  };

  void step(char c) {
    if (c == '#') return skip_comment();
    if (c == '"' || c == '\'') {
      key_started_ = key_started_ || in_key_;
      return skip_string(c);
    }
    if (c == '\n') {
      if (stack_.empty()) start_key();  // a new top-level line: a key, a header, or nothing
      return advance();
    }
    if (in_key_) {
      key_char(c);
    } else {
      value_char(c);
    }
    advance();
  }

  void key_char(char c) {
    if (c == ' ' || c == '\t' || c == '\r') return;
    if (c == '[' && stack_.empty() && !key_started_ && !in_header_) {
      in_header_ = true;
      header_array_ = i_ + 1 < text_.size() && text_[i_ + 1] == '[';
      if (header_array_) advance();
      return;
    }
    if (in_header_ && c == ']') {
      table_depth_ = container_depth() + dots_ + 1 + (header_array_ ? 1 : 0);
      if (header_array_ && i_ + 1 < text_.size() && text_[i_ + 1] == ']') advance();
      in_header_ = false;
      in_key_ = false;
      check(table_depth_, "table header is nested ");
      return;
    }
    if (c == '}' && !stack_.empty() && stack_.back().inline_table) return pop();  // {} or a trailing ','
    if (c == '.') {
      ++dots_;
      check(container_depth() + dots_ + 1, in_header_ ? "table header is nested " : "dotted key is nested ");
      return;
    }
    if (c == '=' && !in_header_) {
      value_depth_ = container_depth() + dots_ + 1;
      in_key_ = false;
      check(value_depth_, stack_.empty() ? "key is nested " : "inline table is nested ");
      return;
    }
    key_started_ = true;
  }

  void value_char(char c) {
    if (c == '[') {
      stack_.push_back(frame{false, value_depth_});
      value_depth_ += 1;
      check(value_depth_, "array is nested ");
    } else if (c == '{') {
      stack_.push_back(frame{true, value_depth_});
      start_key();
    } else if (c == ']' && !stack_.empty() && !stack_.back().inline_table) {
      pop();
    } else if (c == '}' && !stack_.empty() && stack_.back().inline_table) {
      pop();
    } else if (c == ',' && !stack_.empty() && stack_.back().inline_table) {
      start_key();
    }
  }

  void start_key() {
    in_key_ = true;
    key_started_ = false;
    in_header_ = false;
    dots_ = 0;
  }

  void pop() {
    stack_.pop_back();
    in_key_ = false;  // a closed value is followed by ',', a closing bracket or the end of the line
    if (!stack_.empty() && !stack_.back().inline_table) value_depth_ = stack_.back().depth + 1;
  }

  int container_depth() const {
    return stack_.empty() ? (in_header_ ? 0 : table_depth_) : stack_.back().depth;
  }

  void check(int depth, std::string_view what) {
    if (depth <= kMaxNestingDepth || problem_) return;
    problem_ = config_problem{file_, line_, col_,
                              "TOML structure too deep: " + std::string(what) + "more than " +
                                  std::to_string(kMaxNestingDepth) + std::string(kLimitText),
                              false};
  }

  void skip_comment() {
    while (i_ < text_.size() && text_[i_] != '\n') advance();
  }

  // Basic strings ("...", """...""") honour backslash escapes; literal strings ('...', '''...''') do not.
  // A single-line string ends at its quote or, unterminated, at the end of the line.
  void skip_string(char quote) {
    bool basic = quote == '"';
    bool multi = i_ + 2 < text_.size() && text_[i_ + 1] == quote && text_[i_ + 2] == quote;
    for (int n = multi ? 3 : 1; n > 0; --n) advance();
    while (i_ < text_.size()) {
      char c = text_[i_];
      if (basic && c == '\\') {
        advance();
        if (i_ < text_.size()) advance();
        continue;
      }
      if (!multi && (c == quote || c == '\n')) {
        if (c == quote) advance();
        return;
      }
      if (multi && c == quote && i_ + 2 < text_.size() && text_[i_ + 1] == quote && text_[i_ + 2] == quote) {
        for (int n = 0; n < 3; ++n) advance();
        // Up to two more quotes belong to the content: """a""""" is `a""`.
        for (int n = 0; n < 2 && i_ < text_.size() && text_[i_] == quote; ++n) advance();
        return;
      }
      advance();
    }
  }

  // Columns count characters, as toml++ does: UTF-8 continuation bytes do not start a new column.
  void advance() {
    char c = text_[i_++];
    if (c == '\n') {
      ++line_;
      col_ = 1;
    } else if (i_ < text_.size() && (static_cast<unsigned char>(text_[i_]) & 0xC0) != 0x80) {
      ++col_;
    }
  }

  std::string_view text_;
  const std::string& file_;
  size_t i_ = 0;
  int line_ = 1, col_ = 1;
  std::vector<frame> stack_;  // open arrays / inline tables of the current value
  int table_depth_ = 0;       // depth of the table the last [header] opened (0: the root)
  int value_depth_ = 0;       // depth of the value being read
  int dots_ = 0;              // '.' seen in the current key
  bool in_key_ = true, key_started_ = false, in_header_ = false, header_array_ = false;
  std::optional<config_problem> problem_;
};

}  // namespace

std::optional<config_problem> check_toml_limits(std::string_view text, const std::string& file) {
  if (text.size() > kMaxConfigBytes)
    return config_problem{
        file, 0, 0,
        "config file is larger than 1 MiB (" + std::to_string(text.size()) + " bytes); refusing to parse it",
        false};
  return limit_scanner(text, file).run();
}

}  // namespace spec_notify::config::detail
