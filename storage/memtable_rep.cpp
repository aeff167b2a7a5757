// storage/memtable_rep.cpp — see memtable_rep.h.
#include "storage/memtable_rep.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::storage {

namespace {

constexpr int kMaxHeight = 12;

// An entry of the list. Its level-0 link is this struct; the links of levels 1..height-1
// lie just below it (level i at i links' distance), and the memtable's encoded entry (the
// length-prefixed internal key, then the value) right after it.
struct Node {
  std::atomic<Node*> next0;

  std::atomic<Node*>& link(int level) {
    return *reinterpret_cast<std::atomic<Node*>*>(reinterpret_cast<char*>(this) -
                                                  level * sizeof(std::atomic<Node*>));
  }
  Node* next(int level) { return link(level).load(std::memory_order_acquire); }
  const char* key() const { return reinterpret_cast<const char*>(this + 1); }
};

class SkipListRep;

// A memtable entry begins with its internal key's size (a varint32).
inline const char* decode_size(const char* p, uint32_t& size) {
  uint32_t byte = static_cast<uint8_t>(*p);
  if (byte < 128) {
    size = byte;
    return p + 1;
  }
  uint32_t result = 0;
  for (int shift = 0; shift <= 28; shift += 7, ++p) {
    byte = static_cast<uint8_t>(*p);
    result |= (byte & 127) << shift;
    if (byte < 128) break;
  }
  size = result;
  return p + 1;
}

// RocksDB's memtable order of two internal keys (a user key, then 8 bytes: the sequence
// number and the value type, little-endian) under a bytewise user comparator: user keys
// ascending, then sequence numbers descending (the type is not compared:
// InternalKeyComparator::CompareKeySeq).
inline int compare_internal_keys(const char* a, size_t a_size, const char* b, size_t b_size) {
  static_assert(std::endian::native == std::endian::little);
  constexpr size_t kTrailer = 8;
  const size_t a_user = a_size - kTrailer, b_user = b_size - kTrailer;
  const int r = std::memcmp(a, b, std::min(a_user, b_user));
  if (r != 0) return r;
  if (a_user != b_user) return a_user < b_user ? -1 : 1;
  uint64_t a_seq, b_seq;
  std::memcpy(&a_seq, a + a_user, kTrailer);
  std::memcpy(&b_seq, b + b_user, kTrailer);
  a_seq >>= 8;
  b_seq >>= 8;
  if (a_seq == b_seq) return 0;
  return a_seq > b_seq ? -1 : 1;
}

// True if `compare` orders entries as compare_internal_keys does, on pairs that tell the
// parts of the order apart (user keys of different lengths and bytes, sequence numbers,
// types): else the list keeps calling it.
bool orders_alike(const rocksdb::MemTableRep::KeyComparator& compare) {
  auto entry = [](std::string_view user_key, uint64_t seq, uint8_t type) {
    std::string e;
    e.push_back(static_cast<char>(user_key.size() + 8));
    e.append(user_key);
    const uint64_t trailer = (seq << 8) | type;
    for (int i = 0; i < 8; ++i) e.push_back(static_cast<char>(trailer >> (8 * i)));
    return e;
  };
  const std::string samples[] = {
      entry("", 1, 1),          entry("a", 5, 1),
      entry("a", 3, 1),         entry("a", 5, 0),
      entry("a", 300, 1),       entry("ab", 1, 1),
      entry("a\xff", 2, 1),     entry("b", 9, 1),
      entry("\x80x", 4, 1),     entry(std::string_view("\x01\x00", 2), 7, 1),
      entry("b", 1ull << 40, 7)};
  auto sign = [](int r) { return (r > 0) - (r < 0); };
  for (const auto& x : samples) {
    for (const auto& y : samples) {
      uint32_t x_size, y_size;
      const char* xk = decode_size(x.data(), x_size);
      const char* yk = decode_size(y.data(), y_size);
      const int ours = compare_internal_keys(xk, x_size, yk, y_size);
      if (sign(compare(x.data(), y.data())) != sign(ours)) return false;
      if (sign(compare(x.data(), rocksdb::Slice(yk, y_size))) != sign(ours)) return false;
    }
  }
  return true;
}

// A memtable iterator. RocksDB either deletes it (a point lookup's, made with no arena) or,
// when it asked for one in its own arena, only destroys it: its storage is recycled in both
// cases through a per-thread list of spare blocks, taken again by the next one made.
class ListIterator final : public rocksdb::MemTableRep::Iterator {
 public:
  ListIterator(const SkipListRep& list, bool destroyed_only)
      : list_(list), destroyed_only_(destroyed_only) {}
  ~ListIterator() override {
    // Only destroyed: no operator delete follows, so its storage is handed back here (by
    // address: the block is not written to, and is taken again only after this returns).
    if (destroyed_only_) give_back(this);
  }
  static void* operator new(size_t size);
  static void operator delete(void* block) {
    if (gone())
      ::operator delete(block);
    else
      give_back(block);
  }

