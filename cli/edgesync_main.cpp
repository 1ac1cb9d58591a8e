// edgesync: the command-line client of edgesyncd. Everything lives in cli_app.cpp.
#include "cli/cli_app.h"

int main(int argc, char** argv) { return edgesync::RunCli(argc, argv); }
