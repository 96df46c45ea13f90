#include "config/template_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <kainjow/mustache.hpp>

namespace spec_notify::config {

bool read_template_file(const std::string& path, std::string& text, std::string& why) {
  // O_NONBLOCK: a FIFO in place of the file must not block the loader (it is refused below, by type).
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    if (err == ELOOP)
      why = "is a symbolic link (give the path of the file itself)";
    else if (err == ENOENT)
      why = "does not exist";
    else
      why = std::string("cannot be opened: ") + std::strerror(err);
    return false;
  }
  struct stat st {};
  bool ok = false;
  if (::fstat(fd, &st) != 0) {
    why = std::string("cannot be read: ") + std::strerror(errno);
  } else if (!S_ISREG(st.st_mode)) {
    why = S_ISDIR(st.st_mode) ? "is a directory, not a file" : "is not a regular file";
  } else if (static_cast<unsigned long long>(st.st_size) > kMaxTemplateBytes) {
    why = "is " + std::to_string(st.st_size) + " bytes, larger than the limit of " +
          std::to_string(kMaxTemplateBytes);
  } else {
    text.clear();
    char buf[8192];
    ok = true;
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        why = std::string("cannot be read: ") + std::strerror(errno);
        ok = false;
        break;
      }
      if (n == 0) break;
      text.append(buf, static_cast<size_t>(n));
      if (text.size() > kMaxTemplateBytes) {  // grew while being read
        why = "is larger than the limit of " + std::to_string(kMaxTemplateBytes) + " bytes";
        ok = false;
        break;
      }
    }
    if (ok && text.find('\0') != std::string::npos) {
      why = "holds a NUL byte (not a text file)";
      ok = false;
    }
  }
  ::close(fd);
  return ok;
}

template_syntax_error locate_template_error(const std::string& text, const std::string& message) {
  template_syntax_error e;
  e.line = e.col = 1;
  e.message = message;
  const auto at = message.rfind(" at ");
  if (at == std::string::npos || at + 4 >= message.size()) return e;
  size_t offset = 0;
  for (size_t i = at + 4; i < message.size(); ++i) {
    if (message[i] < '0' || message[i] > '9') return e;
    offset = offset * 10 + static_cast<size_t>(message[i] - '0');
    if (offset > text.size()) return e;
  }
  e.message = message.substr(0, at);
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++e.line;
      e.col = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++e.col;  // columns count characters, not UTF-8 continuation bytes
    }
  }
  return e;
}

std::optional<template_syntax_error> check_template_syntax(const std::string& text) {
  kainjow::mustache::mustache tmpl(text);
  if (tmpl.is_valid()) return std::nullopt;
  return locate_template_error(text, tmpl.error_message());
}

}  // namespace spec_notify::config
