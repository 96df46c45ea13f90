#define BOOST_TEST_MODULE evidence_log
#include "actors/evidence/evidence_log.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using namespace spec_notify::evidence;

namespace {

constexpr int64_t t0 = 1795568523456;  // 2026-11-25T01:02:03.456Z
constexpr int64_t day_ms = 86400000;
const std::string spec = "SPEC-KIT-075-add-webhook-notification-system-for";

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("evidence_log_test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path, ec);
  }
};

evidence_record record(int n, int64_t at = t0) {
  evidence_record r;
  r.delivery_id = "msg_" + std::to_string(n);
  r.subscription = "chatops";
  r.event_type = "spec-kit.task.transitioned";
  r.spec_id = spec;
  r.task_id = "T63";
  r.kind = "attempt";
  r.attempt = 1;
  r.status_code = 200;
  r.latency_ms = 12;
  r.at_ms = at;
  r.outcome = "delivered";
  return r;
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

int64_t folder_bytes(const fs::path& dir) {
  int64_t total = 0;
  for (const auto& e : fs::directory_iterator(dir)) total += static_cast<int64_t>(e.file_size());
  return total;
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// All lines of a folder, oldest file first.
std::vector<std::string> all_lines(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& name : files_in(dir))
    for (auto& l : lines_of(dir / name)) out.push_back(std::move(l));
  return out;
}

Poco::JSON::Object::Ptr parse(const std::string& line) {
  Poco::JSON::Parser parser;
  Poco::JSON::Object::Ptr obj;
  BOOST_REQUIRE_NO_THROW(obj = parser.parse(line).extract<Poco::JSON::Object::Ptr>());
  return obj;
}

int delivery_number(const std::string& line) {
  return std::stoi(parse(line)->getValue<std::string>("delivery_id").substr(4));
}

}  // namespace

BOOST_AUTO_TEST_CASE(append_writes_one_json_line_per_record_in_the_spec_folder) {
  temp_dir tmp;
  evidence_log log(tmp.path, 1 << 20);
  BOOST_TEST(log.append(record(1)).ok());
  auto r2 = record(2);
  r2.status_code = 503;
  r2.outcome = "retrying";
  r2.error = "HTTP 503";
  r2.replay = true;
  r2.kind = "replay";
  BOOST_TEST(log.append(r2).ok());

  const fs::path dir = tmp.path / "commands" / spec / "webhooks";
  BOOST_TEST(log.folder_for(spec) == dir);
  BOOST_TEST(files_in(dir) == std::vector<std::string>{"webhooks-20261125-0001.jsonl"});
  const auto lines = lines_of(dir / "webhooks-20261125-0001.jsonl");
  BOOST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(
      lines[0] ==
      R"({"at":"2026-11-25T01:02:03.456Z","kind":"attempt","delivery_id":"msg_1","subscription":"chatops",)"
      R"("event":"spec-kit.task.transitioned","spec":")" +
          spec +
          R"(","task":"T63","attempt":1,"status_code":200,"latency_ms":12,"outcome":"delivered",)"
          R"("error":null,"replay":false})");
  const auto second = parse(lines[1]);
  BOOST_TEST(second->getValue<std::string>("error") == "HTTP 503");
  BOOST_TEST(second->getValue<bool>("replay"));
  BOOST_TEST(second->getValue<int>("status_code") == 503);
  BOOST_TEST(!second->has("sample"));
}

BOOST_AUTO_TEST_CASE(records_without_spec_go_to_the_unscoped_folder_with_null_spec_and_task) {
  temp_dir tmp;
  evidence_log log(tmp.path, 1 << 20);
  auto r = record(1);
  r.spec_id.clear();
  r.task_id.clear();
  BOOST_TEST(log.append(r).ok());
  const auto lines = all_lines(tmp.path / "commands" / "_unscoped" / "webhooks");
  BOOST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(parse(lines[0])->isNull("spec"));
  BOOST_TEST(parse(lines[0])->isNull("task"));
}

