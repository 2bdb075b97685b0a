// Catch2 main for tocsin_unit_tests: no database, no network.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
