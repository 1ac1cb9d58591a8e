// The edgesync command-line client: parses subcommands (CLI11), finds the daemon's control
// socket the way the daemon chose it, sends one request and prints the answer. Returns the exit
// code: 0 ok, 1 the daemon answered with an error, 2 usage, 3 daemon unreachable.
#pragma once

namespace edgesync {

int RunCli(int argc, char** argv);

}  // namespace edgesync
