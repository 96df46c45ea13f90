// Throughput of parse_task_file on a synthetic 1 MB SPEC.md (11-column tracker rows, a second table,
// checklists and fenced blocks). Prints MB/s and milliseconds per parse; not a test: nothing is asserted.
// Usage: table_parse_bench [megabytes=1] [iterations=50]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "actors/differ/task_table.hpp"

namespace {

std::string synthetic_spec_md(size_t bytes) {
  static const char* kStatuses[] = {"**DONE**",          "Backlog", "**IN PROGRESS**", "Blocked (HAL secret)",
                                    "Done (2025-09-29)", "**N/A**", "In Review",       "✅ Done"};
  std::string text = "# Spec-Kit Task Tracker\n\n## Active Tasks\n\n";
  int id = 1;
  while (text.size() < bytes) {
    text +=
        "| Order | Task ID | Title | Status | Owners | PRD | Branch | PR | Last Validation | Evidence | "
        "Notes |\n"
        "|-------|---------|-------|--------|--------|-----|--------|----|-----------------|----------|------"
        "-|\n";
    for (int row = 0; row < 200 && text.size() < bytes; ++row, ++id) {
      const std::string n = std::to_string(id);
      text +=
          "| " + n + " | T" + n + " | Port `/cmd-" + n + "` \\| helper | " + kStatuses[id % 8] +
          " | Code | docs/SPEC-KIT-" + n +
          "-add-feature/PRD.md | feat/spec-auto-telemetry |  | 2025-10-15 | "
          "docs/SPEC-OPS-004-integrated-coder-hooks/evidence/commands/SPEC-KIT-" +
          n +
          "/spec-validate_2025-10-04T14:08:09Z-844328516.json | PASSED: found 5 issues, `cargo test` ok. |\n";
    }
    text += "\n## Roadmap\n\n- [x] T" + std::to_string(id++) +
            " Create templates\n- [ ] Execute baseline tests\n";
    text += "\n```bash\n| ID | Status |\n|----|--------|\n| T0 | Done |\n```\n\n";
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  const double megabytes = argc > 1 ? std::atof(argv[1]) : 1.0;
  const int iterations = argc > 2 ? std::atoi(argv[2]) : 50;
  const std::string text = synthetic_spec_md(static_cast<size_t>(megabytes * 1024 * 1024));
  size_t rows = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i)
    rows += spec_notify::differ::parse_task_file(text, "SPEC.md").rows.size();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  const double mb = static_cast<double>(text.size()) / (1024.0 * 1024.0);
  std::printf("input %.2f MB, %zu rows per parse, %d iterations\n", mb,
              rows / (iterations > 0 ? iterations : 1), iterations);
  std::printf("%.3f ms per parse, %.1f MB/s\n", elapsed.count() * 1000.0 / iterations,
              mb * iterations / elapsed.count());
  return 0;
}
