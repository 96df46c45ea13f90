#define BOOST_TEST_MODULE ids
#include "actors/util/ids.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cctype>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace spec_notify;

BOOST_AUTO_TEST_CASE(random_id_has_prefix_26_alphanumerics_and_does_not_repeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = util::random_id("msg_");
    BOOST_REQUIRE(id.size() == 4u + 26u);
    BOOST_REQUIRE(id.rfind("msg_", 0) == 0u);
    for (char c : id.substr(4)) BOOST_REQUIRE(std::isalnum(static_cast<unsigned char>(c)));
    seen.insert(id);
  }
  BOOST_TEST(seen.size() == 1000u);
  BOOST_TEST(util::random_id("").size() == 26u);
}

// Each thread draws random bytes in blocks (ids.cpp): a forked child, which starts with a copy of the
// parent's block, must not make the ids the parent makes next; nor may two threads share a block.
BOOST_AUTO_TEST_CASE(a_forked_child_and_other_threads_do_not_repeat_this_threads_ids) {
  static_cast<void>(util::random_id("msg_"));  // this thread's block is drawn now
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    const std::string id = util::random_id("msg_");
    const bool written = ::write(fds[1], id.data(), id.size()) == static_cast<ssize_t>(id.size());
    ::_exit(written ? 0 : 1);
  }
  ::close(fds[1]);
  std::string from_child(30, '\0');
  BOOST_REQUIRE(::read(fds[0], from_child.data(), from_child.size()) == 30);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  BOOST_TEST(from_child != util::random_id("msg_"));
  std::set<std::string> seen;
  std::mutex m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto id = util::random_id("msg_");
        std::lock_guard<std::mutex> lock(m);
        seen.insert(std::move(id));
      }
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(seen.size() == 800u);
}
