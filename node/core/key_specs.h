// node/core/key_specs.h — where a call's keys are and what each needs (read, write), as
// Redis 7.0's key specs say (getKeysFromCommandWithSpecs, with its getkeys procs for the
// commands whose specs cannot say: SET and BITFIELD's variable flags, SORT's STORE). The specs
// themselves are data extracted from redis-server (key_specs_data.inc,
// scripts/gen_key_specs.sh). ACL judges %R~ / %W~ patterns with these.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace basalt::core::acl {

// What a key pattern allows, and what a key reference needs (Redis: ACCESS needs read;
// INSERT, DELETE, UPDATE need write; a key with neither, EXISTS's, needs only a match).
enum KeyPermission : unsigned { kKeyRead = 1, kKeyWrite = 2, kKeyAll = 3 };

struct KeyRef {
  size_t index = 0;    // in argv
  unsigned perms = 0;  // KeyPermission bits
};

// The keys a call names (argv[0] is the command; for a subcommand "config|get" argv[1] is the
// subcommand), in Redis's order. nullopt: Redis 7.0 has no command of that name.
std::optional<std::vector<KeyRef>> key_refs(std::string_view name,
                                            std::span<const std::string_view> argv);

}  // namespace basalt::core::acl
