// node/replication/link_guard.cpp — the replica's judgement of its master before PSYNC: the
// master's reply to `REPLCONF databases <n>` (a basalt master refuses a replica with fewer
// databases, or announces its databases, dataset size and replication ids) decides, before any
// transfer, whether this replica may follow it (sync_guard.h). A refusal is logged, shown in
// INFO replication and the admin API, and retried by the link loop with a growing delay. A
// redis-server master answers with an "unrecognized option" error, which is tolerated.
#include "node/core/node.h"
#include "node/replication/replica_link.h"
#include "node/replication/sync_guard.h"
#include "node/util/log.h"

namespace basalt::replication {

namespace {

bool is_error(const std::string& line) {
  return !line.empty() && line[0] == '-';
}

}  // namespace

void ReplicaLink::refuse_link(const std::string& reason, bool protects_data) {
  ++info_.refusals;
  info_.refused_reason = reason;
  info_.refused_empty_master = protects_data;
  info_.last_error = reason;
  log::warn("not syncing with master {}:{}: {}", node_.repl().master_host, node_.repl().master_port,
            reason);
}

bool ReplicaLink::judge_master(const std::string& line) {
  info_.master_shared_history = false;
  if (line.rfind("-ERR Unrecognized REPLCONF option", 0) == 0) {
    log::info("the master does not announce its databases nor its dataset (not a basalt node)");
    return true;
  }
  if (is_error(line)) {
    refuse_link(
        "the master refused this replica: " + line.substr(line.rfind("-ERR ", 0) == 0 ? 5 : 1),
        false);
    return false;
  }
  MasterAnnouncement master;
  if (!parse_announcement(std::string_view(line).substr(line.empty() ? 0 : 1), master)) {
    log::info("the master answered REPLCONF databases without announcing itself: '{}'", line);
    return true;
  }
  const auto& config = node_.config();
  const auto& repl = node_.repl();
  ReplicaState self;
  self.databases = config.databases;
  for (auto n : node_.keyspace().key_counts) self.keys += n;
  self.replid = repl.replid;
  self.replid2 = repl.replid2;
  self.allow_smaller_master = config.replica_allow_empty_master_sync;
  GuardDecision decision = check_master(self, master);
  info_.master_shared_history = decision.shared_history;
  if (!decision.allowed) {
    refuse_link(decision.reason, decision.dataset_refused);
    return false;
  }
  info_.refused_reason.clear();
  info_.refused_empty_master = false;
  return true;
}

}  // namespace basalt::replication
