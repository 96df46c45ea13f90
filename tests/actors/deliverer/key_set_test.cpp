#define BOOST_TEST_MODULE key_set
#include "actors/deliverer/key_set.hpp"

#include <boost/test/unit_test.hpp>
#include <random>
#include <set>

using spec_notify::deliverer::key_set;

BOOST_AUTO_TEST_CASE(insert_contains_erase) {
  key_set s;
  BOOST_TEST(!s.contains(42));
  s.insert(42);
  s.insert(42);
  BOOST_TEST(s.contains(42));
  BOOST_TEST(s.size() == 1u);
  s.insert(0);  // stored like 1: 0 and 1 are one key (a harmless collision)
  BOOST_TEST(s.contains(1));
  s.erase(7);  // absent: nothing happens
  s.erase(42);
  BOOST_TEST(!s.contains(42));
  BOOST_TEST(s.size() == 1u);
}

// Against std::set with random keys, including keys that share a home cell (probe chains, backward shift).
BOOST_AUTO_TEST_CASE(matches_a_std_set_through_growth_and_deletions) {
  std::mt19937_64 rng(7);
  key_set s;
  std::set<uint64_t> ref;
  for (int round = 0; round < 200000; ++round) {
    // Few distinct high bits: many keys collide on their home cell.
    const uint64_t k = (rng() % 5000) | (uint64_t(rng() % 3) << 62);
    if (rng() % 3 == 0) {
      s.erase(k);
      ref.erase(k == 0 ? 1 : k);
    } else {
      s.insert(k);
      ref.insert(k == 0 ? 1 : k);
    }
    if (round % 997 == 0) {
      BOOST_REQUIRE(s.size() == ref.size());
      for (uint64_t r : ref) BOOST_REQUIRE(s.contains(r));
    }
  }
  for (uint64_t r : ref) s.erase(r);
  BOOST_TEST(s.size() == 0u);
  BOOST_TEST(!s.contains(3));
}