  bool Valid() const override { return node_ != nullptr; }
  const char* key() const override { return node_->key(); }
  void Next() override { node_ = node_->next(0); }
  void Prev() override;
  void Seek(const rocksdb::Slice& internal_key, const char* memtable_key) override;
  void SeekForPrev(const rocksdb::Slice& internal_key, const char* memtable_key) override;
  void SeekToFirst() override;
  void SeekToLast() override;

 private:
  // The spare blocks of this thread, freed when it ends. An iterator that outlives them (one
  // freed while the thread is being torn down) is freed at once, or left if only destroyed.
  struct Spares {
    std::vector<void*> blocks;
    ~Spares() {
      for (void* block : blocks) ::operator delete(block);
      gone() = true;
    }
  };
  static bool& gone() {
    thread_local bool spares_gone = false;  // (trivial: usable through the thread's end)
    return spares_gone;
  }
  static std::vector<void*>& spares() {
    thread_local Spares spares;
    return spares.blocks;
  }
  static void give_back(void* block);

  const SkipListRep& list_;
  Node* node_ = nullptr;
  const bool destroyed_only_;
};

class SkipListRep final : public rocksdb::MemTableRep {
 public:
  SkipListRep(const KeyComparator& compare, rocksdb::Allocator* allocator)
      : MemTableRep(allocator), compare_(compare), inline_order_(orders_alike(compare)) {
    head_ = new_node(kMaxHeight, 0, nullptr);
    for (int level = 0; level < kMaxHeight; ++level)
      head_->link(level).store(nullptr, std::memory_order_relaxed);
  }

  rocksdb::KeyHandle Allocate(const size_t len, char** buf) override {
    const int height = random_height();
    Node* node = new_node(height, len, buf);
    // The height, kept in the level-0 link until Insert sets the links.
    node->next0.store(reinterpret_cast<Node*>(static_cast<uintptr_t>(height)),
                      std::memory_order_relaxed);
    return node;
  }

  void Insert(rocksdb::KeyHandle handle) override {
    Node* node = static_cast<Node*>(handle);
    const int height =
        static_cast<int>(reinterpret_cast<uintptr_t>(node->next0.load(std::memory_order_relaxed)));
    const int top = max_height_.load(std::memory_order_relaxed);
    // (Only this thread writes links: its own loads need no ordering.)
    auto next_at = [](Node* n, int level) {
      return n->link(level).load(std::memory_order_relaxed);
    };
    // Where to start: the place of the last insert if this key comes after it (a commit's
    // batch reaches each memtable in key order), from the lowest level whose link there
    // spans this key; else the head, from the top.
    int level = top - 1;
    Node* at = head_;
    if (last_ != nullptr && compare(last_->key(), node->key()) < 0) {
      level = 0;
      while (level < top - 1) {
        Node* next = next_at(splice_[level], level);
        if (next == nullptr || compare(next->key(), node->key()) >= 0) break;
        ++level;
      }
      at = splice_[level];
      // Every level above spans it too (a higher level's link from the last insert's place
      // reaches at least as far): their places stay.
    } else {
      for (int l = 0; l < kMaxHeight; ++l) splice_[l] = head_;
    }
    descend(
        at, level, [&](Node* n) { return compare(n->key(), node->key()) < 0; },
        [&](int l, Node* before, Node*) { splice_[l] = before; });
    if (height > top) {
      for (int l = top; l < height; ++l) splice_[l] = head_;
      // Readers that see the new height before the head's new links find them empty and
      // go down a level.
      max_height_.store(height, std::memory_order_relaxed);
    }
    for (int l = 0; l < height; ++l) {
      node->link(l).store(next_at(splice_[l], l), std::memory_order_relaxed);
      // Published: a reader that loads this link sees the node's links set above.
      splice_[l]->link(l).store(node, std::memory_order_release);
      splice_[l] = node;  // the place of the next insert, if it follows this one
    }
    last_ = node;
  }

