#include "actors/evidence/evidence_log.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>
#include <thread>

#include "actors/evidence/nofollow_dir.hpp"
#include "actors/util/clock.hpp"
#include "actors/util/json_text.hpp"

namespace spec_notify::evidence {

namespace fs = std::filesystem;
using util::append_json_string;

namespace {

constexpr const char* file_prefix = "webhooks-";
constexpr const char* file_suffix = ".jsonl";

// Keys whose values never reach the evidence, whatever the caller passed in `sample`.
const std::vector<std::string> redacted_keys = {
    "webhook-signature", "x-hub-signature-256", "x-hub-signature", "authorization", "secret", "secrets"};

std::string sys_error(int err) {
  return std::error_code(err, std::generic_category()).message();
}

// "webhooks-20261125-0003.jsonl" -> day "20261125", seq 3. False for anything else (those files are left
// alone).
bool parse_file_name(const std::string& name, std::string& day, int& seq) {
  const std::string prefix = file_prefix, suffix = file_suffix;
  if (name.size() < prefix.size() + 8 + 2 + suffix.size()) return false;
  if (name.compare(0, prefix.size(), prefix) != 0) return false;
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  const std::string mid = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (mid.size() < 10 || mid.size() > 17 || mid[8] != '-') return false;
  const bool digits =
      std::all_of(mid.begin(), mid.end(), [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
  if (!digits || mid.find('-') != 8 || mid.find('-', 9) != std::string::npos) return false;
  day = mid.substr(0, 8);
  seq = std::stoi(mid.substr(9));
  return true;
}

std::string make_file_name(const std::string& day, int seq) {
  std::string n = std::to_string(seq);
  if (n.size() < 4) n.insert(0, 4 - n.size(), '0');
  return file_prefix + day + "-" + n + file_suffix;
}

// Oldest first: by day, then by sequence number (numeric, so -10000 sorts after -9999).
bool older(const std::string& a, const std::string& b) {
  std::string da, db;
  int sa = 0, sb = 0;
  parse_file_name(a, da, sa);
  parse_file_name(b, db, sb);
  return da != db ? da < db : sa < sb;
}

std::string nullable(const std::string& s) {
  return s.empty() ? "null" : util::json_string(s);
}

}  // namespace

std::string spec_folder_name(const std::string& spec_id) {
  std::string out;
  for (char c : spec_id.substr(0, 128)) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok || (c == '.' && (out.empty() || out.back() == '.')))
      out += '_';
    else
      out += c;
  }
  return out.empty() ? "_unscoped" : out;
}

std::string render_evidence_line(const evidence_record& r, bool with_sample) {
  std::string out = "{\"at\":";
  append_json_string(out, util::iso8601_ms(r.at_ms != 0 ? r.at_ms : util::unix_now_ms()));
  auto str = [&](const char* key, const std::string& v) {
    out += ",\"";
    out += key;
    out += "\":";
    append_json_string(out, v);
  };
  auto raw = [&](const char* key, const std::string& v) { out += std::string(",\"") + key + "\":" + v; };
  str("kind", r.kind);
  str("delivery_id", r.delivery_id);
  str("subscription", r.subscription);
  str("event", r.event_type);
  raw("spec", nullable(r.spec_id));
  raw("task", nullable(r.task_id));
  raw("attempt", std::to_string(r.attempt));
  raw("status_code", std::to_string(r.status_code));
  raw("latency_ms", std::to_string(r.latency_ms));
  raw("outcome", nullable(r.outcome));
  raw("error", nullable(r.error));
  raw("replay", r.replay ? "true" : "false");
  if (!r.sample.empty()) {
    if (with_sample) {
      std::string sample = util::json_normalize(r.sample, redacted_keys);
      raw("sample", sample.empty() ? util::json_string(r.sample) : sample);
    } else {
      raw("sample_omitted", "true");
    }
  }
  out += '}';
  return out;
}

evidence_log::evidence_log(fs::path evidence_dir, int64_t max_bytes_per_spec, fs::path trusted_root)
    : evidence_dir_(std::move(evidence_dir)), max_bytes_(max_bytes_per_spec) {
  split_at_anchor(evidence_dir_, trusted_root, anchor_, below_);
}

evidence_record to_record(const delivery_outcome& o) {
  evidence_record r;
  r.delivery_id = o.delivery_id;
  r.subscription = o.subscription;
  r.event_type = o.event_type;
  r.spec_id = o.spec_id;
  r.task_id = o.task_id;
  r.kind = o.kind == outcome_kind::dry_run ? "dry_run" : (o.replay ? "replay" : "attempt");
  r.error = o.attempt.error;
  r.attempt = o.attempt.attempt;
  r.status_code = o.attempt.status_code;
  r.latency_ms = o.attempt.latency_ms;
  r.at_ms = o.attempt.at_ms;
  r.replay = o.replay;
  r.outcome = to_string(o.kind);
  return r;
}

fs::path evidence_log::folder_for(const std::string& spec_id) const {
  return evidence_dir_ / "commands" / spec_folder_name(spec_id) / "webhooks";
}

const fs::path& evidence_log::folder_path(const std::string& key) {
  auto it = paths_.find(key);
  if (it != paths_.end()) return it->second;
  if (paths_.size() >= 10000) paths_.clear();
  return paths_.emplace(key, evidence_dir_ / "commands" / key / "webhooks").first->second;
}

status evidence_log::append(const evidence_record& r) {
  // A failed write drops the folder's cached state; one more try re-creates the folder, so a folder deleted
  // under a running daemon (`rm -rf docs/...` and a checkout) costs no record.
  const bool cached = folders_.count(spec_folder_name(r.spec_id)) != 0;
  std::string err = append_once(r);
  if (!err.empty() && cached && folders_.count(spec_folder_name(r.spec_id)) == 0) err = append_once(r);
  return err.empty() ? status::success() : status::failure(std::move(err));
}

std::string evidence_log::append_once(const evidence_record& r) {
  try {
    const std::string key = spec_folder_name(r.spec_id);
    const fs::path& dir = folder_path(key);
    // Walked again for every record, or once per batch (begin_batch): an fd cached for longer would keep
    // writing into a folder deleted or replaced under the daemon.
    unique_fd walked;
    int dir_fd = -1;
    if (batching_ && open_dir_ && open_key_ == key) {
      dir_fd = open_dir_.get();  // walked, locked and checked by an earlier record of this batch
    } else {
      open_dir_ = unique_fd();  // releases the previous folder's lock
      open_key_.clear();
      std::vector<std::string> walk = below_;
      walk.insert(walk.end(), {"commands", key, "webhooks"});
      walk_error werr;
      walked = open_dir_nofollow(anchor_, walk, true, werr);
      if (!walked) {
        folders_.erase(key);
        return "evidence: " + werr.message(dir.string());
      }
      // Several processes may append here (the daemon's evidence writer, `spec-notify --test` beside it):
      // each append (or batch) holds an exclusive flock on the webhooks folder (released when the fd closes),
      // and the cached listing is used only while the folder and its newest file are as this writer left
      // them.
      // Bounded: anyone who can write the repo can also hold this lock; a record that cannot get it within
      // lock_wait is an error like a full disk (evidence_queue keeps it and retries), never a stuck writer.
      if (auto err = lock_folder(walked.get(), dir); !err.empty()) return err;
      auto cached = folders_.find(key);
      if (cached != folders_.end() && !still_as_left(walked.get(), cached->second)) folders_.erase(cached);
      dir_fd = walked.get();
      if (batching_) {
        open_dir_ = std::move(walked);
        open_key_ = key;
      }
    }
    auto it = folders_.find(key);
    if (it == folders_.end()) {
      folder_state st;
      if (auto err = load_folder(dir_fd, dir, st); !err.empty()) return err;
      it = folders_.emplace(key, std::move(st)).first;
    }
    folder_state& st = it->second;

    const int64_t chunk = max_bytes_ > 0 ? std::max<int64_t>(max_bytes_ / 4, 1) : 0;
    std::string line = render_evidence_line(r) + '\n';
    if (chunk > 0 && static_cast<int64_t>(line.size()) > chunk && !r.sample.empty())
      line = render_evidence_line(r, false) + '\n';
    const auto line_size = static_cast<int64_t>(line.size());

    const std::string at = util::iso8601_ms(r.at_ms != 0 ? r.at_ms : util::unix_now_ms());
    const std::string day = at.substr(0, 4) + at.substr(5, 2) + at.substr(8, 2);
    const std::string name = pick_file(st, day, line_size);
    if (st.files.empty() || st.files.back().name != name) st.files.push_back({name, 0});

    const std::string rotate_err = rotate(dir_fd, dir, st, name, line_size);
    int64_t new_size = 0;
    if (auto err = write_line(dir_fd, dir, name, line, new_size); !err.empty()) {
      folders_.erase(it);  // re-list (and re-create folders) on the next append
      open_dir_ = unique_fd();
      open_key_.clear();
      return err;
    }
    st.total += new_size - st.files.back().size;
    st.files.back().size = new_size;
    remember_folder_time(dir_fd, st);
    return rotate_err;
  } catch (const std::exception& ex) {  // bad_alloc and friends: report, never throw into the actor
    return std::string("evidence: cannot append under ") + evidence_dir_.string() + ": " + ex.what();
  }
}

std::string evidence_log::load_folder(int dir_fd, const fs::path& dir, folder_state& st) {
  const int list_fd = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  DIR* d = list_fd >= 0 ? ::fdopendir(list_fd) : nullptr;
  if (d == nullptr) {
    const int err = errno;
    if (list_fd >= 0) ::close(list_fd);
    return "evidence: cannot list " + dir.string() + ": " + sys_error(err);
  }
  errno = 0;
  while (const dirent* e = ::readdir(d)) {
    std::string day;
    int seq = 0;
    const std::string name = e->d_name;
    struct stat s {};
    // Only regular files are ours: a symlink, FIFO or folder under one of our names is never counted (nor
    // rotated away: its target is not ours to delete).
    if (parse_file_name(name, day, seq) && ::fstatat(dir_fd, name.c_str(), &s, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(s.st_mode))
      st.files.push_back({name, static_cast<int64_t>(s.st_size)});
    errno = 0;
  }
  const int err = errno;
  ::closedir(d);
  if (err != 0) return "evidence: cannot list " + dir.string() + ": " + sys_error(err);
  std::sort(st.files.begin(), st.files.end(),
            [](const file_entry& a, const file_entry& b) { return older(a.name, b.name); });
  for (const auto& f : st.files) st.total += f.size;
  remember_folder_time(dir_fd, st);
  return "";
}

std::string evidence_log::lock_folder(int dir_fd, const fs::path& dir) {
  constexpr auto lock_wait = std::chrono::milliseconds(500);
  const auto deadline = std::chrono::steady_clock::now() + lock_wait;
  for (;;) {
    if (::flock(dir_fd, LOCK_EX | LOCK_NB) == 0) return "";
    if (errno != EWOULDBLOCK && errno != EINTR)
      return "evidence: cannot lock " + dir.string() + ": " + sys_error(errno);
    if (std::chrono::steady_clock::now() >= deadline)
      return "evidence: " + dir.string() + " is locked by another process for more than " +
             std::to_string(lock_wait.count()) + " ms";
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void evidence_log::begin_batch() {
  batching_ = true;
}

void evidence_log::end_batch() {
  batching_ = false;
  open_dir_ = unique_fd();
  open_key_.clear();
}

bool evidence_log::still_as_left(int dir_fd, const folder_state& st) const {
  struct stat d {};
  if (::fstat(dir_fd, &d) != 0 || d.st_mtim.tv_sec != st.dir_mtime.tv_sec ||
      d.st_mtim.tv_nsec != st.dir_mtime.tv_nsec)
    return false;  // a file was created, renamed or deleted by someone else
  if (st.files.empty()) return true;
  struct stat f {};
  // Another writer's append to the newest file leaves the folder's time alone but not the file's size.
  return ::fstatat(dir_fd, st.files.back().name.c_str(), &f, AT_SYMLINK_NOFOLLOW) == 0 &&
         static_cast<int64_t>(f.st_size) == st.files.back().size;
}

void evidence_log::remember_folder_time(int dir_fd, folder_state& st) {
  struct stat d {};
  st.dir_mtime = ::fstat(dir_fd, &d) == 0 ? d.st_mtim : timespec{};
}

std::string evidence_log::pick_file(folder_state& st, const std::string& day, int64_t line_size) const {
  if (st.files.empty()) return make_file_name(day, 1);
  const file_entry& last = st.files.back();
  std::string last_day;
  int last_seq = 0;
  parse_file_name(last.name, last_day, last_seq);
  // Never name a file older than the newest one (clock stepped back): FIFO order must equal write order.
  if (last_day < day) return make_file_name(day, 1);
  const int64_t chunk = max_bytes_ > 0 ? std::max<int64_t>(max_bytes_ / 4, 1) : 0;
  if (chunk == 0 || last.size == 0 || last.size + line_size <= chunk) return last.name;
  return make_file_name(last_day, last_seq + 1);
}

std::string evidence_log::rotate(int dir_fd, const fs::path& dir, folder_state& st, const std::string& keep,
                                 int64_t incoming) {
  if (max_bytes_ <= 0) return "";
  while (st.total + incoming > max_bytes_ && st.files.size() > 1 && st.files.front().name != keep) {
    const std::string& victim = st.files.front().name;
    struct stat s {};
    // Re-checked right before the unlink: an entry replaced by a symlink (or anything but a regular file)
    // since the listing is dropped from the list but left on disk. unlinkat never follows a symlink anyway;
    // the check keeps planted entries from being deleted.
    if (::fstatat(dir_fd, victim.c_str(), &s, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(s.st_mode) &&
        ::unlinkat(dir_fd, victim.c_str(), 0) != 0 && errno != ENOENT)  // already gone counts as removed
      return "evidence: cannot remove " + (dir / victim).string() + ": " + sys_error(errno);
    st.total -= st.files.front().size;
    st.files.erase(st.files.begin());
  }
  return "";
}

std::string evidence_log::write_line(int dir_fd, const fs::path& dir, const std::string& name,
                                     const std::string& line, int64_t& new_size) {
  const fs::path file = dir / name;
  // O_NOFOLLOW: a symlink at the file itself is refused (ELOOP). O_NONBLOCK: a FIFO planted under our name
  // cannot block the open; fstat below refuses it.
  constexpr int flags = O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  const unique_fd fd(::openat(dir_fd, name.c_str(), flags, 0644));
  if (!fd) {
    const int err = errno;
    struct stat s {};
    if (::fstatat(dir_fd, name.c_str(), &s, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(s.st_mode))
      return "evidence: refusing to follow the symlink at " + file.string();
    return "evidence: cannot open " + file.string() + ": " + sys_error(err);
  }
  struct stat before {};
  if (::fstat(fd.get(), &before) != 0)
    return "evidence: cannot stat " + file.string() + ": " + sys_error(errno);
  if (!S_ISREG(before.st_mode))
    return "evidence: refusing to append to " + file.string() + ": not a regular file";
  if (before.st_nlink != 1)
    return "evidence: refusing to append to " + file.string() + ": it has " +
           std::to_string(before.st_nlink) + " hard links (one may be a file outside the evidence folder)";
  const off_t start = before.st_size;
  size_t done = 0;
  int err = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd.get(), line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (err != 0 && done > 0) {
    // Drop the partial line so readers never meet a truncated record (best effort: the write error is what
    // gets reported).
    const int rc = ::ftruncate(fd.get(), start);
    static_cast<void>(rc);
  }
  if (err != 0) return "evidence: cannot write " + file.string() + ": " + sys_error(err);
  new_size = static_cast<int64_t>(start) + static_cast<int64_t>(done);
  return "";
}

}  // namespace spec_notify::evidence
