#pragma once
// The project's one error convention at library boundaries (store, evidence, config parsers, admin files, the
// HTTP endpoints): a function that can fail returns
//   - `status` when it has nothing else to return: ok, or one line saying what failed and where (a path, a
//     key, the system error);
//   - `result<T>` when it produces a value: the value, or a failed `status`.
// Modelled on LevelDB's Status and CAF's expected<T>: the library's own error (leveldb::Status, errno, a Poco
// exception) is turned into one of these in the one function that touches the library, and [[nodiscard]]
// turns a caller that forgets to look into a compiler warning (-Wall -Wextra are kept clean; the ctest pair
// status_discarded_ok/_fails checks it). Header-only, no dependencies beyond the standard library.
//
//   result<parsed_url> url = parse_url(text);
//   if (!url) return status::failure("url: " + url.error().message());
//   connect(url->host, url->port);
#include <cassert>
#include <optional>
#include <string>
#include <type_traits>
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

// A value of type T, or the failed status saying why there is none. Construct from a T (implicitly, so a
// function can `return value;`) or from a failed status (`return status::failure("...")`; passing an ok
// status is a programming error: it asserts, and in release builds becomes the failure "failed"). value(),
// operator* and operator-> require ok() (asserted). error() is the failure (ok status when there is a value).
template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_same_v<std::decay_t<T>, status>, "use status, not result<status>");

 public:
  using value_type = T;

  result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor): `return value;`
  result(status failure)  // NOLINT(google-explicit-constructor): `return status::failure(...)`
      : error_(failure.ok() ? status::failure("failed") : std::move(failure)) {
    assert(!error_.ok());
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The value, or `fallback` on failure.
  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? *value_ : static_cast<T>(std::forward<U>(fallback));
  }

  const status& error() const { return error_; }  // ok when there is a value
  // Shorthand for error().message(): "" when ok.
  const std::string& message() const { return error_.message(); }

 private:
  std::optional<T> value_;
  status error_;
};

}  // namespace spec_notify
