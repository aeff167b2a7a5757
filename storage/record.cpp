// storage/record.cpp — names of the value types, as TYPE reports them.
#include "storage/record.h"

namespace basalt::storage {

const char* type_name(ValueType t) {
  switch (t) {
    case ValueType::String:
      return "string";
    case ValueType::Hash:
      return "hash";
    case ValueType::List:
      return "list";
    case ValueType::Set:
      return "set";
    case ValueType::ZSet:
      return "zset";
  }
  return "none";
}

}  // namespace basalt::storage
