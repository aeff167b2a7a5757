// node/scripting/conversions.h — Redis 7.0's conversions between RESP2 replies and Lua values:
// a command's reply (RESP bytes) pushed as a Lua value for redis.call, and a script's Lua
// value written as a RESP reply.
//
// RESP -> Lua: integer -> number, bulk -> string, null bulk / null array -> false,
// status -> {ok=...}, error -> {err=...}, array -> table (1-based).
// Lua -> RESP: string -> bulk, number -> integer (truncated), true -> 1, false / nil -> null
// bulk, table with a string `err` -> error, with a string `ok` -> status, any other table ->
// array of its elements 1, 2, ... up to the first nil.
#pragma once

#include <string>
#include <string_view>

struct lua_State;

namespace basalt::protocol {
class ReplyBuilder;
}

namespace basalt::scripting {

// Pushes the value of the complete RESP2 reply at the start of `resp`; false (and nothing
// pushed) if it is not one.
bool push_reply(lua_State* L, std::string_view resp);

// Writes the Lua value at stack index `index` as a reply.
void write_reply(lua_State* L, int index, protocol::ReplyBuilder& reply);

// Lua's number -> integer cast as Redis (C's (long long) on x86-64: out of range and NaN give
// INT64_MIN).
long long lua_number_to_integer(double n);

}  // namespace basalt::scripting
