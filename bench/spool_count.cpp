// spool_count: counts the keys under each given prefix (default dlv/ and dead/) in a spec-notify state_dir
// (LevelDB), for bench/run.sh's backlog scenario. Bench tooling, not product code. The daemon must be stopped
// (LevelDB allows one process). Prints "<prefix> <count>" per prefix and the on-disk size is left to du.
// Usage: spool_count STATE_DIR [PREFIX...]
#include <leveldb/db.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: spool_count STATE_DIR [PREFIX...]\n");
    return 2;
  }
  std::vector<std::string> prefixes;
  for (int i = 2; i < argc; ++i) prefixes.emplace_back(argv[i]);
  if (prefixes.empty()) prefixes = {"dlv/", "dead/"};
  leveldb::Options options;
  leveldb::DB* raw = nullptr;
  auto status = leveldb::DB::Open(options, argv[1], &raw);
  if (!status.ok()) {
    std::fprintf(stderr, "spool_count: %s\n", status.ToString().c_str());
    return 1;
  }
  std::unique_ptr<leveldb::DB> db(raw);
  for (const auto& p : prefixes) {
    long long n = 0;
    std::unique_ptr<leveldb::Iterator> it(db->NewIterator(leveldb::ReadOptions()));
    for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) ++n;
    std::printf("%s %lld\n", p.c_str(), n);
  }
  return 0;
}
