// node/commands/keys/keys.cpp — the key-space commands: DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN,
// RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, DBSIZE, FLUSHDB, FLUSHALL, OBJECT.
#include <algorithm>
#include <memory>
#include <random>
#include <string>

#include "node/commands/collection_util.h"
#include "node/commands/command_table.h"
#include "node/commands/keys/object_encoding.h"
#include "node/core/blocking.h"
#include "node/core/node.h"
#include "node/protocol/numbers.h"
#include "node/util/glob.h"
#include "storage/codec.h"

namespace basalt::commands {

namespace {

using core::Lookup;
using storage::ValueType;

bool live_record(const rocksdb::Slice& value, uint64_t now, storage::RecordView& rec) {
  if (!storage::decode_record(std::string_view(value.data(), value.size()), rec)) return false;
  return rec.live_at(now);
}

// A list or sorted set that appears under `key` (RENAME, COPY, MOVE) serves clients blocked
// on it, as a push would.
void signal_if_poppable(Context& c, uint16_t db, std::string_view key, const Lookup& src) {
  if (c.ks.off_loop()) return;  // a heavy job: it signals the keys it wrote once committed
  if (src.record.type == ValueType::List || src.record.type == ValueType::ZSet)
    c.node.blocking().signal_key(db, key);
}

// Parses a database index the way SELECT / MOVE / COPY do.
void del(Context& c) {
  int64_t deleted = 0;
  Lookup l;
  for (size_t i = 1; i < c.argc(); ++i) {
    c.write_lookup(c.arg(i), l);
    if (!l.live) continue;
    c.ks.remove(c.db(), c.arg(i), l);
    ++deleted;
  }
  if (deleted) c.propagate_as_is();
  c.reply.integer(deleted);
}

void exists(Context& c) {
  int64_t n = 0;
  Lookup l;
  for (size_t i = 1; i < c.argc(); ++i) {
    c.ks.lookup(c.db(), c.arg(i), l);
    if (l.live) ++n;
  }
  c.reply.integer(n);
}

// TOUCH: the number of keys that exist (basalt keeps no access times to update).
void touch(Context& c) {
  int64_t n = 0;
  Lookup l;
  for (size_t i = 1; i < c.argc(); ++i) {
    c.read_key(c.arg(i), l);
    if (l.live) ++n;
  }
  c.reply.integer(n);
}

void type(Context& c) {
  Lookup l;
  c.ks.lookup(c.db(), c.arg(1), l);
  c.reply.simple(l.live ? storage::type_name(l.record.type) : "none");
}

void keys(Context& c) {
  std::string prefix = storage::data_prefix(c.db());
  std::string_view pattern = c.arg(1);
  bool all = pattern == "*";
  auto it = c.ks.iterate(c.db());
  std::string body;
  protocol::ReplyBuilder out(body);
  size_t n = 0;
  storage::RecordView rec;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view key(it->key().data() + 2, it->key().size() - 2);
    if (!all && !util::glob_match(pattern, key)) continue;
    if (!live_record(it->value(), c.now_ms(), rec)) continue;
    out.bulk(key);
    ++n;
  }
  c.reply.array(n);
  c.reply.raw(body);
}

void scan(Context& c) {
  uint64_t cursor = 0;
  {
    // Redis parses cursors as unsigned 64-bit numbers.
    std::string_view s = c.arg(1);
    bool ok = !s.empty() && s.size() <= 20;
    uint64_t u = 0;
    for (char ch : s) {
      if (ch < '0' || ch > '9' || u > (UINT64_MAX - static_cast<uint64_t>(ch - '0')) / 10) {
        ok = false;
        break;
      }
      u = u * 10 + static_cast<uint64_t>(ch - '0');
    }
    if (!ok) return c.reply.error("ERR invalid cursor");
    cursor = u;
  }
  std::string_view pattern;
  bool has_pattern = false, has_type = false;
  std::string_view type_filter;
  int64_t count = 10;
  for (size_t i = 2; i < c.argc(); i += 2) {
    if (i + 1 >= c.argc()) return c.syntax_error();
    std::string_view opt = c.arg(i);
    if (iequals(opt, "count")) {
      if (!protocol::parse_i64(c.arg(i + 1), count)) return c.not_integer();
      if (count < 1) return c.syntax_error();
      count = std::min(count, kMaxScanCount);
    } else if (iequals(opt, "match")) {
      pattern = c.arg(i + 1);
      has_pattern = !(pattern == "*");
    } else if (iequals(opt, "type")) {
      type_filter = c.arg(i + 1);
      has_type = true;
    } else {
      return c.syntax_error();
    }
  }
  std::string prefix = storage::data_prefix(c.db());
  auto it = c.ks.iterate(c.db());
  std::string start = prefix;
  bool skip_first = false;
  if (cursor != 0) {
    if (auto after = c.ks.shared().scan_cursors.resume_after(c.db(), cursor)) {
      start = prefix + *after;
      skip_first = true;
    }
  }
  it->Seek(start);
  if (skip_first && it->Valid() && it->key() == rocksdb::Slice(start)) it->Next();
  std::string body;
  protocol::ReplyBuilder out(body);
  size_t found = 0;
  int64_t visited = 0;
  std::string last;
  storage::RecordView rec;
  for (; it->Valid() && it->key().starts_with(prefix) && visited < count; it->Next()) {
    ++visited;
    std::string_view key(it->key().data() + 2, it->key().size() - 2);
    last.assign(key);
    if (has_pattern && !util::glob_match(pattern, key)) continue;
    if (!live_record(it->value(), c.now_ms(), rec)) continue;
    if (has_type && !iequals(type_filter, storage::type_name(rec.type))) continue;
    out.bulk(key);
    ++found;
  }
  bool more = it->Valid() && it->key().starts_with(prefix);
  uint64_t next = more ? c.ks.shared().scan_cursors.remember(c.db(), last) : 0;
  c.reply.array(2);
  c.reply.bulk(std::to_string(next));
  c.reply.array(found);
  c.reply.raw(body);
}

void randomkey(Context& c) {
  std::string prefix = storage::data_prefix(c.db());
  auto it = c.ks.iterate(c.db());
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  storage::RecordView rec;
  auto key_at = [&] { return std::string_view(it->key().data() + 2, it->key().size() - 2); };
  auto in_db = [&] { return it->Valid() && it->key().starts_with(prefix); };
  uint64_t count = c.ks.dbsize(c.db());
  if (count == 0) return c.reply.null_bulk();
  for (int attempt = 0; attempt < 16; ++attempt) {
    if (count <= 4096) {
      // Small databases: a uniformly chosen position.
      uint64_t steps = rng() % count;
      it->Seek(prefix);
      for (uint64_t i = 0; i < steps && in_db(); ++i) it->Next();
    } else {
      // Large ones: a random probe between the first and the last key.
      it->Seek(prefix);
      if (!in_db()) break;
      std::string first(key_at());
      it->SeekForPrev(storage::data_prefix(static_cast<uint16_t>(c.db() + 1)));
      std::string last = in_db() ? std::string(key_at()) : first;
      size_t common = 0;
      while (common < first.size() && common < last.size() && first[common] == last[common])
        ++common;
      std::string probe = prefix + first.substr(0, common);
      auto lo = static_cast<uint8_t>(common < first.size() ? first[common] : 0);
      auto hi = static_cast<uint8_t>(common < last.size() ? last[common] : 255);
      probe.push_back(static_cast<char>(lo + rng() % (hi - lo + 1u)));
      uint64_t r = rng();
      for (int i = 0; i < 8; ++i) probe.push_back(static_cast<char>((r >> (8 * i)) & 0xff));
      it->Seek(probe);
      if (!in_db()) it->Seek(prefix);
    }
    if (in_db() && live_record(it->value(), c.now_ms(), rec)) return c.reply.bulk(key_at());
  }
  // Mostly expired keys: walk from the start for any live one.
  for (it->Seek(prefix); in_db(); it->Next()) {
    if (live_record(it->value(), c.now_ms(), rec)) return c.reply.bulk(key_at());
  }
  c.reply.null_bulk();
}

void rename_generic(Context& c, bool nx) {
  std::string_view from = c.arg(1), to = c.arg(2);
  Lookup src;
  c.write_lookup(from, src);
  if (!src.live) return c.reply.error("ERR no such key");
  if (from == to) return nx ? c.reply.integer(0) : c.reply.ok();
  Lookup dst;
  c.write_lookup(to, dst);
  if (dst.live && nx) return c.reply.integer(0);
  c.ks.copy_value(c.db(), from, src, c.db(), to, dst);
  signal_if_poppable(c, c.db(), to, src);
  c.ks.remove(c.db(), from, src);
  c.propagate_as_is();
  if (nx)
    c.reply.integer(1);
  else
    c.reply.ok();
}
void rename(Context& c) {
  rename_generic(c, false);
}
void renamenx(Context& c) {
  rename_generic(c, true);
}

void copy(Context& c) {
  uint16_t dst_db = c.db();
  bool replace = false;
  for (size_t j = 3; j < c.argc(); ++j) {
    if (iequals(c.arg(j), "replace")) {
      replace = true;
    } else if (iequals(c.arg(j), "db") && j + 1 < c.argc()) {
      if (!c.db_index_or_reply(c.arg(j + 1), dst_db)) return;
      ++j;
    } else {
      return c.syntax_error();
    }
  }
  if (dst_db == c.db() && c.arg(1) == c.arg(2))
    return c.reply.error("ERR source and destination objects are the same");
  Lookup src;
  c.write_lookup(c.arg(1), src);
  if (!src.live) return c.reply.integer(0);
  Lookup dst;
  c.ks.lookup(dst_db, c.arg(2), dst);
  if (dst.live && !replace) return c.reply.integer(0);
  c.ks.copy_value(c.db(), c.arg(1), src, dst_db, c.arg(2), dst);
  signal_if_poppable(c, dst_db, c.arg(2), src);
  c.propagate_as_is();
  c.reply.integer(1);
}

void move(Context& c) {
  uint16_t dst_db;
  if (!c.db_index_or_reply(c.arg(2), dst_db)) return;
  if (dst_db == c.db()) return c.reply.error("ERR source and destination objects are the same");
  Lookup src;
  c.write_lookup(c.arg(1), src);
  if (!src.live) return c.reply.integer(0);
  Lookup dst;
  c.ks.lookup(dst_db, c.arg(1), dst);
  if (dst.live) return c.reply.integer(0);
  c.ks.copy_value(c.db(), c.arg(1), src, dst_db, c.arg(1), dst);
  signal_if_poppable(c, dst_db, c.arg(1), src);
  c.ks.remove(c.db(), c.arg(1), src);
  c.propagate_as_is();
  c.reply.integer(1);
}

void dbsize(Context& c) {
  c.reply.integer(static_cast<int64_t>(c.ks.dbsize(c.db())));
}

bool flush_args_ok(Context& c) {
  if (c.argc() > 2 ||
      (c.argc() == 2 && !iequals(c.arg(1), "sync") && !iequals(c.arg(1), "async"))) {
    c.syntax_error();
    return false;
  }
  return true;
}

void flushdb(Context& c) {
  if (!flush_args_ok(c)) return;
  c.ks.flush(c.db());
  std::string_view args[] = {"FLUSHDB"};
  c.propagate(args);
  c.reply.ok();
}

void flushall(Context& c) {
  if (!flush_args_ok(c)) return;
  c.ks.flush(-1);
  std::string_view args[] = {"FLUSHALL"};
  c.propagate(args);
  c.reply.ok();
}

void object(Context& c) {
  std::string_view sub = c.arg(1);
  if (iequals(sub, "help")) {
    const char* lines[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Print this help."};
    c.reply.array(std::size(lines));
    for (auto* l : lines) c.reply.simple(l);
    return;
  }
  bool known = iequals(sub, "encoding") || iequals(sub, "refcount") || iequals(sub, "idletime") ||
               iequals(sub, "freq");
  if (!known) {
    return c.reply.error("ERR unknown subcommand '" + std::string(sub.substr(0, 128)) +
                         "'. Try OBJECT HELP.");
  }
  if (c.argc() != 3) {
    std::string name(sub);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return c.reply.error("ERR wrong number of arguments for 'object|" + name + "' command");
  }
  Lookup l;
  c.ks.lookup(c.db(), c.arg(2), l);
  if (!l.live) return c.reply.null_bulk();
  if (iequals(sub, "encoding")) {
    c.reply.bulk(object_encoding(c, c.arg(2), l));
  } else if (iequals(sub, "refcount")) {
    c.reply.integer(1);
  } else if (iequals(sub, "idletime")) {
    // Tracked while maxmemory-policy is an LRU one (0 otherwise: no clock is kept).
    const auto& access = c.node.keyspace().access;
    if (access.mode() == core::AccessTracker::Mode::Lfu) {
      return c.reply.error(
          "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
          "switching between policies at runtime LRU and LFU data will take some time to "
          "adjust.");
    }
    uint64_t idle = access.enabled()
                        ? access.idle_ms(storage::data_key(c.db(), c.arg(2)), c.ks.now_ms()) / 1000
                        : 0;
    c.reply.integer(static_cast<int64_t>(idle));
  } else if (c.node.keyspace().access.mode() == core::AccessTracker::Mode::Lfu) {
    c.reply.integer(
        c.node.keyspace().access.frequency(storage::data_key(c.db(), c.arg(2)), c.ks.now_ms()));
  } else {
    c.reply.error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
  }
}

}  // namespace

void register_key_commands(Table& t) {
  t.add(row("del", -2, kWrite, del).keys(1, -1, 1).doc("generic", "Delete keys"));
  t.add(row("unlink", -2, kWrite | kFast, del).keys(1, -1, 1).doc("generic", "Delete keys"));
  t.add(row("exists", -2, kReadOnly | kFast, exists)
            .keys(1, -1, 1)
            .doc("generic", "Count existing keys"));
  t.add(row("touch", -2, kReadOnly | kFast, touch)
            .keys(1, -1, 1)
            .doc("generic", "Count existing keys (and mark them accessed)"));
  t.add(row("type", 2, kReadOnly | kFast, type).keys(1, 1, 1).doc("generic", "Type of a key"));
  t.add(row("keys", 2, kReadOnly | kMayBeHeavyRead, keys)
            .acl(kCatDangerous)
            .doc("generic", "Keys matching a pattern"));
  t.add(row("scan", -2, kReadOnly, scan).doc("generic", "Iterate the key space"));
  t.add(row("randomkey", 1, kReadOnly, randomkey).doc("generic", "A random key"));
  t.add(
      row("rename", 3, kWrite | kMayBeHeavy, rename).keys(1, 2, 1).doc("generic", "Rename a key"));
  t.add(row("renamenx", 3, kWrite | kFast | kMayBeHeavy, renamenx)
            .keys(1, 2, 1)
            .doc("generic", "Rename if new is free"));
  t.add(row("copy", -3, kWrite | kDenyOom | kMayBeHeavy, copy)
            .keys(1, 2, 1)
            .doc("generic", "Copy a key"));
  t.add(row("move", 3, kWrite | kFast | kMayBeHeavy, move)
            .keys(1, 1, 1)
            .doc("generic", "Move a key to another db"));
  t.add(row("dbsize", 1, kReadOnly | kFast, dbsize)
            .acl(kCatKeyspace)
            .doc("server", "Number of keys"));
  t.add(row("flushdb", -1, kWrite | kBarrier, flushdb)
            .acl(kCatKeyspace | kCatDangerous)
            .doc("server", "Delete the db's keys"));
  t.add(row("flushall", -1, kWrite | kBarrier, flushall)
            .acl(kCatKeyspace | kCatDangerous)
            .doc("server", "Delete all keys"));
  t.add(row("object", -2, kReadOnly, object).keys(2, 2, 1).doc("generic", "Inspect a key's value"));
}

}  // namespace basalt::commands
