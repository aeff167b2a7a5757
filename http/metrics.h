// http/metrics.h — GET /metrics: the node's figures in the Prometheus text exposition format
// (version 0.0.4), every family with # HELP and # TYPE.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace basalt::app {
struct AdminMetrics;
}

namespace basalt::http {

// Prometheus text for `m`.
std::string render_metrics(const app::AdminMetrics& m);

// A label value escaped for the exposition format (\\, \", \n).
std::string escape_label_value(std::string_view v);

// Writes families one after another: family() then its samples.
class MetricsWriter {
 public:
  using Labels = std::vector<std::pair<std::string_view, std::string>>;
  // Starts a family: `type` is "counter" or "gauge".
  void family(std::string_view name, std::string_view type, std::string_view help);
  // A sample of the current family.
  void sample(const Labels& labels, double value);
  void sample(const Labels& labels, uint64_t value);
  void sample(const Labels& labels, int64_t value);
  std::string take() { return std::move(out_); }

 private:
  void name_and_labels(const Labels& labels);
  std::string out_;
  std::string current_;
};

}  // namespace basalt::http
