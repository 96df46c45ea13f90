#include "actors/watcher/inotify_source.hpp"

#include <dirent.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "actors/util/repo_file.hpp"

namespace spec_notify::watcher {
namespace {

constexpr uint32_t dir_mask =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

bool starts_with(const std::string& s, const std::string& p) {
  return s.compare(0, p.size(), p) == 0;
}

size_t depth(const std::string& rel) {
  size_t n = 0;
  for (char c : rel) n += c == '/';
  return n;
}

}  // namespace

bool is_tracked_path(const std::string& rel, const std::string& evidence_rel) {
  if (rel == "SPEC.md") return true;
  if (starts_with(rel, "docs/") && depth(rel) == 2 && rel.size() > 9 &&
      rel.compare(rel.size() - 9, 9, "/tasks.md") == 0)
    return true;
  if (evidence_rel.empty()) return false;
  for (const char* sub : {"/commands/", "/consensus/"}) {
    std::string base = evidence_rel + sub;
    if (starts_with(rel, base) && depth(rel) == depth(base) + 1) {
      auto ext = rel.rfind('.');
      return ext != std::string::npos && (rel.compare(ext, std::string::npos, ".json") == 0 ||
                                          rel.compare(ext, std::string::npos, ".jsonl") == 0);
    }
  }
  return false;
}

inotify_source::inotify_source(std::filesystem::path repo, std::string evidence_rel)
    : repo_(std::move(repo)), evidence_rel_(std::move(evidence_rel)) {
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ >= 0) refresh_watches();
}

inotify_source::~inotify_source() {
  if (fd_ >= 0) ::close(fd_);
}

void inotify_source::watch(const std::string& rel) {
  if (fd_ < 0) return;
  auto path = rel.empty() ? repo_ : repo_ / rel;
  // A folder whose real path leaves the repo (docs/X -> /elsewhere) is not watched: nothing in it is read.
  if (!rel.empty() && !util::real_path_inside(repo_, path)) return;
  int wd = inotify_add_watch(fd_, path.c_str(), dir_mask);
  if (wd < 0) {
    // Gone or not a folder (any more): nothing to watch, nothing missed. Anything else leaves a folder
    // unwatched, so the watcher must keep rescanning.
    if (errno != ENOENT && errno != ENOTDIR) failed_ = true;
    return;
  }
  dirs_[wd] = rel;  // re-adding an existing folder returns the same wd
  watched_.insert(rel);
}

void inotify_source::refresh_watches() {
  failed_ = false;
  lost_ = false;
  watch("");
  watch("docs");
  auto for_each_dir = [&](const std::string& rel, auto&& fn) {
    DIR* d = ::opendir((repo_ / rel).c_str());
    if (!d) return;
    while (auto* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == ".." || (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)) continue;
      fn(rel + "/" + name);
    }
    ::closedir(d);
  };
  for_each_dir("docs", [&](const std::string& rel) { watch(rel); });
  if (evidence_rel_.empty()) return;
  // Intermediate folders so a commands/ tree created later is noticed.
  std::string prefix;
  for (size_t pos = 0; pos != std::string::npos;) {
    auto next = evidence_rel_.find('/', pos);
    prefix = evidence_rel_.substr(0, next);
    watch(prefix);
    pos = next == std::string::npos ? next : next + 1;
  }
  for (const char* sub : {"/commands", "/consensus"}) {
    watch(evidence_rel_ + sub);
    for_each_dir(evidence_rel_ + sub, [&](const std::string& rel) { watch(rel); });
  }
}

bool inotify_source::tracked(const std::string& rel) const {
  return is_tracked_path(rel, evidence_rel_);
}

// Folders that can contain tracked files, or lead to them: docs, docs/<X>, the evidence path and its
// ancestors, and <evidence>/{commands,consensus}[/<SPEC>].
bool inotify_source::relevant_dir(const std::string& rel) const {
  if (rel == "docs" || (starts_with(rel, "docs/") && depth(rel) == 1)) return true;
  if (evidence_rel_.empty()) return false;
  if (rel == evidence_rel_ || starts_with(evidence_rel_, rel + "/")) return true;
  for (const char* sub : {"/commands", "/consensus"}) {
    std::string base = evidence_rel_ + sub;
    if (rel == base || (starts_with(rel, base + "/") && depth(rel) == depth(base) + 1)) return true;
  }
  return false;
}

// The folder and the relevant folders below it (mkdir -p), each watched before it is listed: a folder created
// after the listing is reported by its parent's watch. Only this subtree: a whole refresh_watches would cost
// one realpath per SPEC folder for each new folder.
void inotify_source::watch_tree(const std::string& rel) {
  watch(rel);
  DIR* d = ::opendir((repo_ / rel).c_str());
  if (!d) return;
  std::vector<std::string> children;
  while (auto* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == ".." || (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)) continue;
    std::string child = rel.empty() ? name : rel + "/" + name;
    if (relevant_dir(child)) children.push_back(std::move(child));
  }
  ::closedir(d);
  for (const auto& c : children) watch_tree(c);
}

void inotify_source::on_new_dir(const std::string& rel, std::set<std::string>& out) {
  if (!relevant_dir(rel)) return;
  watch_tree(rel);
  // Files (and folders: mkdir -p) may have been created before the watches existed: report what is there.
  collect(rel, out);
}

void inotify_source::collect(const std::string& rel, std::set<std::string>& out) const {
  DIR* d = ::opendir((repo_ / rel).c_str());
  if (!d) return;
  while (auto* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string child = rel + "/" + name;
    if ((e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) && relevant_dir(child)) collect(child, out);
    if (tracked(child)) out.insert(child);
  }
  ::closedir(d);
}

bool inotify_source::poll(int timeout_ms, std::set<std::string>& out) {
  if (fd_ < 0) return true;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return true;
  alignas(inotify_event) char buf[64 * 1024];
  bool complete = true;
  for (;;) {
    auto n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (char* ptr = buf; ptr < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(ptr);
      ptr += sizeof(inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        complete = false;
        continue;
      }
      auto it = dirs_.find(ev->wd);
      if (it == dirs_.end()) continue;
      if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
        // Its replacement (a folder moved or created in its place, the repo root swapped) may not raise an
        // event this source sees: until a refresh puts the watches back, the watcher rescans.
        watched_.erase(it->second);
        dirs_.erase(it);
        lost_ = true;
        continue;
      }
      if (!ev->len) continue;
      std::string rel = it->second.empty() ? std::string(ev->name) : it->second + "/" + ev->name;
      if (ev->mask & IN_ISDIR) {
        on_new_dir(rel, out);
      } else if ((ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) && tracked(rel)) {
        // Not IN_CREATE: a file being created is still empty or half-written; its close or rename follows.
        out.insert(rel);
      } else if ((ev->mask & IN_CREATE) && tracked(rel)) {
        created_ = true;
      }
    }
  }
  return complete;
}

}  // namespace spec_notify::watcher
