// node/replication/sync_guard.h — what a basalt master announces about itself before PSYNC
// (its number of databases, its dataset size and its replication ids, in the reply to the
// replica's `REPLCONF databases <n>`), and the replica's decision, made before any transfer,
// whether it may follow that master: never with fewer databases than the master (data in the
// others would be invisible), and — for a replica that holds data — never a full sync from a
// master that shares no history with it and holds fewer keys, unless the operator allows it
// (replica-allow-empty-master-sync yes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::replication {

struct MasterAnnouncement {
  int databases = 0;
  uint64_t keys = 0;
  std::string replid;
  std::string replid2;
};

// The status line a basalt master answers `REPLCONF databases <n>` with (without "+"):
// "OK databases=<n> keys=<n> replid=<id> replid2=<id>". Redis replicas only look for an error.
std::string format_announcement(const MasterAnnouncement& a);
// False if `line` (a status reply without "+") is not such an announcement (e.g. plain "OK").
bool parse_announcement(std::string_view line, MasterAnnouncement& out);

// What the replica knows about itself.
struct ReplicaState {
  int databases = 0;
  uint64_t keys = 0;
  std::string replid;
  std::string replid2;
  bool allow_smaller_master = false;  // replica-allow-empty-master-sync
};

struct GuardDecision {
  bool allowed = true;
  bool dataset_refused = false;  // refused to protect the replica's data (the override applies)
  bool shared_history = false;   // one of the master's ids is one of ours
  std::string reason;            // why not (no ',' or '=' so it reads as one INFO value)
};

GuardDecision check_master(const ReplicaState& replica, const MasterAnnouncement& master);

}  // namespace basalt::replication
