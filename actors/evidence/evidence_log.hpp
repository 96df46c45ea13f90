#pragma once
// Per-SPEC, size-bounded webhook evidence (contract "Evidence"): one JSON line per attempt, dry run, replay
// and test delivery. In the daemon the evidence writer actor is its only user (admin replays go through that
// actor too); `spec-notify --test` uses it from another process. One object is not thread-safe; several
// processes may append to the same folders: each append holds an exclusive flock(2) on its webhooks folder
// and re-lists the folder when another writer changed it since this object's last append.
//
// Untrusted tree (docs/security.md): evidence_dir normally lies inside the watched repository, where anyone
// with push access can plant symlinks and hard links. Nothing is ever written, created or deleted outside
// evidence_dir:
//   - every append walks from the trusted root (the repo, given by the caller) to the webhooks folder one
//     component at a time with openat/mkdirat(O_DIRECTORY | O_NOFOLLOW) on directory fds (nofollow_dir.hpp),
//     so a symlink at evidence_dir, at docs/, at a SPEC folder or at webhooks/ is refused by the kernel, and
//     a swap between check and use cannot redirect the write;
//   - the file is opened with openat(O_NOFOLLOW | O_NONBLOCK) and appended to only when fstat says it is a
//     regular file with one link (no FIFO, device, or hard link to a file elsewhere);
//   - rotation lists the folder through its fd and unlinkat()s only entries that fstatat(AT_SYMLINK_NOFOLLOW)
//     says are regular files; other entries are neither counted nor deleted.
// A refused write returns an error naming the refused path ("refusing to follow the symlink at ..."); the
// caller keeps the record and tries again later (evidence_queue.hpp).
//
// Layout:  <evidence_dir>/commands/<SPEC folder>/webhooks/webhooks-<yyyymmdd>-<nnnn>.jsonl
//   SPEC folder: the sanitised spec id (see spec_folder_name), "_unscoped" when the record has none.
//   yyyymmdd is the UTC day of the record's at_ms; nnnn (0001..) starts a new file in the same day when the
//   current one would pass a quarter of the budget, so rotation can free space in pieces. File names sort in
//   write order, which is what FIFO rotation relies on.
// Rotation: before a line is appended, the oldest files of that SPEC folder are deleted while the folder plus
//   the new line would exceed max_bytes_per_spec. The file being written is never deleted. A line larger than
//   a quarter of the budget is first written without its sample ("sample_omitted": true).
//
// Line (keys in this order; no secrets or signature values are ever written):
//   {"at":"<iso8601 ms>","kind":"attempt|dry_run|replay|test","delivery_id":"msg_..","subscription":"..",
//    "event":"<type>","spec":"..."|null,"task":"..."|null,"attempt":n,"status_code":n,"latency_ms":n,
//    "outcome":"delivered|..."|null,"error":"..."|null,"replay":bool,"sample":{..}}   (sample only when
//    given)
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "actors/evidence/nofollow_dir.hpp"
#include "messages/outcome.hpp"
#include "messages/status.hpp"

namespace spec_notify::evidence {

struct evidence_record {
  std::string delivery_id, subscription, event_type, spec_id, task_id;
  std::string kind;  // attempt | dry_run | replay | test
  std::string error;
  int attempt = 0, status_code = 0;
  int64_t latency_ms = 0, at_ms = 0;  // at_ms: unix ms of the attempt; 0 = now
  bool replay = false;
  std::string outcome;  // delivered | retrying | dead_lettered | disabled | dry_run
  // Optional JSON text (dry-run sample: headers + body). Re-rendered, never copied verbatim: values of
  // webhook-signature, x-hub-signature-256, authorization and secret-like keys are replaced by "[redacted]"
  // as a second line of defence; text that is not valid JSON is stored as a JSON string.
  std::string sample;
};

// The record of an outcome: every line but `spec-notify --test`'s is made here, by the evidence writer actor
// (attempts, dry runs, admin replays) and by the CLI's offline replay.
evidence_record to_record(const delivery_outcome& o);

// Folder name for a spec id: bytes outside [A-Za-z0-9._-] become '_', a leading '.' and any '.' right after
// another '.' become '_' (so no "..", no hidden folders, no '/'), at most 128 bytes; "" -> "_unscoped".
std::string spec_folder_name(const std::string& spec_id);

// The JSON line (without '\n') append() writes for `r`.
std::string render_evidence_line(const evidence_record& r, bool with_sample = true);

class evidence_log {
 public:
  // max_bytes_per_spec <= 0 disables rotation. Nothing touches the disk until the first append.
  // trusted_root: the directory whose own path may contain symlinks (the operator's: settings.repo). When
  // evidence_dir lies inside it, it is opened normally and the components below it are walked without
  // following symlinks; otherwise (or when empty) every component of evidence_dir from "/" is.
  evidence_log(std::filesystem::path evidence_dir, int64_t max_bytes_per_spec,
               std::filesystem::path trusted_root = {});

  // Appends one line for `r` (creating folders as needed) and applies the rotation above.
  // On failure, one line naming the path and the system error ("permission denied", "no space left on
  // device"); a failed write leaves no partial line behind. Never throws.
  status append(const evidence_record& r);

  // Between begin_batch and end_batch, consecutive appends to the same SPEC folder walk, lock and check it
  // once instead of once per record (a burst's records arrive together); the lock is held until the batch
  // moves to another folder or ends, so keep batches short (the writer actor batches what is in its mailbox).
  void begin_batch();
  void end_batch();

  // The webhooks folder records for `spec_id` go to.
  std::filesystem::path folder_for(const std::string& spec_id) const;

 private:
  struct file_entry {
    std::string name;
    int64_t size = 0;
  };
  struct folder_state {
    std::vector<file_entry> files;  // sorted by name == oldest first
    int64_t total = 0;
    timespec dir_mtime{};  // the folder's mtime after this object's last change
  };

  std::string append_once(const evidence_record& r);
  std::string load_folder(int dir_fd, const std::filesystem::path& dir, folder_state& st);
  static std::string lock_folder(int dir_fd, const std::filesystem::path& dir);
  bool still_as_left(int dir_fd, const folder_state& st) const;
  static void remember_folder_time(int dir_fd, folder_state& st);
  std::string pick_file(folder_state& st, const std::string& day, int64_t line_size) const;
  std::string rotate(int dir_fd, const std::filesystem::path& dir, folder_state& st, const std::string& keep,
                     int64_t incoming);
  std::string write_line(int dir_fd, const std::filesystem::path& dir, const std::string& name,
                         const std::string& line, int64_t& new_size);

  std::filesystem::path evidence_dir_;
  std::filesystem::path anchor_;    // opened normally (trusted)
  std::vector<std::string> below_;  // evidence_dir's components below anchor_ (walked with O_NOFOLLOW)
  int64_t max_bytes_;
  std::map<std::string, folder_state> folders_;  // key: SPEC folder name; filled on first use
  // The path of each SPEC's webhooks folder (for messages), built once: a filesystem::path of four
  // components cost ~11,000 instructions per record (callgrind). Bounded: cleared past 10,000 SPECs.
  const std::filesystem::path& folder_path(const std::string& key);
  std::map<std::string, std::filesystem::path> paths_;
  bool batching_ = false;
  std::string open_key_;  // while batching: the folder whose locked fd is open_dir_
  unique_fd open_dir_;
};

}  // namespace spec_notify::evidence
