#include "actors/store/store.hpp"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <filesystem>

namespace spec_notify::store {

std::unique_ptr<db> db::open(const std::string& dir, std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create state directory " + dir + ": " + ec.message();
    return nullptr;
  }
  leveldb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  leveldb::DB* raw = nullptr;
  auto status = leveldb::DB::Open(options, dir, &raw);
  if (!status.ok()) {
    error = "cannot open state store " + dir + ": " + status.ToString();
    if (status.ToString().find("lock") != std::string::npos)
      error += " (is another spec-notify process using this state_dir?)";
    return nullptr;
  }
  auto result = std::unique_ptr<db>(new db(raw, dir));
  std::string version;
  if (!result->get("meta/schema_version", version)) {
    batch b;
    b.put("meta/schema_version", "1");
    if (auto err = result->write(b); !err.empty()) {
      error = "cannot write state store " + dir + ": " + err;
      return nullptr;
    }
  } else if (version != "1") {
    error = "state store " + dir + " has schema version " + version + "; this spec-notify reads version 1";
    return nullptr;
  }
  return result;
}

db::~db() { delete raw_; }

std::string db::write(const batch& b, durability d) {
  leveldb::WriteBatch wb;
  for (const auto& op : b.ops_) {
    if (op.erase)
      wb.Delete(op.key);
    else
      wb.Put(op.key, op.value);
  }
  leveldb::WriteOptions options;
  options.sync = d == durability::synced;
  auto status = raw_->Write(options, &wb);
  return status.ok() ? std::string{} : status.ToString();
}

bool db::get(const std::string& key, std::string& value) const {
  return raw_->Get(leveldb::ReadOptions(), key, &value).ok();
}

void db::scan(const std::string& prefix,
              const std::function<bool(const std::string&, const std::string&)>& visit) const {
  std::unique_ptr<leveldb::Iterator> it(raw_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    auto key = it->key();
    if (!key.starts_with(prefix)) break;
    if (!visit(key.ToString(), it->value().ToString())) break;
  }
}

}  // namespace spec_notify::store
