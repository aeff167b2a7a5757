// node/commands/transactions/multi_exec_wrap.cpp — see multi_exec_wrap.h.
#include "node/commands/transactions/multi_exec_wrap.h"

#include <string>
#include <string_view>

#include "node/core/repl_stream.h"

namespace basalt::commands {

void wrap_in_multi_exec(core::ReplStream& stream, size_t start, int db_before) {
  if (stream.size() == start) return;
  std::string body = stream.bytes().substr(start);
  int db_after = stream.selected_db();
  stream.truncate(start, db_before);
  std::string_view multi_cmd[] = {"MULTI"};
  stream.append_command(multi_cmd);
  stream.append_raw(body);
  stream.truncate(stream.size(), db_after);
  std::string_view exec_cmd[] = {"EXEC"};
  stream.append_command(exec_cmd);
}

}  // namespace basalt::commands
