// sluice-runner: see runner_app.h for the commands and exit codes.
#include "runner_app.h"

int main(int argc, char** argv) { return sluice::runner::runnerMain(argc, argv); }
