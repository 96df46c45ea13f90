#define BOOST_TEST_MODULE state_dir
// Issue 11 "state": the state directory's permissions whatever the umask, one process per directory even
// without LevelDB's LOCK file, and a warning when records the store held are gone. Real LevelDB dirs.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "actors/store/store.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace spec_notify;

namespace {

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  BOOST_REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Opens, writes enough to make LevelDB create a table (a compaction), closes.
void fill(const std::string& dir) {
  auto opened = store::db::open(dir);
  BOOST_REQUIRE_MESSAGE(opened, opened.message());
  auto db = std::move(*opened);
  for (int chunk = 0; chunk < 6; ++chunk) {
    store::batch b;
    for (int i = 0; i < 100; ++i) b.put("dlv/" + std::to_string(chunk * 100 + i), std::string(10000, 'x'));
    BOOST_REQUIRE(db->write(b, store::durability::buffered).ok());
  }
}

struct umask_scope {
  mode_t old;
  explicit umask_scope(mode_t m) : old(::umask(m)) {}
  ~umask_scope() { ::umask(old); }
};

void check_private(const fs::path& dir) {
  BOOST_TEST(mode_of(dir) == 0700u, dir);
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++files;
    BOOST_TEST(mode_of(e.path()) == 0600u, e.path());
  }
  BOOST_TEST(files >= 4u);  // CURRENT, LOCK, LOG, MANIFEST, logs, tables
}

size_t truncate_logs(const fs::path& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".log" && fs::file_size(e.path()) > 0) {
      fs::resize_file(e.path(), 0);
      ++n;
    }
  return n;
}

std::string reopen_warning(const std::string& dir) {
  auto opened = store::db::open(dir);
  BOOST_REQUIRE_MESSAGE(opened, opened.message());
  auto db = std::move(*opened);
  return db->open_warning();
}

}  // namespace

BOOST_AUTO_TEST_CASE(state_dir_is_0700_and_its_files_0600_under_umask_000) {
  testing::temp_dir tmp;
  umask_scope u(0);
  fill((tmp / "a/state").string());
  check_private(tmp / "a/state");
}

BOOST_AUTO_TEST_CASE(state_dir_is_0700_and_its_files_0600_under_umask_022) {
  testing::temp_dir tmp;
  umask_scope u(022);
  fill((tmp / "state").string());
  fill((tmp / "state").string());  // reopened: new log, manifest, LOG.old
  check_private(tmp / "state");
}

BOOST_AUTO_TEST_CASE(an_existing_store_with_wider_modes_is_tightened_but_never_widened) {
  testing::temp_dir tmp;
  const fs::path dir = tmp / "state";
  fill(dir.string());
  fs::permissions(dir, fs::perms(0755));
  for (const auto& e : fs::directory_iterator(dir)) fs::permissions(e.path(), fs::perms(0644));
  fill(dir.string());
  BOOST_TEST(mode_of(dir) == 0700u);
  check_private(dir);
  if (::geteuid() != 0) return;  // below: a store the operator made read-only (only root can still open it)
  fs::permissions(dir, fs::perms(0555));
  fill(dir.string());
  BOOST_TEST(mode_of(dir) == 0500u);  // tightened, never widened: read-only stays read-only
}

BOOST_AUTO_TEST_CASE(a_second_open_is_refused_even_when_leveldb_lock_file_was_deleted) {
  testing::temp_dir tmp;
  const std::string dir = (tmp / "state").string();
  auto first = store::db::open(dir);
  BOOST_REQUIRE_MESSAGE(first, first.message());
  fs::remove(fs::path(dir) / "LOCK");
  auto second = store::db::open(dir);
  BOOST_TEST(!second);
  const std::string error = second.message();
  BOOST_TEST(error.find(dir) != std::string::npos, error);
  BOOST_TEST(error.find("another spec-notify") != std::string::npos, error);
  first->reset();
  auto third = store::db::open(dir);  // released with the store
  BOOST_TEST(third.ok(), third.message());
}

BOOST_AUTO_TEST_CASE(an_emptied_write_ahead_log_is_reported_once_at_open) {
  testing::temp_dir tmp;
  const std::string dir = (tmp / "state").string();
  {
    auto opened = store::db::open(dir);
    BOOST_REQUIRE_MESSAGE(opened, opened.message());
    auto db = std::move(*opened);
    store::batch b;
    b.put("dlv/pending", "1");
    BOOST_REQUIRE(db->write(b).ok());
  }
  BOOST_TEST(reopen_warning(dir) == "");  // a clean stop and start: nothing lost
  BOOST_REQUIRE(truncate_logs(dir) >= 1u);
  const std::string warning = reopen_warning(dir);
  BOOST_TEST(warning.find("state store " + dir + " has lost records") != std::string::npos, warning);
  BOOST_TEST(warning.find(".log") != std::string::npos, warning);
  BOOST_TEST(reopen_warning(dir) == "");  // warned once; the store goes on from here
}

BOOST_AUTO_TEST_CASE(deleted_store_files_are_reported_when_the_checkpoint_file_remains) {
  testing::temp_dir tmp;
  const fs::path dir = tmp / "state";
  fill(dir.string());
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename() != "SPEC-NOTIFY-CHECKPOINT") fs::remove(e.path());
  BOOST_TEST(reopen_warning(dir.string()).find("has lost records") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_store_from_before_checkpoints_and_a_fresh_one_give_no_warning) {
  testing::temp_dir tmp;
  const fs::path dir = tmp / "state";
  BOOST_TEST(reopen_warning(dir.string()) == "");
  fs::remove(dir / "SPEC-NOTIFY-CHECKPOINT");
  BOOST_TEST(reopen_warning(dir.string()) == "");
  for (int i = 0; i < 3; ++i) BOOST_TEST(reopen_warning(dir.string()) == "");
}
