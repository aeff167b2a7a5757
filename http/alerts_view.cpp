// http/alerts_view.cpp — see alerts_view.h.
#include "http/alerts_view.h"

#include <boost/json.hpp>

#include "node/app/admin.h"

namespace basalt::http {

namespace json = boost::json;

Response alerts_view(app::NodeApp& node) {
  const auto a = app::admin_alerts(node);
  json::object o;
  o["node"] = a.node;
  o["channel"] = a.channel;
  o["thresholds"] = {{"replica_lag_alert_bytes", a.threshold_bytes},
                     {"replica_lag_alert_seconds", a.threshold_seconds}};
  json::array active;
  for (const auto& x : a.active) {
    active.push_back({{"alert", x.alert},
                      {"scope", x.scope},
                      {"replica", x.replica},
                      {"master", x.master},
                      {"since", x.since_ms},
                      {"threshold", x.threshold},
                      {"lag_bytes", x.lag_bytes},
                      {"lag_seconds", x.lag_seconds}});
  }
  o["active"] = std::move(active);
  json::array history;
  for (const auto& e : a.history) {
    json::object h{
        {"alert", e.alert},         {"state", e.state},         {"scope", e.scope},
        {"replica", e.replica},     {"master", e.master},       {"ts", e.ts_ms},
        {"threshold", e.threshold}, {"lag_bytes", e.lag_bytes}, {"lag_seconds", e.lag_seconds}};
    if (e.state == "cleared") h["reason"] = e.reason;
    history.push_back(std::move(h));
  }
  o["history"] = std::move(history);
  o["history_length"] = a.history_length;
  o["raised_total"] = a.raised_total;
  return json_response(200, o);
}

}  // namespace basalt::http
