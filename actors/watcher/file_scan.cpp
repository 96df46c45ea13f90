#include "actors/watcher/file_scan.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <functional>

#include "actors/watcher/inotify_source.hpp"

namespace spec_notify::watcher {

bool stamp_file(const std::filesystem::path& p, file_stamp& out) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  out.inode = st.st_ino;
  out.size = st.st_size;
  out.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  out.ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  return true;
}

snapshot scan_task_files(const std::filesystem::path& repo) {
  snapshot snap;
  file_stamp s;
  if (stamp_file(repo / "SPEC.md", s)) snap["SPEC.md"] = s;
  DIR* dir = ::opendir((repo / "docs").c_str());
  if (!dir) return snap;
  while (auto* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN && entry->d_type != DT_LNK) continue;
    std::string rel = "docs/" + name + "/tasks.md";
    if (stamp_file(repo / rel, s)) snap[rel] = s;
  }
  ::closedir(dir);
  return snap;
}

snapshot scan_tracked_files(const std::filesystem::path& repo, const std::string& evidence_rel) {
  auto snap = scan_task_files(repo);
  if (evidence_rel.empty()) return snap;
  auto list = [&](const std::string& rel, bool dirs, const std::function<void(const std::string&)>& fn) {
    DIR* dir = ::opendir((repo / rel).c_str());
    if (!dir) return;
    while (auto* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      bool is_dir = e->d_type == DT_DIR || e->d_type == DT_UNKNOWN || e->d_type == DT_LNK;
      if (dirs == is_dir) fn(rel + "/" + name);
    }
    ::closedir(dir);
  };
  file_stamp s;
  for (const char* sub : {"/commands", "/consensus"}) {
    list(evidence_rel + sub, true, [&](const std::string& spec_dir) {
      list(spec_dir, false, [&](const std::string& rel) {
        if (is_tracked_path(rel, evidence_rel) && stamp_file(repo / rel, s)) snap[rel] = s;
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