  bool Contains(const char* key) const override {
    Node* node = seek(key);
    return node != nullptr && compare(node->key(), key) == 0;
  }

  size_t ApproximateMemoryUsage() override { return 0; }  // all of it is the allocator's

  rocksdb::MemTableRep::Iterator* GetIterator(rocksdb::Arena* arena) override {
    return new ListIterator(*this, arena != nullptr);
  }

  // The first entry not before `key` (encoded, length-prefixed, or an internal key), or null.
  template <class Key>
  Node* seek(const Key& key) const {
    return first_not_before([&](Node* n) { return compare(n->key(), key) < 0; });
  }
  // The last entry before `key` (encoded), or null if none is.
  Node* last_before(const char* key) const {
    Node* at = last_where([&](Node* n) { return compare(n->key(), key) < 0; });
    return at == head_ ? nullptr : at;
  }
  // The last entry not after `key` (encoded, or an internal key), or null if none is.
  template <class Key>
  Node* last_not_after(const Key& key) const {
    Node* at = last_where([&](Node* n) { return compare(n->key(), key) <= 0; });
    return at == head_ ? nullptr : at;
  }
  Node* first() const { return head_->next(0); }
  Node* last() const {
    Node* at = last_where([](Node*) { return true; });
    return at == head_ ? nullptr : at;
  }
  // RocksDB's order of memtable entries (the comparator's, or the same computed here).
  int compare(const char* a, const char* b) const {
    if (!inline_order_) return compare_(a, b);
    uint32_t a_size, b_size;
    a = decode_size(a, a_size);
    b = decode_size(b, b_size);
    return compare_internal_keys(a, a_size, b, b_size);
  }
  int compare(const char* a, const rocksdb::Slice& b) const {
    if (!inline_order_) return compare_(a, b);
    uint32_t a_size;
    a = decode_size(a, a_size);
    return compare_internal_keys(a, a_size, b.data(), b.size());
  }

 private:
  // From `at` (for which `before` holds) on `level` down to level 0: on each level the last
  // node for which `before` holds and the node the walk stopped at after it (null at the
  // end), told to `reached`, `before` being true of a prefix of the list. Returns level 0's
  // last node.
  template <class Before, class Reached>
  Node* descend(Node* at, int level, Before&& before, Reached&& reached) const {
    for (; level >= 0; --level) {
      Node* next = at->next(level);
      for (; next != nullptr && before(next); next = at->next(level)) at = next;
      reached(level, at, next);
    }
    return at;
  }
  // The last node (the head if none) for which `before` holds.
  template <class Before>
  Node* last_where(Before&& before) const {
    return descend(head_, max_height_.load(std::memory_order_relaxed) - 1, before,
                   [](int, Node*, Node*) {});
  }
  // The first node for which `before` is false: the one the walk stopped at on level 0, not
  // a second load of the link after the last node before it (an insert in between may have
  // put a node there that `before` holds for: a point lookup would land on a newer entry of
  // its key than its snapshot, which RocksDB's memtable lookup takes as the answer).
  template <class Before>
  Node* first_not_before(Before&& before) const {
    Node* stop = nullptr;
    descend(head_, max_height_.load(std::memory_order_relaxed) - 1, before,
            [&](int, Node*, Node* stopped_at) { stop = stopped_at; });
    return stop;
  }

