// Catch2's implementation without its main: tests/support/test_server.cpp reports through Catch2, and the bench
// links that harness to start the real server. The bench never runs Catch2 test cases.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
