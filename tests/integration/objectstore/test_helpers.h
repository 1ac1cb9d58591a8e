// Small helpers shared by the objectstore integration tests.
#pragma once

#include <string>

#include "base/status.h"
#include "objectstore/object_store.h"

namespace edgesync::objectstore::testing {

// A sink appending to `out`.
inline ByteSink AppendTo(std::string* out) {
  return [out](std::string_view bytes) {
    out->append(bytes);
    return Status::Ok();
  };
}

}  // namespace edgesync::objectstore::testing
