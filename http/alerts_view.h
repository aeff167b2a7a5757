// http/alerts_view.h — GET /alerts: the active lag alerts with their start times, the bounded
// history of raise / clear events and the thresholds, from node/app/admin.h's AdminAlerts.
#pragma once

#include "http/response.h"

namespace basalt::app {
class NodeApp;
}

namespace basalt::http {

Response alerts_view(app::NodeApp& node);

}  // namespace basalt::http
