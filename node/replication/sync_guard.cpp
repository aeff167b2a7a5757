// node/replication/sync_guard.cpp — see sync_guard.h. Each branch says why.
#include "node/replication/sync_guard.h"

#include <charconv>
#include <sstream>

namespace basalt::replication {

namespace {

bool is_real_id(const std::string& id) {
  return id.size() == 40 && id != std::string(40, '0');
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string format_announcement(const MasterAnnouncement& a) {
  return "OK databases=" + std::to_string(a.databases) + " keys=" + std::to_string(a.keys) +
         " replid=" + a.replid + " replid2=" + a.replid2;
}

bool parse_announcement(std::string_view line, MasterAnnouncement& out) {
  std::istringstream words{std::string(line)};
  std::string word;
  if (!(words >> word) || word != "OK") return false;
  bool databases = false, keys = false, replid = false, replid2 = false;
  while (words >> word) {
    auto eq = word.find('=');
    if (eq == std::string::npos) continue;
    std::string_view name(word.data(), eq), value(word.data() + eq + 1, word.size() - eq - 1);
    if (name == "databases") {
      databases = parse_number(value, out.databases);
    } else if (name == "keys") {
      keys = parse_number(value, out.keys);
    } else if (name == "replid") {
      out.replid = value;
      replid = true;
    } else if (name == "replid2") {
      out.replid2 = value;
      replid2 = true;
    }
  }
  return databases && keys && replid && replid2;
}

GuardDecision check_master(const ReplicaState& r, const MasterAnnouncement& m) {
  GuardDecision d;
  d.shared_history = false;
  for (const auto* ours : {&r.replid, &r.replid2}) {
    for (const auto* theirs : {&m.replid, &m.replid2}) {
      if (is_real_id(*ours) && *ours == *theirs) d.shared_history = true;
    }
  }
  if (m.databases > r.databases) {
    // The master may hold keys in databases this replica does not have: they would never
    // be visible here. No override: start the replica with at least as many databases.
    d.allowed = false;
    d.reason = "databases mismatch: the master has " + std::to_string(m.databases) +
               " databases and this replica " + std::to_string(r.databases) +
               " (start it with databases " + std::to_string(m.databases) + ")";
    return d;
  }
  if (d.shared_history) {
    // Same history (same id, or one side was promoted from the other's): whatever the
    // master sends — a partial or a full resync — is the data this replica follows.
    return d;
  }
  if (r.keys == 0 || m.keys >= r.keys) {
    // Nothing to lose here, or the master holds at least as much: an ordinary first sync.
    return d;
  }
  if (r.allow_smaller_master) {
    // The operator said a master with less data (even none) may replace ours.
    return d;
  }
  // A master with no shared history and less data than ours (typically one that lost its
  // data directory) would wipe what we hold with a full sync: keep it, and say why.
  d.allowed = false;
  d.dataset_refused = true;
  d.reason = "refused a full sync from a master with no shared history that holds " +
             std::to_string(m.keys) + " keys while this replica holds " + std::to_string(r.keys) +
             " (CONFIG SET replica-allow-empty-master-sync yes to accept it)";
  return d;
}

}  // namespace basalt::replication