  Node* new_node(int height, size_t key_bytes, char** key_buf) {
    const size_t links = static_cast<size_t>(height - 1) * sizeof(std::atomic<Node*>);
    const size_t bytes = links + sizeof(Node) + key_bytes + alignof(Node) - 1;
    char* raw = nullptr;
    MemTableRep::Allocate(bytes, &raw);  // the memtable's arena (freed with it)
    const auto aligned =
        (reinterpret_cast<uintptr_t>(raw) + alignof(Node) - 1) & ~(uintptr_t{alignof(Node)} - 1);
    Node* node = reinterpret_cast<Node*>(aligned + links);
    for (int level = 0; level < height; ++level) new (&node->link(level)) std::atomic<Node*>();
    if (key_buf) *key_buf = const_cast<char*>(node->key());
    return node;
  }

  // 1 + the number of times in a row a 1-in-4 chance came up (at most kMaxHeight).
  int random_height() {
    random_ ^= random_ << 13;
    random_ ^= random_ >> 7;
    random_ ^= random_ << 17;
    uint64_t bits = random_;
    int height = 1;
    while (height < kMaxHeight && (bits & 3) == 0) {
      ++height;
      bits >>= 2;
    }
    return height;
  }

  const KeyComparator& compare_;
  // The order computed here (a bytewise user comparator, as every basalt column family has):
  // RocksDB's comparator costs two virtual calls and its own checks per comparison.
  const bool inline_order_;
  Node* head_ = nullptr;
  // The writer's: the last node inserted, and per level the node after which an insert
  // just after it goes (the last node at that level not after it).
  Node* last_ = nullptr;
  Node* splice_[kMaxHeight] = {};
  std::atomic<int> max_height_{1};
  uint64_t random_ = 0x9e3779b97f4a7c15ull;  // xorshift state (the writer's)
};

void* ListIterator::operator new(size_t size) {
  if (gone()) return ::operator new(sizeof(ListIterator));
  auto& blocks = spares();
  if (!blocks.empty() && size <= sizeof(ListIterator)) {
    void* block = blocks.back();
    blocks.pop_back();
    return block;
  }
  return ::operator new(sizeof(ListIterator));
}

void ListIterator::give_back(void* block) {
  constexpr size_t kMaxSpares = 64;
  if (gone()) return;  // (only destroyed, at the thread's end: a few bytes left)
  auto& blocks = spares();
  // Over the bound the block is freed now if it may be (a deleted one), and the list is
  // brought back under it at the next chance (a destroyed one is still being destroyed).
  while (blocks.size() > kMaxSpares) {
    ::operator delete(blocks.back());
    blocks.pop_back();
  }
  blocks.push_back(block);
}

void ListIterator::Prev() {
  node_ = list_.last_before(node_->key());
}

void ListIterator::Seek(const rocksdb::Slice& internal_key, const char* memtable_key) {
  node_ = memtable_key != nullptr ? list_.seek(memtable_key) : list_.seek(internal_key);
}

void ListIterator::SeekForPrev(const rocksdb::Slice& internal_key, const char* memtable_key) {
  node_ = memtable_key != nullptr ? list_.last_not_after(memtable_key)
                                  : list_.last_not_after(internal_key);
}

void ListIterator::SeekToFirst() {
  node_ = list_.first();
}

void ListIterator::SeekToLast() {
  node_ = list_.last();
}

class SkipListFactory final : public rocksdb::MemTableRepFactory {
 public:
  const char* Name() const override { return "BasaltSkipListFactory"; }
  rocksdb::MemTableRep* CreateMemTableRep(const rocksdb::MemTableRep::KeyComparator& compare,
                                          rocksdb::Allocator* allocator,
                                          const rocksdb::SliceTransform*,
                                          rocksdb::Logger*) override {
    return new SkipListRep(compare, allocator);
  }
};

}  // namespace

std::shared_ptr<rocksdb::MemTableRepFactory> make_memtable_factory(bool basalt_skiplist) {
  if (basalt_skiplist) return std::make_shared<SkipListFactory>();
  return std::make_shared<rocksdb::SkipListFactory>();
}

}  // namespace basalt::storage
