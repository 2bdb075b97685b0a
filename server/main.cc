// tocsind: the Tocsin server and its operator commands (see server/cli/commands.h).
#include "server/cli/commands.h"

int main(int argc, char** argv) { return tocsin::RunCli(argc, argv); }
