#define BOOST_TEST_MODULE evidence_symlink
// Issue 11 "writes": evidence is written only inside evidence_dir, whatever symlinks, hard links or FIFOs the
// (untrusted) repository holds. Real files in temp dirs. The cases use the two-argument constructor (no
// trusted root: no symlink followed from "/"), which the code before the fix had too.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <map>

#include "actors/evidence/evidence_log.hpp"
#include "actors/evidence/evidence_queue.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace spec_notify::evidence;
using spec_notify::testing::temp_dir;

namespace {

constexpr int64_t t0 = 1795568523456;  // 2026-11-25T01:02:03.456Z
const std::string spec = "SPEC-KIT-075-hooks";
const std::string today_file = "webhooks-20261125-0001.jsonl";

evidence_record record(int n, const std::string& spec_id = spec) {
  evidence_record r;
  r.delivery_id = "msg_" + std::to_string(n);
  r.subscription = "chatops";
  r.event_type = "spec-kit.task.transitioned";
  r.spec_id = spec_id;
  r.kind = "attempt";
  r.attempt = 1;
  r.status_code = 200;
  r.at_ms = t0;
  r.outcome = "delivered";
  return r;
}

// Every file below `dir` (recursively, not following symlinks) -> its content: "what is outside" snapshots.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_symlink()) {
      out[it->path().string()] = "-> " + fs::read_symlink(it->path()).string();
    } else if (it->is_regular_file()) {
      std::ifstream in(it->path(), std::ios::binary);
      out[it->path().string()] = std::string(std::istreambuf_iterator<char>(in), {});
    } else {
      out[it->path().string()] = "<dir>";
    }
  }
  return out;
}

