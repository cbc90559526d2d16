// Tests of actors/event_log.
#include <catch2/catch.hpp>

#include "actors/event_log.hpp"
