#pragma once
// Body templates (key "template" of a subscription, issue 17 item 2): reading the file safely and checking
// its Mustache syntax at load time, so serve never starts with a template it cannot render. Rendering lives
// in actors/router/body_template.hpp; this header only knows files and syntax.
// Thread-safety: pure functions (file reads only).
#include <cstddef>
#include <optional>
#include <string>

namespace spec_notify::config {

// Largest template file accepted (bytes).
inline constexpr size_t kMaxTemplateBytes = 64 * 1024;

// Reads `path` into `text`. Refuses (false, `why` set, `text` unspecified) a path that does not exist, a
// symbolic link (the last component is opened with O_NOFOLLOW), anything but a regular file, a file larger
// than kMaxTemplateBytes, a file with a NUL byte and one that cannot be read. `why` never quotes the content.
bool read_template_file(const std::string& path, std::string& text, std::string& why);

// A template syntax error located in the template text (1-based line and column).
struct template_syntax_error {
  int line = 0, col = 0;
  std::string message;  // kainjow's message without its trailing " at <offset>"
};

// Parses `text` as Mustache (kainjow); nullopt when it parses.
std::optional<template_syntax_error> check_template_syntax(const std::string& text);

// kainjow reports errors as "... at <byte offset>": the line and column of that offset in `text`, and the
// message without the offset. A message without an offset is kept whole, at line 1, column 1.
template_syntax_error locate_template_error(const std::string& text, const std::string& message);

}  // namespace spec_notify::config
