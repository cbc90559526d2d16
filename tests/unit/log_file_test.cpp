// Tests of actors/log_file.
#include <catch2/catch.hpp>

#include "actors/log_file.hpp"
