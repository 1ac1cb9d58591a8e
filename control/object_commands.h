// Control-socket method `export`: writes a version's files (or one part's) under an s3://
// prefix as plain objects (remote/version_export.h), with progress and cancellation like a put.
// Puts from s3:// and https:// need no method of their own: `put` takes a URL as its path.
#pragma once

#include "control/command_dispatcher.h"
#include "remote/object_sources.h"
#include "store/store.h"

namespace edgesync {

// REQUIRES: `store` and `sources` outlive the dispatcher's use.
void RegisterObjectCommands(CommandDispatcher& dispatcher, Store& store, ObjectSources& sources);

}  // namespace edgesync
