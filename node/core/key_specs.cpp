// node/core/key_specs.cpp — see key_specs.h. Follows Redis 7.0's db.c
// (getKeysUsingKeySpecs, setGetKeys, bitfieldGetKeys, sortGetKeys, sortROGetKeys).
#include "node/core/key_specs.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "node/util/ascii.h"

namespace basalt::core::acl {

namespace {

struct KeySpec {
  unsigned perms = 0;
  enum Begin { kNone, kIndex, kKeyword, kUnknown } begin = kNone;
  int index = 0;
  std::string_view keyword;
  int startfrom = 0;
  // kRange: a = lastkey, b = keystep, c = limit; kKeynum: a = keynumidx, b = firstkey,
  // c = keystep.
  enum Find { kNoFind, kRange, kKeynum, kUnknownFind } find = kNoFind;
  int a = 0, b = 0, c = 0;
  bool variable = false;  // the flags depend on the arguments (a getkeys proc says)
};
using KS = KeySpec;

struct Row {
  std::string_view name;
  KeySpec spec;
};

constexpr Row kRows[] = {
#include "node/core/key_specs_data.inc"
};

bool parse_count(std::string_view s, long long& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// One spec's keys appended to `out`; false if the spec cannot say (Redis's invalid_spec).
bool apply_spec(const KeySpec& spec, std::span<const std::string_view> argv,
                std::vector<KeyRef>& out) {
  const int argc = static_cast<int>(argv.size());
  int first = 0;
  if (spec.begin == KS::kIndex) {
    first = spec.index;
  } else if (spec.begin == KS::kKeyword) {
    int start = spec.startfrom > 0 ? spec.startfrom : argc + spec.startfrom;
    int end = spec.startfrom > 0 ? argc - 1 : 1;
    for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
      if (i >= argc || i < 1) break;
      if (util::iequals(argv[static_cast<size_t>(i)], spec.keyword)) {
        first = i + 1;
        break;
      }
    }
    if (!first) return true;  // no keyword: no keys from this spec
  } else {
    return false;
  }
  int last = 0, step = 1;
  if (spec.find == KS::kRange) {
    step = spec.b;
    if (spec.a >= 0)
      last = first + spec.a;
    else if (!spec.c)
      last = argc + spec.a;
    else
      last = first + ((argc - first) / spec.c + spec.a);
  } else if (spec.find == KS::kKeynum) {
    step = spec.c;
    if (first + spec.a >= argc) return false;
    long long numkeys = 0;
    if (!parse_count(argv[static_cast<size_t>(first + spec.a)], numkeys) || numkeys < 0)
      return false;
    first += spec.b;
    last = first + static_cast<int>(numkeys) - 1;
  } else {
    return false;
  }
  if (last >= argc || last < first || first >= argc) return false;
  for (int i = first; i <= last; i += std::max(step, 1))
    out.push_back({static_cast<size_t>(i), spec.perms});
  return true;
}

// SET: GET makes it read the key too. BITFIELD: only GETs (and OVERFLOW) keep it a read.
unsigned variable_perms(std::string_view name, std::span<const std::string_view> argv) {
  if (name == "set") {
    for (size_t i = 3; i < argv.size(); ++i)
      if (util::iequals(argv[i], "get")) return kKeyRead | kKeyWrite;
    return kKeyWrite;
  }
  bool readonly = true;
  for (size_t i = 2; i < argv.size() && readonly; ++i) {
    size_t rest = argv.size() - i - 1;
    if (util::iequals(argv[i], "get") && rest >= 2)
      i += 2;
    else if (util::iequals(argv[i], "overflow") && rest >= 1)
      i += 1;
    else
      readonly = false;  // SET, INCRBY, or a syntax error (Redis assumes a write)
  }
  return readonly ? kKeyRead : kKeyRead | kKeyWrite;
}

// SORT's keys: the sorted key, and the last STORE's destination (BY / GET / LIMIT skipped).
std::vector<KeyRef> sort_keys(std::span<const std::string_view> argv, bool read_only) {
  std::vector<KeyRef> out{{1, kKeyRead}};
  if (read_only) return out;
  std::optional<KeyRef> store;
  for (size_t i = 2; i < argv.size(); ++i) {
    if (util::iequals(argv[i], "limit"))
      i += 2;
    else if (util::iequals(argv[i], "get") || util::iequals(argv[i], "by"))
      i += 1;
    else if (util::iequals(argv[i], "store") && i + 1 < argv.size())
      store = KeyRef{i + 1, kKeyWrite};
  }
  if (store) out.push_back(*store);
  return out;
}

}  // namespace

std::optional<std::vector<KeyRef>> key_refs(std::string_view name,
                                            std::span<const std::string_view> argv) {
  auto [lo, hi] = std::equal_range(std::begin(kRows), std::end(kRows), Row{name, {}},
                                   [](const Row& x, const Row& y) { return x.name < y.name; });
  if (lo == hi) return std::nullopt;
  std::vector<KeyRef> out;
  bool variable = false;
  for (auto it = lo; it != hi; ++it) {
    if (it->spec.begin == KS::kNone) return out;
    variable = variable || it->spec.variable;
    if (!apply_spec(it->spec, argv, out)) {
      // Redis falls back to the command's getkeys proc: SORT's is the only one a valid call
      // needs; the others fail on the same arguments the specs fail on.
      if (name == "sort" || name == "sort_ro") return sort_keys(argv, name == "sort_ro");
      return std::vector<KeyRef>{};
    }
  }
  if (variable && argv.size() >= 2)
    for (auto& ref : out) ref.perms = variable_perms(name, argv);
  return out;
}

}  // namespace basalt::core::acl
