// tests/support/netns.h — owns the network namespaces partition tests create: one namespace
// with a unique name (basalt-<pid>-<n>), a veth pair joining it to the root namespace, a
// private /30 of IPv4 addresses on the pair (unique per test process), and cutting and healing
// one TCP service across that link (iptables rules inside the namespace). The namespace, the
// pair and the rules are deleted on destruction, also when the test failed; the root
// namespace's firewall is never touched.
#pragma once

#include <string>
#include <vector>

namespace basalt::test {

class NetnsLink {
 public:
  // Creates the namespace and the veth pair and brings both ends (and the namespace's lo) up.
  // Check created() (false where the process may not, e.g. without CAP_NET_ADMIN, or without
  // the `ip` or `iptables` tools; why() says why — then nothing is left behind).
  NetnsLink();
  ~NetnsLink();
  NetnsLink(const NetnsLink&) = delete;
  NetnsLink& operator=(const NetnsLink&) = delete;

  bool created() const { return created_; }
  const std::string& why() const { return why_; }

  const std::string& name() const { return ns_; }
  // The root namespace's end (e.g. a master binds here) and the namespace's end.
  const std::string& root_address() const { return root_addr_; }
  const std::string& ns_address() const { return ns_addr_; }
  // argv prefix that runs a program inside the namespace: ip netns exec <name>.
  std::vector<std::string> exec_prefix() const { return {"ip", "netns", "exec", ns_}; }

  // Partitions the namespace from the TCP service on `root_port` of the root end (e.g. a
  // master's port): every packet to or from that port is dropped inside the namespace, in both
  // directions, without an error or a reset -- established connections stay open on both
  // sides and only see silence, new connections time out, as behind a failed switch. Other
  // traffic still crosses (a test's client still reaches a server in the namespace, like a
  // client on that side of the partition). heal() removes the rules. Both throw
  // std::runtime_error if iptables fails.
  void cut(int root_port);
  void heal();
  bool is_cut() const { return cut_port_ != 0; }

 private:
  void destroy();
  void set_rules(const char* action, int port);

  std::string ns_;
  std::string root_if_;
  std::string ns_if_;
  std::string root_addr_;
  std::string ns_addr_;
  bool created_ = false;
  bool ns_added_ = false;
  bool link_added_ = false;
  int cut_port_ = 0;
  std::string why_;
};

}  // namespace basalt::test
