// http/json_views.h — the JSON bodies of the read endpoints, built from node/app/admin.h's
// structs: /health, /ready, /status, /replication, /info, /config.
#pragma once

#include <string>

#include "http/response.h"

namespace basalt::app {
class NodeApp;
}

namespace basalt::http {

Response health_view(app::NodeApp& node);
Response ready_view(app::NodeApp& node);
Response status_view(app::NodeApp& node);
Response replication_view(app::NodeApp& node);
// `section`: "" for INFO's default sections; 404 for a section INFO does not know.
Response info_view(app::NodeApp& node, const std::string& section);
Response config_view(app::NodeApp& node);
// 404 for a name that is no directive (nor alias).
Response config_entry_view(app::NodeApp& node, const std::string& name);

}  // namespace basalt::http
