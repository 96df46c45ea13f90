#pragma once
// A real temp directory for a test, removed when the test ends.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace spec_notify::testing {

class temp_dir {
 public:
  temp_dir() {
    char tmpl[] = "/tmp/spec-notify-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

  // Writes `text` to `rel` by temp file + rename, as editors and git save.
  void save(const std::string& rel, const std::string& text) const {
    auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    auto tmp = p;
    tmp += ".tmp~";
    std::ofstream(tmp, std::ios::binary) << text;
    std::filesystem::rename(tmp, p);
  }

 private:
  std::filesystem::path path_;
};

}  // namespace spec_notify::testing
