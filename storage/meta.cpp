// storage/meta.cpp — encoding of the meta column family.
#include "storage/meta.h"

#include <random>

#include "storage/codec.h"
#include "storage/record.h"

namespace basalt::storage {

namespace {
constexpr const char* kReplid = "replid";
constexpr const char* kReplid2 = "replid2";
constexpr const char* kSecondOffset = "second_replid_offset";
constexpr const char* kOffset = "master_repl_offset";
constexpr const char* kRole = "role";
constexpr const char* kMasterHost = "master_host";
constexpr const char* kMasterPort = "master_port";
constexpr const char* kEncoding = "encoding_version";
constexpr const char* kStreamDb = "stream_db";
constexpr const char* kSynced = "synced";

// One meta value: true if present, false if absent; a read error is never "absent".
bool get(Engine& e, const std::string& name, std::string& out) {
  rocksdb::Status s = e.db()->Get(rocksdb::ReadOptions(), e.meta_cf(), name, &out);
  if (s.ok()) return true;
  if (s.IsNotFound()) return false;
  throw MetaError("can't read '" + name + "' from the meta column family: " + s.ToString());
}
// A present 8-byte number; anything else stored there is damage, not a value.
bool get_u64(Engine& e, const std::string& name, uint64_t& out) {
  std::string v;
  if (!get(e, name, v)) return false;
  if (v.size() != 8)
    throw MetaError("meta value '" + name + "' is corrupt (" + std::to_string(v.size()) +
                    " bytes, expected 8)");
  out = get_u64_be(v.data());
  return true;
}
std::string u64(uint64_t v) {
  std::string s;
  put_u64_be(s, v);
  return s;
}
std::string key_count_name(uint16_t db) {
  return "keys:" + std::to_string(db);
}

std::string expire_count_name(uint16_t db) {
  return "expires:" + std::to_string(db);
}

std::string dataset_bytes_name(uint16_t db) {
  return "dataset_bytes:" + std::to_string(db);
}

std::optional<std::vector<uint64_t>> load_per_db(Engine& engine, size_t databases,
                                                 std::string (*name)(uint16_t)) {
  std::vector<uint64_t> counts(databases, 0);
  bool any = false;
  for (size_t db = 0; db < databases; ++db) {
    if (get_u64(engine, name(static_cast<uint16_t>(db)), counts[db])) any = true;
  }
  if (!any) return std::nullopt;
  return counts;
}
}  // namespace

std::string random_replid() {
  static const char* hex = "0123456789abcdef";
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  std::string id(40, '0');
  for (auto& c : id) c = hex[gen() & 15];
  return id;
}

ReplMeta load_repl_meta(Engine& engine) {
  ReplMeta m;
  std::string v;
  uint64_t n = 0;
  if (get_u64(engine, kEncoding, n) && n > kEncodingVersion) {
    throw MetaError("the data directory was written by a newer basalt (encoding version " +
                    std::to_string(n) + "; this binary reads up to " +
                    std::to_string(kEncodingVersion) + ")");
  }
  auto id = [](const std::string& name, const std::string& value) {
    if (value.size() != 40)
      throw MetaError("meta value '" + name + "' is corrupt (not a 40-character replication id)");
    return value;
  };
  if (get(engine, kReplid, v)) {
    m.replid = id(kReplid, v);
    m.has_history = true;
  } else {
    m.replid = random_replid();
  }
  if (get(engine, kReplid2, v)) m.replid2 = id(kReplid2, v);
  if (get_u64(engine, kSecondOffset, n)) m.second_replid_offset = static_cast<int64_t>(n);
  if (get_u64(engine, kOffset, n)) m.master_repl_offset = n;
  if (get(engine, kRole, v)) {
    if (v != "master" && v != "replica") throw MetaError("meta value 'role' is corrupt: " + v);
    m.role = v;
  }
  if (get(engine, kMasterHost, v)) m.master_host = v;
  if (get_u64(engine, kMasterPort, n)) m.master_port = static_cast<int>(n);
  if (get_u64(engine, kStreamDb, n)) m.stream_db = static_cast<int64_t>(n);
  if (get_u64(engine, kSynced, n)) m.synced = n != 0;
  if (!m.has_history && (m.master_repl_offset > 0 || m.role != "master"))
    throw MetaError("meta has a replication offset or role but no replication id");
  return m;
}

std::vector<uint64_t> load_key_counts(Engine& engine, size_t databases) {
  std::vector<uint64_t> counts(databases, 0);
  for (size_t db = 0; db < databases; ++db)
    get_u64(engine, key_count_name(static_cast<uint16_t>(db)), counts[db]);
  return counts;
}

std::optional<std::vector<uint64_t>> load_expire_counts(Engine& engine, size_t databases) {
  return load_per_db(engine, databases, expire_count_name);
}

std::optional<std::vector<uint64_t>> load_dataset_bytes(Engine& engine, size_t databases) {
  return load_per_db(engine, databases, dataset_bytes_name);
}

void put_repl_meta(rocksdb::WriteBatchBase& b, Engine& e, const ReplMeta& m) {
  put_role_meta(b, e, m);
  b.Put(e.meta_cf(), kOffset, u64(m.master_repl_offset));
  b.Put(e.meta_cf(), kStreamDb, u64(static_cast<uint64_t>(m.stream_db)));
}

void put_role_meta(rocksdb::WriteBatchBase& b, Engine& e, const ReplMeta& m) {
  b.Put(e.meta_cf(), kReplid, m.replid);
  b.Put(e.meta_cf(), kReplid2, m.replid2);
  b.Put(e.meta_cf(), kSecondOffset, u64(static_cast<uint64_t>(m.second_replid_offset)));
  b.Put(e.meta_cf(), kRole, m.role);
  b.Put(e.meta_cf(), kMasterHost, m.master_host);
  b.Put(e.meta_cf(), kMasterPort, u64(static_cast<uint64_t>(m.master_port)));
  b.Put(e.meta_cf(), kEncoding, u64(kEncodingVersion));
  b.Put(e.meta_cf(), kSynced, u64(m.synced ? 1 : 0));
}

void put_offset(rocksdb::WriteBatchBase& b, Engine& e, uint64_t offset) {
  b.Put(e.meta_cf(), kOffset, u64(offset));
}

void put_stream_db(rocksdb::WriteBatchBase& b, Engine& e, int64_t db) {
  b.Put(e.meta_cf(), kStreamDb, u64(static_cast<uint64_t>(db)));
}

void put_key_count(rocksdb::WriteBatchBase& b, Engine& e, uint16_t db, uint64_t count) {
  b.Put(e.meta_cf(), key_count_name(db), u64(count));
}

void put_expire_count(rocksdb::WriteBatchBase& b, Engine& e, uint16_t db, uint64_t count) {
  b.Put(e.meta_cf(), expire_count_name(db), u64(count));
}

void put_dataset_bytes(rocksdb::WriteBatchBase& b, Engine& e, uint16_t db, uint64_t bytes) {
  b.Put(e.meta_cf(), dataset_bytes_name(db), u64(bytes));
}

}  // namespace basalt::storage
