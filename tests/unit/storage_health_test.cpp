// tests/unit/storage_health_test.cpp — StorageHealth (the store's write health and its
// recovery backoff) and the refusal to load meta that can't be trusted (storage/meta).
#include <gtest/gtest.h>

#include "storage/checked_iterator.h"
#include "storage/engine.h"
#include "storage/health.h"
#include "storage/meta.h"
#include "storage/record.h"
#include "tests/unit/scratch_dir.h"

namespace basalt::storage {
namespace {

TEST(StorageHealth, FailureStopsWritesUntilAResumeSucceeds) {
  StorageHealth h;
  EXPECT_TRUE(h.writable());
  EXPECT_FALSE(h.resume_due(1'000'000));
  h.record_failure("IO error: No space left\r\non device", 1000);
  EXPECT_FALSE(h.writable());
  EXPECT_EQ(h.error(), "IO error: No space left  on device");  // one line, for INFO and replies
  EXPECT_EQ(h.failing_since_ms(), 1000u);
  h.record_failure("a later error", 1050);  // the first cause and time are kept
  EXPECT_EQ(h.failing_since_ms(), 1000u);
  EXPECT_EQ(h.write_errors(), 2u);

  // Backoff between attempts: 100 ms, then doubling, capped at 5 s.
  EXPECT_FALSE(h.resume_due(1099));
  EXPECT_TRUE(h.resume_due(1100));
  h.record_resume_attempt("busy", 1100);
  EXPECT_FALSE(h.resume_due(1299));
  EXPECT_TRUE(h.resume_due(1300));
  uint64_t now = 1300;
  for (int i = 0; i < 10; ++i) h.record_resume_attempt("busy", now);
  EXPECT_FALSE(h.resume_due(now + 4999));
  EXPECT_TRUE(h.resume_due(now + 5000));
  EXPECT_FALSE(h.writable());

  h.record_resume_attempt("", now + 5000);
  EXPECT_TRUE(h.writable());
  EXPECT_EQ(h.error(), "");
  EXPECT_EQ(h.recoveries(), 1u);
  EXPECT_EQ(h.resume_attempts(), 12u);
  EXPECT_FALSE(h.resume_due(now + 100'000));
}

TEST(StorageRead, AnErrorIsNeverAbsent) {
  EXPECT_TRUE(found(rocksdb::Status::OK()));
  EXPECT_FALSE(found(rocksdb::Status::NotFound()));
  EXPECT_THROW(found(rocksdb::Status::IOError("disk gone")), ReadError);
  EXPECT_THROW(found(rocksdb::Status::Corruption("bad block")), ReadError);
}

std::unique_ptr<Engine> open_at(const std::string& dir, std::string& error) {
  EngineOptions options;
  options.dir = dir;
  options.write_buffer_bytes = 4 << 20;
  options.block_cache_bytes = 8 << 20;
  return Engine::open(options, error);
}

void put_raw_meta(Engine& engine, const std::string& name, const std::string& value) {
  ASSERT_TRUE(engine.db()->Put(rocksdb::WriteOptions(), engine.meta_cf(), name, value).ok());
}

TEST(MetaRefusal, CorruptValuesAreErrorsNeverDefaults) {
  struct Case {
    const char* name;
    std::string value;
  } cases[] = {
      {"replid", "short"},
      {"master_repl_offset", "123"},
      {"role", "leader"},
      {"keys:0", "x"},
  };
  for (const auto& c : cases) {
    unit::ScratchDir tmp;
    std::string error;
    auto engine = open_at(tmp.path().string(), error);
    ASSERT_TRUE(engine) << error;
    rocksdb::WriteBatch batch;
    ReplMeta m;
    m.replid = random_replid();
    put_repl_meta(batch, *engine, m);
    ASSERT_TRUE(engine->write(&batch).ok());
    put_raw_meta(*engine, c.name, c.value);
    EXPECT_THROW(
        {
          load_repl_meta(*engine);
          load_key_counts(*engine, 16);
        },
        MetaError)
        << c.name;
  }
}

TEST(MetaRefusal, ADirectoryFromANewerBasaltIsRefused) {
  unit::ScratchDir tmp;
  std::string error;
  auto engine = open_at(tmp.path().string(), error);
  ASSERT_TRUE(engine) << error;
  std::string newer;
  for (int shift = 56; shift >= 0; shift -= 8)
    newer.push_back(static_cast<char>(((kEncodingVersion + 1ull) >> shift) & 0xff));
  put_raw_meta(*engine, "encoding_version", newer);
  try {
    load_repl_meta(*engine);
    FAIL() << "loaded meta of a newer encoding";
  } catch (const MetaError& e) {
    EXPECT_NE(std::string(e.what()).find("newer basalt"), std::string::npos) << e.what();
  }
}

TEST(MetaRefusal, AnUnreadableActiveGenerationRefusesToOpen) {
  unit::ScratchDir tmp;
  std::string error;
  {
    auto engine = open_at(tmp.path().string(), error);
    ASSERT_TRUE(engine) << error;
    put_raw_meta(*engine, "generation", "bad");
  }
  auto engine = open_at(tmp.path().string(), error);
  EXPECT_FALSE(engine);
  EXPECT_NE(error.find("active generation"), std::string::npos) << error;
}

}  // namespace
}  // namespace basalt::storage

namespace basalt::storage {
namespace {

// An iterator that runs out because of an error: the wrapper turns it into ReadError.
class FailingIterator : public rocksdb::Iterator {
 public:
  explicit FailingIterator(rocksdb::Status s) : status_(std::move(s)) {}
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Seek(const rocksdb::Slice&) override {}
  void SeekForPrev(const rocksdb::Slice&) override {}
  void Next() override {}
  void Prev() override {}
  rocksdb::Slice key() const override { return {}; }
  rocksdb::Slice value() const override { return {}; }
  rocksdb::Status status() const override { return status_; }

 private:
  rocksdb::Status status_;
};

TEST(StorageRead, AnIteratorStoppedByAnErrorThrowsInsteadOfEndingTheRange) {
  auto failed = checked(new FailingIterator(rocksdb::Status::IOError("bad sector")));
  failed->SeekToFirst();
  EXPECT_THROW(failed->Valid(), ReadError);
  auto ended = checked(new FailingIterator(rocksdb::Status::OK()));
  ended->SeekToFirst();
  EXPECT_FALSE(ended->Valid());
}

}  // namespace
}  // namespace basalt::storage
