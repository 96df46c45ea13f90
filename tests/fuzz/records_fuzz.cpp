// libFuzzer target: the store's record reader (actors/store/record_json.hpp, store::decode). Checks: never
// crashes; whatever it accepts, Poco::JSON (the parser it replaced) accepts too and reads the same values;
// and an accepted record encodes and decodes back to itself.
#include <string>

#include "actors/store/records.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/support/poco_record_reference.hpp"

using namespace spec_notify;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  delivery ours;
  if (store::decode(text, ours)) {
    delivery poco;
    FUZZ_CHECK(testing::poco_decode(text, poco));
    FUZZ_CHECK(testing::same(ours, poco));
    delivery back;
    FUZZ_CHECK(store::decode(store::encode(ours), back));
    FUZZ_CHECK(testing::same(ours, back));
  }
  event e;
  if (store::decode(text, e)) {
    event back;
    FUZZ_CHECK(store::decode(store::encode(e), back));
    FUZZ_CHECK(back.id == e.id && back.type == e.type && back.line == e.line);
    FUZZ_CHECK(back.context == e.context);  // a decoded context is already in the form encode writes
  }
  return 0;
}
