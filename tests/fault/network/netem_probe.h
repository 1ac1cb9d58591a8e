// Whether this machine lets a test put nodes in network namespaces with `tc netem` links.
// The link fault tests use their loopback fault proxy either way; the probe's answer is
// printed so a log says which kind of bad link was exercised and why.
#pragma once

#include <string>

namespace edgesync::testing {

// One line: what was tried (a throwaway namespace, netem on its loopback) and what failed.
std::string ProbeNetem();

}  // namespace edgesync::testing
