#pragma once
// The project's one error value at library boundaries (store, evidence, and the code that calls them): ok, or
// one line saying what failed and where (a path, a key, the system error). Modelled on LevelDB's Status: the
// library's own error (leveldb::Status, errno, a Poco exception) is turned into one of these in the one
// function that touches the library, and [[nodiscard]] turns a caller that forgets to look into a compiler
// warning (-Wall -Wextra are kept clean).
#include <string>
#include <utility>

namespace spec_notify {

class [[nodiscard]] status {
 public:
  status() = default;  // ok
  static status success() { return {}; }
  // `message` says what failed; an empty message still means failure ("failed").
  static status failure(std::string message) {
    return status(message.empty() ? "failed" : std::move(message));
  }

  bool ok() const { return message_.empty(); }
  explicit operator bool() const { return ok(); }
  const std::string& message() const { return message_; }

 private:
  explicit status(std::string message) : message_(std::move(message)) {}
  std::string message_;
};

}  // namespace spec_notify
