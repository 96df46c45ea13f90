#include "actors/watcher/file_scan.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <functional>

#include "actors/util/repo_file.hpp"
#include "actors/watcher/inotify_source.hpp"

namespace spec_notify::watcher {

bool stamp_file(const std::filesystem::path& repo, const std::string& rel, file_stamp& out,
                std::string* refused_reason) {
  struct stat st {};
  std::string reason;
  const auto status = util::check_repo_file(repo, rel, st, reason);
  if (status != util::repo_file_status::ok) {
    if (refused_reason && status == util::repo_file_status::refused) *refused_reason = std::move(reason);
    return false;
  }
  out.inode = st.st_ino;
  out.size = st.st_size;
  out.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  out.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  return true;
}

namespace {

void add(const std::filesystem::path& repo, const std::string& rel, snapshot& snap, refusals* refused) {
  file_stamp s;
  std::string reason;
  if (stamp_file(repo, rel, s, &reason))
    snap[rel] = s;
  else if (refused && !reason.empty())
    (*refused)[rel] = std::move(reason);
}

// A symlink counts as what it points at: a linked telemetry file is checked (and refused when it leaves the
// repo), a linked folder is listed.
bool is_dir(const std::filesystem::path& p, unsigned char d_type) {
  if (d_type == DT_DIR) return true;
  if (d_type != DT_LNK && d_type != DT_UNKNOWN) return false;
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

snapshot scan_task_files(const std::filesystem::path& repo, refusals* refused) {
  snapshot snap;
  add(repo, "SPEC.md", snap, refused);
  DIR* dir = ::opendir((repo / "docs").c_str());
  if (!dir) return snap;
  while (auto* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN && entry->d_type != DT_LNK) continue;
    add(repo, "docs/" + name + "/tasks.md", snap, refused);
  }
  ::closedir(dir);
  return snap;
}

snapshot scan_tracked_files(const std::filesystem::path& repo, const std::string& evidence_rel,
                            refusals* refused) {
  auto snap = scan_task_files(repo, refused);
  if (evidence_rel.empty()) return snap;
  auto list = [&](const std::string& rel, bool dirs, const std::function<void(const std::string&)>& fn) {
    DIR* dir = ::opendir((repo / rel).c_str());
    if (!dir) return;
    while (auto* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      if (dirs == is_dir(repo / rel / name, e->d_type)) fn(rel + "/" + name);
    }
    ::closedir(dir);
  };
  for (const char* sub : {"/commands", "/consensus"}) {
    list(evidence_rel + sub, true, [&](const std::string& spec_dir) {
      list(spec_dir, false, [&](const std::string& rel) {
        if (is_tracked_path(rel, evidence_rel)) add(repo, rel, snap, refused);
      });
    });
  }
  return snap;
}

std::vector<std::string> changed_paths(const snapshot& before, const snapshot& after) {
  std::vector<std::string> out;
  for (const auto& [path, stamp] : after) {
    auto it = before.find(path);
    if (it == before.end() || it->second != stamp) out.push_back(path);
  }
  return out;
}

}  // namespace spec_notify::watcher