BOOST_AUTO_TEST_CASE(spec_ids_cannot_escape_the_commands_folder) {
  BOOST_TEST(spec_folder_name(spec) == spec);
  BOOST_TEST(spec_folder_name("../../etc") == "_._.__etc");
  BOOST_TEST(spec_folder_name("..") == "_.");
  BOOST_TEST(spec_folder_name(".hidden") == "_hidden");
  BOOST_TEST(spec_folder_name("a/b\\c d\n") == "a_b_c_d_");
  BOOST_TEST(spec_folder_name("a..b") == "a._b");
  BOOST_TEST(spec_folder_name("") == "_unscoped");
  BOOST_TEST(spec_folder_name(std::string(300, 'x')).size() == 128u);

  temp_dir tmp;
  evidence_log log(tmp.path / "ev", 1 << 20);
  auto r = record(1);
  r.spec_id = "../../escaped";
  BOOST_TEST(log.append(r).ok());
  BOOST_TEST(!fs::exists(tmp.path / "escaped"));
  BOOST_TEST(fs::exists(tmp.path / "ev" / "commands" / "_._.__escaped" / "webhooks"));
}

BOOST_AUTO_TEST_CASE(rotation_keeps_the_folder_under_budget_and_drops_oldest_first) {
  temp_dir tmp;
  const int64_t budget = 4096;
  evidence_log log(tmp.path, budget);
  const fs::path dir = log.folder_for(spec);
  const int count = 400;
  for (int i = 1; i <= count; ++i) {
    BOOST_REQUIRE(log.append(record(i)).ok());
    BOOST_REQUIRE_MESSAGE(folder_bytes(dir) <= budget, "after append " << i << ": " << folder_bytes(dir));
  }
  // Files hold at most a quarter of the budget each, so rotation frees space in pieces.
  for (const auto& name : files_in(dir)) BOOST_TEST(fs::file_size(dir / name) <= budget / 4);
  BOOST_TEST(files_in(dir).size() >= 4u);
  BOOST_TEST(folder_bytes(dir) > budget / 2);  // rotation frees pieces, not everything

  // What is left is the newest records, in order, without gaps: the oldest went first.
  const auto lines = all_lines(dir);
  BOOST_REQUIRE(!lines.empty());
  BOOST_TEST(delivery_number(lines.back()) == count);
  for (size_t i = 1; i < lines.size(); ++i)
    BOOST_TEST(delivery_number(lines[i]) == delivery_number(lines[i - 1]) + 1);
}

