#pragma once
// The leveldb::Env every store uses, and the file-system set-up around it (the state directory's mode and the
// per-process lock). Called only by store.cpp.
//
// Private files, whatever the umask: the state holds payload bodies (task titles, repo paths) and endpoint
// state. LevelDB's default Env creates its directory 0755 and every file 0644 & ~umask. This Env creates each
// file itself first with open(O_CREAT | O_EXCL, 0600) and fchmod(0600), then lets LevelDB open the (empty)
// file: a file never exists with a wider mode, not even for an instant, and the process umask is never
// touched (umask is per process: changing it would race every other thread's file creation). Directories are
// created 0700.
#include <string>

#include "messages/status.hpp"

namespace leveldb {
class Env;
}  // namespace leveldb

namespace spec_notify::store {

// The process-wide Env (pread table reads, 0600 files, 0700 directories). Never destroyed.
leveldb::Env* store_env();

// Creates `dir` 0700 (its missing parents with the default mode) or, when it exists and already holds a
// LevelDB store (CURRENT), removes group/other bits from it and from the store's files (left by versions
// before 0600 files). Never adds a bit (a store made read-only stays read-only).
status prepare_state_dir(const std::string& dir);

// Takes an exclusive flock(2) on the directory itself, held until the returned fd is closed. LevelDB's own
// LOCK file is not enough: if someone deletes it, a second process creates a new one and locks that. The
// directory cannot be deleted and re-created under the holder without it noticing everything else is gone
// too. Returns the fd (>= 0), or a failure naming the directory ("... another spec-notify ...").
result<int> lock_state_dir(const std::string& dir);

}  // namespace spec_notify::store