size_t lines_in(const fs::path& dir) {
  size_t n = 0;
  if (!fs::is_directory(dir)) return 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file() || e.is_symlink()) continue;
    std::ifstream in(e.path());
    for (std::string l; std::getline(in, l);) ++n;
  }
  return n;
}

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A repo with evidence under docs/ (the default layout) and an "outside" folder holding a file of its own.
struct layout {
  temp_dir tmp;
  fs::path repo = tmp / "repo";
  fs::path evidence = repo / "docs" / "SPEC-OPS-004-integrated-coder-hooks" / "evidence";
  fs::path outside = tmp / "outside";
  layout() {
    fs::create_directories(repo / "docs");
    write_file(outside / "keep.txt", "not evidence\n");
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_symlink_planted_at_evidence_dir_is_refused_and_the_record_written_once_it_is_gone) {
  layout l;
  fs::create_directories(l.evidence.parent_path());
  fs::create_directory_symlink(l.outside, l.evidence);
  const auto before = snapshot(l.outside);
  evidence_log log(l.evidence, 1 << 20);
  const std::string err = log.append(record(1)).message();
  BOOST_TEST(err.find("refusing to follow the symlink at " + l.evidence.string()) != std::string::npos, err);
  BOOST_TEST(snapshot(l.outside) == before);  // nothing created or written outside
  fs::remove(l.evidence);
  BOOST_TEST(log.append(record(1)).ok());
  BOOST_TEST(lines_in(log.folder_for(spec)) == 1u);
  BOOST_TEST(!fs::is_symlink(l.evidence));
}

BOOST_AUTO_TEST_CASE(a_symlink_planted_at_docs_is_refused) {
  layout l;
  fs::remove(l.repo / "docs");
  fs::create_directory_symlink(l.outside, l.repo / "docs");
  const auto before = snapshot(l.outside);
  evidence_log log(l.evidence, 1 << 20, l.repo);
  const std::string err = log.append(record(1)).message();
  BOOST_TEST(err.find("refusing to follow the symlink at " + (l.repo / "docs").string()) != std::string::npos,
             err);
  BOOST_TEST(snapshot(l.outside) == before);
}

BOOST_AUTO_TEST_CASE(the_trusted_root_itself_may_be_reached_through_the_operators_symlink) {
  layout l;
  fs::create_directory_symlink(l.repo, l.tmp / "repo-link");
  const fs::path via_link = l.tmp / "repo-link" / "docs" / "ev";
  evidence_log log(via_link, 1 << 20, l.tmp / "repo-link");
  BOOST_TEST(log.append(record(1)).ok());
  BOOST_TEST(lines_in(l.repo / "docs" / "ev" / "commands" / spec / "webhooks") == 1u);
}

BOOST_AUTO_TEST_CASE(a_symlink_planted_at_a_spec_folder_is_refused) {
  layout l;
  fs::create_directories(l.evidence / "commands");
  fs::create_directory_symlink(l.outside, l.evidence / "commands" / spec);
  const auto before = snapshot(l.outside);
  evidence_log log(l.evidence, 1 << 20);
  const std::string err = log.append(record(1)).message();
  BOOST_TEST(err.find("symlink at " + (l.evidence / "commands" / spec).string()) != std::string::npos, err);
  BOOST_TEST(snapshot(l.outside) == before);
  // Other SPECs are not held up.
  BOOST_TEST(log.append(record(2, "SPEC-KIT-076-other")).ok());
}

BOOST_AUTO_TEST_CASE(a_webhooks_folder_pointing_into_state_dir_is_refused_and_state_files_stay_untouched) {
  layout l;
  const fs::path state = l.tmp / "state";
  write_file(state / "CURRENT", "MANIFEST-000004\n");
  write_file(state / "000005.log", "wal bytes");
  write_file(state / "webhooks-20200101-0001.jsonl", std::string(3000, 'x'));  // bait for rotation
  fs::create_directories(l.evidence / "commands" / spec);
  fs::create_directory_symlink(state, l.evidence / "commands" / spec / "webhooks");
  const auto before = snapshot(state);
  evidence_log log(l.evidence, 1000);  // a small budget: the old code rotated the bait away
  for (int i = 1; i <= 20; ++i) {
    const std::string err = log.append(record(i)).message();
    BOOST_TEST(
        err.find("refusing to follow the symlink at " + log.folder_for(spec).string()) != std::string::npos,
        err);
  }
  BOOST_TEST(snapshot(state) == before);
}

BOOST_AUTO_TEST_CASE(a_symlink_planted_at_the_evidence_file_is_refused_and_its_target_untouched) {
  layout l;
  evidence_log log(l.evidence, 1 << 20);
  const fs::path dir = log.folder_for(spec);
  fs::create_directories(dir);
  fs::create_symlink(l.outside / "keep.txt", dir / today_file);
  const auto before = snapshot(l.outside);
  const std::string err = log.append(record(1)).message();
  BOOST_TEST(
      err.find("refusing to follow the symlink at " + (dir / today_file).string()) != std::string::npos, err);
  BOOST_TEST(snapshot(l.outside) == before);
  fs::remove(dir / today_file);
  BOOST_TEST(log.append(record(1)).ok());
  BOOST_TEST(lines_in(dir) == 1u);
}

BOOST_AUTO_TEST_CASE(a_hard_link_to_a_file_elsewhere_is_not_appended_to) {
  layout l;
  evidence_log log(l.evidence, 1 << 20);
  const fs::path dir = log.folder_for(spec);
  fs::create_directories(dir);
  fs::create_hard_link(l.outside / "keep.txt", dir / today_file);
  const auto before = snapshot(l.outside);
  const std::string err = log.append(record(1)).message();
  BOOST_TEST(err.find("hard links") != std::string::npos, err);
  BOOST_TEST(snapshot(l.outside) == before);
}

BOOST_AUTO_TEST_CASE(a_fifo_at_the_evidence_file_is_refused_without_blocking) {
  layout l;
  evidence_log log(l.evidence, 1 << 20);
  const fs::path dir = log.folder_for(spec);
  fs::create_directories(dir);
  BOOST_REQUIRE(::mkfifo((dir / today_file).c_str(), 0600) == 0);
  // A reader holds the FIFO open, so an open for writing would succeed: fstat must be what refuses it.
  const int reader = ::open((dir / today_file).c_str(), O_RDONLY | O_NONBLOCK);
  BOOST_REQUIRE(reader >= 0);
  const std::string err = log.append(record(1)).message();
  char buf[256];
  BOOST_TEST(::read(reader, buf, sizeof buf) <= 0);  // nothing was written into the pipe
  ::close(reader);
  BOOST_TEST(err.find("not a regular file") != std::string::npos, err);
}

BOOST_AUTO_TEST_CASE(rotation_never_deletes_a_symlink_or_its_target) {
  layout l;
  evidence_log log(l.evidence, 2000);
  const fs::path dir = log.folder_for(spec);
  fs::create_directories(dir);
  write_file(l.outside / "victim.jsonl", std::string(1500, 'v') + "\n");
  fs::create_symlink(l.outside / "victim.jsonl", dir / "webhooks-20200101-0001.jsonl");  // oldest by name
  const auto before = snapshot(l.outside);
  for (int i = 1; i <= 100; ++i) BOOST_REQUIRE(log.append(record(i)).ok());
  BOOST_TEST(fs::is_symlink(dir / "webhooks-20200101-0001.jsonl"));  // left alone: not ours to rotate
  BOOST_TEST(snapshot(l.outside) == before);
}

BOOST_AUTO_TEST_CASE(refused_records_are_kept_and_written_in_order_once_the_symlink_is_removed) {
  layout l;
  evidence_log log(l.evidence, 1 << 20);
  evidence_queue queue(log);
  const fs::path spec_dir = l.evidence / "commands" / spec;
  fs::create_directories(spec_dir.parent_path());
  fs::create_directory_symlink(l.outside, spec_dir);
  std::vector<std::string> warnings;
  for (int i = 1; i <= 5; ++i)
    for (auto& w : queue.submit(record(i)).warnings) warnings.push_back(w);
  BOOST_TEST(queue.submit(record(100, "SPEC-KIT-076-other")).warnings.empty());  // not held up
  BOOST_TEST(queue.kept() == 5u);
  BOOST_REQUIRE_EQUAL(warnings.size(), 1u);  // once per path, not once per record
  BOOST_TEST(warnings[0].find(spec_dir.string()) != std::string::npos, warnings[0]);
  BOOST_TEST(queue.retry().warnings.empty());  // still refused, already reported

  fs::remove(spec_dir);
  const auto after = queue.retry();
  BOOST_TEST(queue.kept() == 0u);
  BOOST_REQUIRE_EQUAL(after.warnings.size(), 1u);
  BOOST_TEST(after.warnings[0].find("5 kept record(s) written") != std::string::npos, after.warnings[0]);
  std::ifstream in(log.folder_for(spec) / today_file);
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) ids.push_back(line.substr(line.find("msg_"), 5));
  BOOST_TEST(ids == (std::vector<std::string>{"msg_1", "msg_2", "msg_3", "msg_4", "msg_5"}));
}

BOOST_AUTO_TEST_CASE(kept_records_are_bounded_and_the_oldest_dropped_with_one_warning) {
  layout l;
  fs::create_directories(l.evidence.parent_path());
  fs::create_directory_symlink(l.outside, l.evidence);
  evidence_log log(l.evidence, 1 << 20);
  evidence_queue queue(log, 3);
  size_t limit_warnings = 0;
  for (int i = 1; i <= 10; ++i)
    for (auto& w : queue.submit(record(i)).warnings) limit_warnings += w.find("limit") != std::string::npos;
  BOOST_TEST(queue.kept() == 3u);
  BOOST_TEST(queue.dropped() == 7u);
  BOOST_TEST(limit_warnings == 1u);
  BOOST_TEST(queue.shutdown_report().find("3 record(s) not written") != std::string::npos);
  fs::remove(l.evidence);
  queue.retry();
  BOOST_TEST(lines_in(log.folder_for(spec)) == 3u);  // the newest three
}