BOOST_AUTO_TEST_CASE(rotation_of_one_spec_leaves_other_specs_alone) {
  temp_dir tmp;
  evidence_log log(tmp.path, 2048);
  auto other = record(0);
  other.spec_id = "SPEC-OPS-004-hooks";
  BOOST_TEST(log.append(other).ok());
  for (int i = 1; i <= 200; ++i) BOOST_REQUIRE(log.append(record(i)).ok());
  BOOST_TEST(all_lines(log.folder_for("SPEC-OPS-004-hooks")).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_new_day_starts_a_new_file_and_a_clock_step_back_keeps_the_newest) {
  temp_dir tmp;
  evidence_log log(tmp.path, 1 << 20);
  BOOST_TEST(log.append(record(1, t0)).ok());
  BOOST_TEST(log.append(record(2, t0 + day_ms)).ok());
  BOOST_TEST(log.append(record(3, t0 - 2 * day_ms)).ok());
  const fs::path dir = log.folder_for(spec);
  BOOST_TEST(files_in(dir) ==
             (std::vector<std::string>{"webhooks-20261125-0001.jsonl", "webhooks-20261126-0001.jsonl"}));
  BOOST_TEST(lines_of(dir / "webhooks-20261126-0001.jsonl").size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_fresh_log_picks_up_existing_files_and_keeps_rotating_them) {
  temp_dir tmp;
  const int64_t budget = 3000;
  {
    evidence_log first(tmp.path, budget);
    for (int i = 1; i <= 20; ++i) BOOST_REQUIRE(first.append(record(i)).ok());
  }
  const fs::path dir = tmp.path / "commands" / spec / "webhooks";
  std::ofstream(dir / "notes.txt") << "not ours";
  evidence_log second(tmp.path, budget);
  for (int i = 21; i <= 200; ++i) BOOST_REQUIRE(second.append(record(i)).ok());
  BOOST_TEST(fs::exists(dir / "notes.txt"));  // files we did not write are never deleted
  BOOST_TEST(folder_bytes(dir) - static_cast<int64_t>(fs::file_size(dir / "notes.txt")) <= budget);
  const auto lines = all_lines(dir);
  BOOST_TEST(delivery_number(lines.back()) == 200);
}

BOOST_AUTO_TEST_CASE(sample_is_stored_as_json_with_signatures_redacted) {
  temp_dir tmp;
  evidence_log log(tmp.path, 1 << 20);
  auto r = record(1);
  r.kind = "dry_run";
  r.outcome = "dry_run";
  r.sample =
      R"({"headers":{"webhook-id":"msg_1","Webhook-Signature":"v1,c2VjcmV0","x-hub-signature-256":"sha256=ab"},)"
      R"("body":{"schema_version":1}})";
  BOOST_TEST(log.append(r).ok());
  const auto line = all_lines(log.folder_for(spec)).at(0);
  BOOST_TEST(line.find("c2VjcmV0") == std::string::npos);
  BOOST_TEST(line.find("sha256=ab") == std::string::npos);
  BOOST_TEST(line.find(R"("sample":{"headers":{"webhook-id":"msg_1","Webhook-Signature":"[redacted]",)") !=
             std::string::npos);
  BOOST_TEST(line.find(R"("body":{"schema_version":1}}})") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_sample_that_is_not_json_is_stored_as_a_string) {
  auto r = record(1);
  r.sample = "not {json\n\xFF";
  const std::string line = render_evidence_line(r);
  BOOST_TEST(line.find(R"("sample":"not {json\n)") != std::string::npos);
  parse(line);
}

BOOST_AUTO_TEST_CASE(an_oversized_sample_is_omitted_to_respect_the_budget) {
  temp_dir tmp;
  evidence_log log(tmp.path, 4000);
  auto r = record(1);
  r.sample = "{\"body\":\"" + std::string(5000, 'x') + "\"}";
  BOOST_TEST(log.append(r).ok());
  const auto line = all_lines(log.folder_for(spec)).at(0);
  BOOST_TEST(line.find("xxxx") == std::string::npos);
  BOOST_TEST(parse(line)->getValue<bool>("sample_omitted"));
}

BOOST_AUTO_TEST_CASE(an_evidence_dir_that_cannot_be_created_gives_an_error_naming_the_path) {
  temp_dir tmp;
  const fs::path blocker = tmp.path / "blocker";
  std::ofstream(blocker) << "a file where a folder should be";
  evidence_log log(blocker / "evidence", 1 << 20);
  std::string err;
  BOOST_REQUIRE_NO_THROW(err = log.append(record(1)).message());
  BOOST_TEST(err.find((blocker / "evidence").string()) != std::string::npos, err);
  BOOST_TEST(err.find("Not a directory") != std::string::npos, err);
  // Still an error (not a crash, not a stale success) on the next call.
  BOOST_TEST(!log.append(record(2)).ok());
}

BOOST_AUTO_TEST_CASE(a_read_only_evidence_dir_gives_permission_denied_naming_the_path) {
  if (::geteuid() == 0) {
    BOOST_TEST_MESSAGE("running as root: permissions are not enforced, checked via the other failure tests");
    return;
  }
  temp_dir tmp;
  fs::permissions(tmp.path, fs::perms::owner_read | fs::perms::owner_exec);
  evidence_log log(tmp.path, 1 << 20);
  const std::string err = log.append(record(1)).message();
  BOOST_TEST(err.find(tmp.path.string()) != std::string::npos, err);
  BOOST_TEST(err.find("Permission denied") != std::string::npos, err);
}

// A planted link to a device (here /dev/full) is refused, not written to: the error names the file. A real
// full disk is tests/faults/disk_full_test.sh.
BOOST_AUTO_TEST_CASE(a_symlink_to_a_device_gives_an_error_naming_the_file) {
  temp_dir tmp;
  const fs::path dir = tmp.path / "commands" / spec / "webhooks";
  fs::create_directories(dir);
  fs::create_symlink("/dev/full", dir / "webhooks-20261125-0001.jsonl");
  evidence_log log(tmp.path, 1 << 20);
  std::string err;
  BOOST_REQUIRE_NO_THROW(err = log.append(record(1)).message());
  BOOST_TEST(err.find((dir / "webhooks-20261125-0001.jsonl").string()) != std::string::npos, err);
  BOOST_TEST(err.find("refusing to follow the symlink") != std::string::npos, err);
}

// `rm -rf docs/...` (or a checkout) under a running daemon: the next record re-creates the folder, none lost.
BOOST_AUTO_TEST_CASE(a_folder_deleted_under_the_log_is_recreated_without_losing_the_record) {
  temp_dir tmp;
  evidence_log log(tmp.path / "ev", 1 << 20);
  BOOST_TEST(log.append(record(1)).ok());
  fs::remove_all(tmp.path / "ev");
  BOOST_TEST(log.append(record(2)).ok());
  const auto lines = all_lines(tmp.path / "ev" / "commands" / spec / "webhooks");
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  BOOST_TEST(parse(lines[0])->getValue<std::string>("delivery_id") == "msg_2");
}

// The daemon's evidence writer and `spec-notify --test` in another process each hold an evidence_log on the
// same folders. Interleaved appends must keep the budget (each re-lists what the other changed) and keep
// every record that rotation did not drop, in order.
BOOST_AUTO_TEST_CASE(two_writers_on_one_folder_keep_the_budget_and_every_newest_record) {
  temp_dir tmp;
  const int64_t budget = 4096;
  evidence_log daemon(tmp.path, budget), cli(tmp.path, budget);
  const fs::path dir = daemon.folder_for(spec);
  const int count = 400;
  for (int i = 1; i <= count; ++i) {
    auto& writer = (i % 3 == 0) ? cli : daemon;
    BOOST_REQUIRE(writer.append(record(i)).ok());
    BOOST_REQUIRE_MESSAGE(folder_bytes(dir) <= budget, "after append " << i << ": " << folder_bytes(dir));
  }
  const auto lines = all_lines(dir);
  BOOST_REQUIRE(!lines.empty());
  BOOST_TEST(delivery_number(lines.back()) == count);
  for (size_t i = 1; i < lines.size(); ++i)
    BOOST_TEST(delivery_number(lines[i]) == delivery_number(lines[i - 1]) + 1);
}

// A batch walks and locks a folder once for consecutive records; the lock is held while the batch writes to
// that folder and released when it moves on or ends, so another writer (--test) waits at most one batch.
BOOST_AUTO_TEST_CASE(a_batch_holds_the_folder_lock_only_while_it_writes_there) {
  temp_dir tmp;
  evidence_log daemon(tmp.path, 1 << 20), cli(tmp.path, 1 << 20);
  const fs::path dir = daemon.folder_for(spec);
  auto other = record(0);
  other.spec_id = "SPEC-OPS-004-hooks";
  auto try_lock = [](const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
    BOOST_REQUIRE(fd >= 0);
    const bool got = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    ::close(fd);
    return got;
  };
  daemon.begin_batch();
  for (int i = 1; i <= 50; ++i) BOOST_REQUIRE(daemon.append(record(i)).ok());
  BOOST_TEST(!try_lock(dir));  // held: the batch is writing here
  BOOST_REQUIRE(daemon.append(other).ok());
  BOOST_TEST(try_lock(dir));  // released: the batch moved to another folder
  BOOST_TEST(!try_lock(daemon.folder_for(other.spec_id)));
  daemon.end_batch();
  BOOST_TEST(try_lock(daemon.folder_for(other.spec_id)));
  // Another writer between two batches: the next batch sees its line and keeps appending after it.
  BOOST_REQUIRE(cli.append(record(51)).ok());
  daemon.begin_batch();
  for (int i = 52; i <= 60; ++i) BOOST_REQUIRE(daemon.append(record(i)).ok());
  daemon.end_batch();
  const auto lines = all_lines(dir);
  BOOST_REQUIRE_EQUAL(lines.size(), 60u);
  for (size_t i = 0; i < lines.size(); ++i) BOOST_TEST(delivery_number(lines[i]) == static_cast<int>(i) + 1);
}

// Anyone who can write the repo can hold the folder lock: an append then fails after a bounded wait (the
// writer's queue keeps the record) instead of blocking the evidence writer forever.
BOOST_AUTO_TEST_CASE(a_folder_locked_by_another_process_fails_the_append_instead_of_blocking) {
  temp_dir tmp;
  evidence_log log(tmp.path, 1 << 20);
  BOOST_REQUIRE(log.append(record(1)).ok());
  const fs::path dir = log.folder_for(spec);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  BOOST_REQUIRE(fd >= 0);
  BOOST_REQUIRE(::flock(fd, LOCK_EX) == 0);
  const auto held = log.append(record(2));
  BOOST_TEST(!held.ok());
  BOOST_TEST(held.message().find("is locked by another process") != std::string::npos);
  ::close(fd);
  BOOST_TEST(log.append(record(2)).ok());
  BOOST_TEST(all_lines(dir).size() == 2u);
}
