// node/scripting/conversions.cpp — see conversions.h.
#include "node/scripting/conversions.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <lua.hpp>

#include "node/protocol/reply.h"

namespace basalt::scripting {

namespace {

// A small RESP2 reply reader over a view: each call consumes one value.
class ReplyReader {
 public:
  explicit ReplyReader(std::string_view in) : in_(in) {}

  bool push(lua_State* L, int depth) {
    if (depth > 1000 || pos_ >= in_.size()) return false;
    char type = in_[pos_++];
    std::string_view line;
    if (!read_line(line)) return false;
    switch (type) {
      case '+':
      case '-':
        lua_newtable(L);
        lua_pushstring(L, type == '+' ? "ok" : "err");
        lua_pushlstring(L, line.data(), line.size());
        lua_settable(L, -3);
        if (type == '-') {
          // As Redis: the command's error was counted when it ran.
          lua_pushstring(L, "ignore_error_stats_update");
          lua_pushboolean(L, 1);
          lua_settable(L, -3);
        }
        return true;
      case ':': {
        long long v = 0;
        if (!parse(line, v)) return false;
        lua_pushnumber(L, static_cast<lua_Number>(v));
        return true;
      }
      case '$': {
        long long len = 0;
        if (!parse(line, len)) return false;
        if (len < 0) {
          lua_pushboolean(L, 0);
          return true;
        }
        if (in_.size() - pos_ < static_cast<size_t>(len) + 2) return false;
        lua_pushlstring(L, in_.data() + pos_, static_cast<size_t>(len));
        pos_ += static_cast<size_t>(len) + 2;
        return true;
      }
      case '*': {
        long long n = 0;
        if (!parse(line, n)) return false;
        if (n < 0) {
          lua_pushboolean(L, 0);
          return true;
        }
        if (!lua_checkstack(L, 4)) return false;
        lua_createtable(L, static_cast<int>(std::min<long long>(n, 1 << 20)), 0);
        for (long long i = 1; i <= n; ++i) {
          if (!push(L, depth + 1)) {
            lua_pop(L, 1);
            return false;
          }
          lua_rawseti(L, -2, static_cast<int>(i));
        }
        return true;
      }
      default:
        return false;
    }
  }

 private:
  bool read_line(std::string_view& line) {
    size_t end = in_.find("\r\n", pos_);
    if (end == std::string_view::npos) return false;
    line = in_.substr(pos_, end - pos_);
    pos_ = end + 2;
    return true;
  }
  static bool parse(std::string_view s, long long& v) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
  }
  std::string_view in_;
  size_t pos_ = 0;
};

// The string field `name` of the table at `index`, if it is a string.
bool string_field(lua_State* L, int index, const char* name, std::string& out) {
  lua_pushstring(L, name);
  lua_rawget(L, index);
  bool is_string = lua_type(L, -1) == LUA_TSTRING;
  if (is_string) {
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    out.assign(s, len);
  }
  lua_pop(L, 1);
  return is_string;
}

void write_value(lua_State* L, int index, protocol::ReplyBuilder& reply, int depth);

// The RESP3 reply tables (Redis checks them in this order, after err and ok): {double=n},
// {big_number=s}, {verbatim_string={format=f, string=s}}, {map={k=v, ...}}, {set={k=true,
// ...}}, each written as RESP2 shows it (clients here speak RESP2): a bulk string (\r and \n
// of a big number made spaces), a flat array of keys and values, an array of the keys.
// False if the table at `index` is none of these.
bool write_resp3_table(lua_State* L, int index, protocol::ReplyBuilder& reply, int depth) {
  lua_pushstring(L, "double");
  lua_rawget(L, index);
  if (lua_type(L, -1) == LUA_TNUMBER) {
    reply.double_bulk(lua_tonumber(L, -1));
    lua_pop(L, 1);
    return true;
  }
  lua_pop(L, 1);
  std::string text;
  if (string_field(L, index, "big_number", text)) {
    for (char& ch : text)
      if (ch == '\r' || ch == '\n') ch = ' ';
    reply.bulk(text);
    return true;
  }
  lua_pushstring(L, "verbatim_string");
  lua_rawget(L, index);
  if (lua_type(L, -1) == LUA_TTABLE) {
    std::string format;
    if (string_field(L, lua_gettop(L), "format", format) &&
        string_field(L, lua_gettop(L), "string", text)) {
      lua_pop(L, 1);
      reply.bulk(text);
      return true;
    }
  }
  lua_pop(L, 1);
  for (const char* kind : {"map", "set"}) {
    const bool map = kind[0] == 'm';
    lua_pushstring(L, kind);
    lua_rawget(L, index);
    if (lua_type(L, -1) != LUA_TTABLE) {
      lua_pop(L, 1);
      continue;
    }
    // Counted first: the length goes before the elements.
    const int table = lua_gettop(L);
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, table)) {
      ++n;
      lua_pop(L, 1);
    }
    reply.array(map ? 2 * n : n);
    lua_pushnil(L);
    while (lua_next(L, table)) {
      write_value(L, -2, reply, depth + 1);
      if (map) write_value(L, -1, reply, depth + 1);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return true;
  }
  return false;
}

void write_value(lua_State* L, int index, protocol::ReplyBuilder& reply, int depth) {
  if (index < 0) index = lua_gettop(L) + index + 1;
  switch (lua_type(L, index)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      reply.bulk(std::string_view(s, len));
      return;
    }
    case LUA_TBOOLEAN:
      if (lua_toboolean(L, index)) {
        reply.integer(1);
      } else {
        reply.null_bulk();
      }
      return;
    case LUA_TNUMBER:
      reply.integer(lua_number_to_integer(lua_tonumber(L, index)));
      return;
    case LUA_TTABLE: {
      if (depth > 1000 || !lua_checkstack(L, 4)) {
        reply.error("ERR reached lua stack limit");
        return;
      }
      std::string text;
      if (string_field(L, index, "err", text)) {
        // redis.error_reply / {err=...}: the text is the error (its own code), '-' dropped.
        if (text.starts_with('-')) text.erase(0, 1);
        reply.error(text);
        return;
      }
      if (string_field(L, index, "ok", text)) {
        reply.simple(text);
        return;
      }
      if (write_resp3_table(L, index, reply, depth)) return;
      // An array: elements 1, 2, ... up to the first nil. The count goes first, so the
      // elements are counted before they are written.
      int n = 0;
      for (;;) {
        lua_rawgeti(L, index, n + 1);
        bool nil = lua_isnil(L, -1);
        lua_pop(L, 1);
        if (nil) break;
        ++n;
      }
      reply.array(static_cast<size_t>(n));
      for (int i = 1; i <= n; ++i) {
        lua_rawgeti(L, index, i);
        write_value(L, -1, reply, depth + 1);
        lua_pop(L, 1);
      }
      return;
    }
    default:
      reply.null_bulk();
      return;
  }
}

}  // namespace

long long lua_number_to_integer(double n) {
  // The range check keeps the cast defined; x86-64's cvttsd2si gives INT64_MIN beyond it.
  if (std::isnan(n) || n >= 9223372036854775808.0 || n < -9223372036854775808.0) return INT64_MIN;
  return static_cast<long long>(n);
}

bool push_reply(lua_State* L, std::string_view resp) {
  ReplyReader reader(resp);
  return reader.push(L, 0);
}

void write_reply(lua_State* L, int index, protocol::ReplyBuilder& reply) {
  write_value(L, index, reply, 0);
}

}  // namespace basalt::scripting
