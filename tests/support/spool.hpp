#pragma once
// For tests of the deliverer's schedule: put a delivery in the spool as the router does, hand it to the
// schedule, and make the attempt results the HTTP workers would report.
#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "actors/deliverer/schedule.hpp"
#include "actors/store/records.hpp"

namespace spec_notify::testing {

inline void persist(store::db& db, const delivery& d) {
  store::batch b;
  b.put(store::delivery_key(d), store::encode(d));
  BOOST_REQUIRE(db.write(b).ok());
}

// Persists `d` as the router does, then hands it to the schedule.
inline void put_pending(store::db& db, deliverer::schedule& s, const delivery& d) {
  persist(db, d);
  BOOST_REQUIRE(s.add(ref_to(d)));
}

// The result of attempt `attempt` of delivery `id`: HTTP `status`, 0 = no response (connection refused).
inline attempt_result result(const std::string& id, int32_t status, int32_t attempt = 1) {
  attempt_result r;
  r.delivery_id = id;
  r.attempt = {attempt, 0, status, status == 0 ? "connection refused" : "", 1};
  return r;
}

inline std::vector<std::string> ids(const std::vector<delivery>& list) {
  std::vector<std::string> out;
  for (const auto& d : list) out.push_back(d.id);
  return out;
}

}  // namespace spec_notify::testing
