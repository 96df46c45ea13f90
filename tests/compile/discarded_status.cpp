// Compile test (tests/CMakeLists.txt: status_discarded_ok / status_discarded_fails): a status or result<T>
// returned by a function must be looked at. As is, every result is used and the file compiles with
// -Werror=unused-result; with SPEC_NOTIFY_DISCARD_STATUS one call's status and one call's result are dropped,
// which must fail to compile ([[nodiscard]] on both classes).
#include "messages/status.hpp"

namespace {

spec_notify::status write_something() {
  return spec_notify::status::failure("disk full");
}

spec_notify::result<int> parse_something() {
  return 1;
}

}  // namespace

int discarded_status_check() {
#ifdef SPEC_NOTIFY_DISCARD_STATUS
  write_something();
  parse_something();
  return 0;
#else
  spec_notify::status s = write_something();
  auto r = parse_something();
  return (s.ok() ? 1 : 0) + (r ? *r : 0);
#endif
}
