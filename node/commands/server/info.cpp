// node/commands/server/info.cpp — the INFO text: Redis 7.0's sections and field names (clients such
// as redis-cli, client libraries and redis-sentinel parse them), plus basalt's own figures
// (RocksDB memory and disk use, wal-sync, write groups). Fields Redis has but basalt has no
// counterpart for are given the value an idle Redis shows.
#include "node/commands/server/info.h"

#include <spdlog/fmt/fmt.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "node/commands/command.h"
#include "node/commands/scripting/script_host.h"
#include "node/core/memory_limit.h"
#include "node/core/node.h"
#include "node/core/write_pipeline.h"
#include "node/replication/replication.h"

namespace basalt::commands {

namespace {

enum Section : unsigned {
  kServer = 1u << 0,
  kClients = 1u << 1,
  kMemory = 1u << 2,
  kPersistence = 1u << 3,
  kStats = 1u << 4,
  kReplication = 1u << 5,
  kCpu = 1u << 6,
  kModules = 1u << 7,
  kCommandStats = 1u << 8,
  kErrorStats = 1u << 9,
  kLatencyStats = 1u << 10,
  kCluster = 1u << 11,
  kKeyspace = 1u << 12,
};

constexpr unsigned kDefaultSections = kServer | kClients | kMemory | kPersistence | kStats |
                                      kReplication | kCpu | kModules | kErrorStats | kCluster |
                                      kKeyspace;
constexpr unsigned kAllSections = kDefaultSections | kCommandStats | kLatencyStats;

struct SectionName {
  std::string_view name;
  unsigned bit;
};
constexpr std::array<SectionName, 13> kSectionNames = {{
    {"server", kServer},
    {"clients", kClients},
    {"memory", kMemory},
    {"persistence", kPersistence},
    {"stats", kStats},
    {"replication", kReplication},
    {"cpu", kCpu},
    {"modules", kModules},
    {"commandstats", kCommandStats},
    {"errorstats", kErrorStats},
    {"latencystats", kLatencyStats},
    {"cluster", kCluster},
    {"keyspace", kKeyspace},
}};

unsigned sections_of(std::span<const std::string_view> names) {
  if (names.empty()) return kDefaultSections;
  unsigned bits = 0;
  for (std::string_view n : names) {
    if (iequals(n, "default"))
      bits |= kDefaultSections;
    else if (iequals(n, "all") || iequals(n, "everything"))
      bits |= kAllSections;
    for (const auto& s : kSectionNames) {
      if (iequals(n, s.name)) bits |= s.bit;
    }
  }
  return bits;
}

// Redis's bytesToHuman.
std::string human(uint64_t n) {
  auto d = static_cast<double>(n);
  if (n < 1024) return fmt::format("{}B", n);
  if (n < (1ull << 20)) return fmt::format("{:.2f}K", d / 1024);
  if (n < (1ull << 30)) return fmt::format("{:.2f}M", d / (1ull << 20));
  if (n < (1ull << 40)) return fmt::format("{:.2f}G", d / (1ull << 30));
  if (n < (1ull << 50)) return fmt::format("{:.2f}T", d / (1ull << 40));
  if (n < (1ull << 60)) return fmt::format("{:.2f}P", d / (1ull << 50));
  return fmt::format("{}B", n);
}

uint64_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t total_system_memory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
}

std::string executable_path() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

// Accumulates "field:value\r\n" lines.
class Writer {
 public:
  void header(std::string_view name) {
    if (!out_.empty()) out_ += "\r\n";
    out_ += "# ";
    out_ += name;
    out_ += "\r\n";
  }
  template <typename T>
  void field(std::string_view name, const T& value) {
    fmt::format_to(std::back_inserter(out_), "{}:{}\r\n", name, value);
  }
  void line(std::string_view text) {
    out_ += text;
    out_ += "\r\n";
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

void server_section(core::Node& node, Writer& w) {
  utsname un{};
  uname(&un);
  uint64_t now_ms = core::unix_time_ms();
  uint64_t uptime = (now_ms - std::min(now_ms, node.start_time_ms())) / 1000;
  w.header("Server");
  w.field("redis_version", "7.0.15");
  w.field("redis_git_sha1", "00000000");
  w.field("redis_git_dirty", 0);
  w.field("redis_build_id", "0");
  w.field("redis_mode", "standalone");
  w.field("basalt_version", BASALT_VERSION);
  w.field("os", fmt::format("{} {} {}", un.sysname, un.release, un.machine));
  w.field("arch_bits", sizeof(void*) * 8);
  w.field("monotonic_clock", "POSIX clock_gettime");
  w.field("multiplexing_api", "epoll");
  w.field("atomicvar_api", "c11-builtin");
  w.field("gcc_version", fmt::format("{}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__));
  w.field("process_id", getpid());
  w.field("process_supervised", "no");
  w.field("run_id", node.run_id());
  w.field("tcp_port", node.config().port);
  w.field("server_time_usec", now_ms * 1000);
  w.field("uptime_in_seconds", uptime);
  w.field("uptime_in_days", uptime / 86400);
  w.field("hz", node.config().hz);
  w.field("configured_hz", node.config().hz);
  w.field("lru_clock", (now_ms / 1000) & ((1u << 24) - 1));
  w.field("executable", executable_path());
  w.field("config_file", node.config().config_file);
  w.field("io_threads_active", 0);
}

void clients_section(core::Node& node, Writer& w) {
  size_t normal = 0, max_in = 0, max_out = 0;
  for (const auto& [id, cl] : node.clients()) {
    if (!cl->is_replica) ++normal;
    max_in = std::max(max_in, cl->query_buffer_bytes);
    max_out = std::max(max_out, cl->output_buffer_bytes);
  }
  w.header("Clients");
  w.field("connected_clients", normal);
  w.field("cluster_connections", 0);
  w.field("maxclients", node.config().maxclients);
  w.field("client_recent_max_input_buffer", max_in);
  w.field("client_recent_max_output_buffer", max_out);
  w.field("blocked_clients", node.blocking().blocked_clients() + node.pipeline().held_writers());
  w.field("tracking_clients", 0);
  w.field("clients_in_timeout_table", 0);
}

void memory_section(core::Node& node, Writer& w) {
  static uint64_t peak = 0;  // one peak per process
  // used_memory is the logical dataset size (storage/dataset_size.h): what maxmemory caps.
  // The process's own memory is reported apart: allocator_allocated (malloc) and RSS.
  uint64_t used = core::used_memory(node.keyspace());
  uint64_t allocated = core::allocator_bytes();
  peak = std::max(peak, used);
  uint64_t rss = rss_bytes();
  uint64_t system = total_system_memory();
  uint64_t clients = 0;
  for (const auto& [id, cl] : node.clients()) {
    clients += cl->query_buffer_bytes + cl->output_buffer_bytes;
  }
  int64_t maxmemory = node.config().maxmemory;
  const std::string& policy = node.config().maxmemory_policy;
  auto& engine = node.engine();
  w.header("Memory");
  w.field("used_memory", used);
  w.field("used_memory_human", human(used));
  w.field("used_memory_rss", rss);
  w.field("used_memory_rss_human", human(rss));
  w.field("used_memory_peak", peak);
  w.field("used_memory_peak_human", human(peak));
  w.field("used_memory_peak_perc",
          fmt::format("{:.2f}%", peak ? 100.0 * static_cast<double>(used) / peak : 100.0));
  w.field("used_memory_dataset", used);
  w.field("used_memory_dataset_perc", "100.00%");
  w.field("allocator_allocated", allocated);
  w.field("allocator_allocated_human", human(allocated));
  w.field("total_system_memory", system);
  w.field("total_system_memory_human", human(system));
  w.field("maxmemory", maxmemory);
  w.field("maxmemory_human", human(static_cast<uint64_t>(maxmemory)));
  w.field("maxmemory_policy", policy);
  w.field("mem_fragmentation_ratio",
          fmt::format("{:.2f}", used ? static_cast<double>(rss) / used : 0.0));
  w.field("mem_fragmentation_bytes", static_cast<int64_t>(rss) - static_cast<int64_t>(used));
  w.field("mem_clients_normal", clients);
  w.field("mem_allocator", "libc");
  auto& scripts = script_host(node);
  w.field("number_of_cached_scripts", scripts.cache().size());
  w.field("number_of_functions", scripts.functions().function_count());
  w.field("number_of_libraries", scripts.functions().libraries().size());
  w.field("function_libraries_failed_to_load", scripts.function_load_failures);
  w.field("record_cache_bytes", node.keyspace().record_cache.bytes());
  w.field("record_cache_entries", node.keyspace().record_cache.entries());
  w.field("element_cache_bytes", node.keyspace().element_cache.bytes());
  w.field("element_cache_entries", node.keyspace().element_cache.entries());
  w.field("element_cache_complete_collections",
          node.keyspace().element_cache.complete_collections());
  w.field("rocksdb_block_cache_usage", engine.block_cache_usage());
  w.field("rocksdb_memtable_usage", engine.memtable_usage());
  w.field("rocksdb_disk_usage", engine.disk_usage());
}

void persistence_section(core::Node& node, Writer& w) {
  w.header("Persistence");
  w.field("loading", 0);
  w.field("async_loading", 0);
  w.field("rdb_changes_since_last_save", 0);
  w.field("rdb_bgsave_in_progress", node.bgsave_in_progress() ? 1 : 0);
  w.field("rdb_last_save_time", node.last_save_unix());
  w.field("rdb_last_bgsave_status", "ok");
  w.field("rdb_last_bgsave_time_sec", -1);
  w.field("rdb_current_bgsave_time_sec", -1);
  w.field("aof_enabled", 0);
  w.field("aof_rewrite_in_progress", 0);
  w.field("aof_rewrite_scheduled", 0);
  w.field("aof_last_rewrite_time_sec", -1);
  w.field("aof_current_rewrite_time_sec", -1);
  w.field("aof_last_bgrewrite_status", "ok");
  const auto& health = node.storage_health();
  w.field("aof_last_write_status", health.writable() ? "ok" : "err");
  w.field("wal_sync", storage::wal_sync_name(node.engine().wal_sync()));
  // The store's health: whether it accepts writes, why not, and since when (ms).
  w.field("storage_status", health.writable() ? "ok" : "failing");
  w.field("storage_last_error", health.error());
  w.field("storage_failing_since", health.failing_since_ms());
  w.field("storage_write_errors", health.write_errors());
  w.field("storage_recoveries", health.recoveries());
  w.field("storage_resume_attempts", health.resume_attempts());
  w.field("storage_read_errors", node.stats().storage_read_errors);
}

void stats_section(core::Node& node, Writer& w) {
  const auto& st = node.stats();
  const auto& ks = node.keyspace();
  w.header("Stats");
  w.field("total_connections_received", st.total_connections_received);
  w.field("total_commands_processed", st.total_commands_processed);
  w.field("heavy_jobs", st.heavy_jobs);    // commands run off the event loop (heavy jobs)
  w.field("heavy_reads", st.heavy_reads);  // reads run off the event loop (heavy reads)
  w.field("instantaneous_ops_per_sec", st.ops.per_sec());
  w.field("total_net_input_bytes", st.total_net_input_bytes);
  w.field("total_net_output_bytes", st.total_net_output_bytes);
  w.field("total_net_repl_input_bytes", st.total_net_repl_input_bytes);
  w.field("total_net_repl_output_bytes", st.total_net_repl_output_bytes);
  w.field("instantaneous_input_kbps", "0.00");
  w.field("instantaneous_output_kbps", "0.00");
  w.field("rejected_connections", st.rejected_connections);
  w.field("sync_full", st.sync_full);
  w.field("sync_partial_ok", st.sync_partial_ok);
  w.field("sync_partial_err", st.sync_partial_err);
  w.field("expired_keys", ks.expired_keys);
  w.field("expired_stale_perc", "0.00");
  w.field("expired_time_cap_reached_count", 0);
  w.field("evicted_keys", ks.evicted_keys);
  w.field("evicted_clients", 0);
  w.field("keyspace_hits", ks.keyspace_hits);
  w.field("keyspace_misses", ks.keyspace_misses);
  w.field("pubsub_channels", 0);
  w.field("pubsub_patterns", 0);
  w.field("latest_fork_usec", 0);
  w.field("total_forks", 0);
  w.field("unexpected_error_replies", st.unexpected_error_replies);
  w.field("total_error_replies", st.total_error_replies);
  w.field("acl_access_denied_auth", st.acl_access_denied_auth);
  w.field("acl_access_denied_cmd", st.acl_access_denied_cmd);
  w.field("acl_access_denied_key", st.acl_access_denied_key);
  w.field("acl_access_denied_channel", st.acl_access_denied_channel);
  w.field("client_output_buffer_limit_disconnections",
          st.client_output_buffer_limit_disconnections);
  const auto& cache = node.keyspace().record_cache;
  w.field("record_cache_hits", cache.hits());
  w.field("record_cache_misses", cache.misses());
  w.field("element_cache_hits", node.keyspace().element_cache.hits());
  w.field("element_cache_misses", node.keyspace().element_cache.misses());
  w.field("element_cache_complete_hits", node.keyspace().element_cache.complete_hits());
  w.field("collection_copies", node.keyspace().walk_debts.copies());
  w.field("write_groups", st.write_groups);
  w.field("write_group_commands", st.write_group_commands);
  w.field("write_groups_in_flight", st.write_groups_in_flight);
  w.field("write_group_waits", st.write_group_waits);
}

// An INFO value must stay on its line.
std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return s;
}

void replication_section(core::Node& node, const replication::Replication& replication, Writer& w) {
  const auto& repl = node.repl();
  uint64_t offset = repl.master_repl_offset;
  uint64_t first = node.repl_log().first_offset();
  uint64_t histlen = first != 0 && offset >= first ? offset - first + 1 : 0;
  uint64_t now = core::unix_time_ms();
  w.header("Replication");
  if (node.is_replica()) {
    const auto& link = replication.link().info();
    bool up = replication.link().up();
    w.field("role", "slave");
    w.field("master_host", repl.master_host);
    w.field("master_port", repl.master_port);
    w.field("master_link_status", up ? "up" : "down");
    w.field("master_last_io_seconds_ago",
            link.last_io_ms ? static_cast<int64_t>((now - link.last_io_ms) / 1000) : -1);
    w.field("master_sync_in_progress", link.sync_in_progress ? 1 : 0);
    w.field("slave_read_repl_offset", offset);
    w.field("slave_repl_offset", offset);
    if (link.sync_in_progress) {
      w.field("master_sync_total_bytes", -1);
      w.field("master_sync_read_bytes", link.sync_read_bytes);
      w.field("master_sync_left_bytes", -1);
      w.field("master_sync_perc", "0.00");
      w.field("master_sync_last_io_seconds_ago",
              link.last_io_ms ? static_cast<int64_t>((now - link.last_io_ms) / 1000) : -1);
    }
    if (!up) {
      w.field("master_link_down_since_seconds",
              link.link_down_since_ms ? static_cast<int64_t>((now - link.link_down_since_ms) / 1000)
                                      : -1);
    }
    w.field("slave_priority", node.config().replica_priority);
    w.field("slave_read_only", node.config().replica_read_only ? 1 : 0);
    w.field("replica_announced", 1);
    // Why the link last went down or was refused ("" if never), and how many times applying
    // the master's stream stopped (a storage failure, a command the master's data allowed
    // but ours did not).
    w.field("master_link_last_error", one_line(link.last_error));
    w.field("master_stream_apply_failures", link.apply_failures);
    // Writes this node took after its history branched from the master's, kept by the last
    // full sync instead of thrown away (see README, Reliability).
    w.field("divergent_writes_file", link.divergent_file);
    w.field("divergent_writes_saved", link.divergent_saves);
    w.field("master_sync_refused_empty_master", link.refused_empty_master ? 1 : 0);
    if (!link.refused_reason.empty()) w.field("master_sync_refused_reason", link.refused_reason);
    // How far behind this replica is (README, *Lag alerts*), and whether that makes it refuse
    // reads (replica-max-lag-reads).
    const auto lag = replication.link().lag(now, offset);
    w.field("replica_lag_bytes", lag.bytes);
    w.field("replica_lag_seconds", fmt::format("{:.3f}", lag.seconds));
    w.field("replica_max_lag_reads", config::format_lag_limit(node.config().replica_max_lag_reads));
    w.field("replica_reads_lagging", replication.lagging_reads_refusal().empty() ? 0 : 1);
  } else {
    w.field("role", "master");
  }
  w.field("connected_slaves", replication.master().feeds().size());
  if (!node.is_replica()) {
    w.field("min_slaves_good_slaves", replication.master().good_replicas());
  }
  size_t i = 0;
  for (const auto* feed : replication.master().feeds()) {
    w.field("slave" + std::to_string(i++),
            "ip=" + feed->ip + ",port=" + std::to_string(feed->listening_port) +
                ",state=" + feed->state + ",offset=" + std::to_string(feed->ack_offset) +
                ",lag=" + std::to_string((now - feed->last_ack_ms) / 1000));
  }
  w.field("master_failover_state", std::string(replication.failover().state_name()));
  w.field("lag_alerts_active", replication.alerts().active().size());
  w.field("master_replid", repl.replid);
  w.field("master_replid2", repl.replid2);
  w.field("master_repl_offset", offset);
  w.field("second_repl_offset", repl.second_replid_offset);
  w.field("repl_backlog_active", 1);
  w.field("repl_backlog_size", node.config().repl_backlog_size);
  w.field("repl_backlog_first_byte_offset", first != 0 ? first : offset + 1);
  w.field("repl_backlog_histlen", histlen);
  // The on-disk log: its hard ceiling and the bytes it holds now.
  w.field("repl_log_max_size", node.config().repl_log_max_size);
  w.field("repl_log_size", histlen);
}

void cpu_section(Writer& w) {
  rusage self{}, children{}, thread{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  getrusage(RUSAGE_THREAD, &thread);  // INFO runs on the event loop thread
  w.header("CPU");
  w.field("used_cpu_sys", fmt::format("{:.6f}", seconds(self.ru_stime)));
  w.field("used_cpu_user", fmt::format("{:.6f}", seconds(self.ru_utime)));
  w.field("used_cpu_sys_children", fmt::format("{:.6f}", seconds(children.ru_stime)));
  w.field("used_cpu_user_children", fmt::format("{:.6f}", seconds(children.ru_utime)));
  w.field("used_cpu_sys_main_thread", fmt::format("{:.6f}", seconds(thread.ru_stime)));
  w.field("used_cpu_user_main_thread", fmt::format("{:.6f}", seconds(thread.ru_utime)));
}

// cmdstat_<name>:calls=..,usec=..,usec_per_call=..,rejected_calls=..,failed_calls=.., by name.
void commandstats_section(core::Node& node, Writer& w) {
  w.header("Commandstats");
  std::map<std::string_view, const core::CommandCounters*> sorted;
  for (const auto& [spec, counters] : node.stats().commands) sorted.emplace(spec->name, &counters);
  for (const auto& [name, k] : sorted) {
    double per_call = k->calls ? static_cast<double>(k->usec) / static_cast<double>(k->calls) : 0;
    w.line(
        fmt::format("cmdstat_{}:calls={},usec={},usec_per_call={:.2f},rejected_calls={},"
                    "failed_calls={}",
                    name, k->calls, k->usec, per_call, k->rejected_calls, k->failed_calls));
  }
}

void errorstats_section(core::Node& node, Writer& w) {
  w.header("Errorstats");
  for (const auto& [code, count] : node.stats().error_codes)
    w.line(fmt::format("errorstat_{}:count={}", code, count));
}

void keyspace_section(core::Node& node, Writer& w) {
  w.header("Keyspace");
  const auto& counts = node.keyspace().key_counts;
  const auto& expires = node.keyspace().expire_counts;
  for (size_t db = 0; db < counts.size(); ++db) {
    if (counts[db] == 0) continue;
    w.line(fmt::format("db{}:keys={},expires={},avg_ttl=0", db, counts[db],
                       db < expires.size() ? expires[db] : 0));
  }
}

}  // namespace

std::string build_info(core::Node& node, const replication::Replication& replication,
                       std::span<const std::string_view> sections) {
  unsigned bits = sections_of(sections);
  Writer w;
  if (bits & kServer) server_section(node, w);
  if (bits & kClients) clients_section(node, w);
  if (bits & kMemory) memory_section(node, w);
  if (bits & kPersistence) persistence_section(node, w);
  if (bits & kStats) stats_section(node, w);
  if (bits & kReplication) replication_section(node, replication, w);
  if (bits & kCpu) cpu_section(w);
  if (bits & kModules) w.header("Modules");
  if (bits & kCommandStats) commandstats_section(node, w);
  if (bits & kErrorStats) errorstats_section(node, w);
  if (bits & kLatencyStats) w.header("Latencystats");
  if (bits & kCluster) {
    w.header("Cluster");
    w.field("cluster_enabled", 0);
  }
  if (bits & kKeyspace) keyspace_section(node, w);
  return w.take();
}

std::string build_info(core::Node& node, const replication::Replication& replication,
                       const std::string& section) {
  std::string_view name = section;
  if (name.empty()) return build_info(node, replication, std::span<const std::string_view>());
  return build_info(node, replication, std::span<const std::string_view>(&name, 1));
}

}  // namespace basalt::commands
