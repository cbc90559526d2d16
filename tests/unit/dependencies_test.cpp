// The dependency graph: cycles, requirement order, dependents, start and stop waves.
#include <catch2/catch.hpp>

#include "core/dependencies.hpp"

namespace dependencies_test {

using namespace ctrd;

TEST_CASE("cycles are found and named", "[deps]") {
  deps::graph g = {{"a", {"b"}}, {"b", {"c"}}, {"c", {}}};
  CHECK(deps::find_cycle(g).empty());
  g["c"] = {"a"};
  auto cyc = deps::find_cycle(g);
  CHECK(deps::cycle_text(cyc) == "a -> b -> c -> a");
  CHECK(deps::cycle_text(deps::find_cycle({{"x", {"x"}}})) == "x -> x");
}

TEST_CASE("requirements come in dependency order and missing ones are reported", "[deps]") {
  deps::graph g = {
      {"app", {"db", "cache"}}, {"db", {"net"}}, {"cache", {"net"}}, {"net", {}}, {"other", {}}};
  std::vector<std::string> missing;
  auto order = deps::requirements(g, "app", missing);
  CHECK(missing.empty());
  REQUIRE(order.size() == 3);
  CHECK(order.back() != "net");
  CHECK(order.front() == "net");
  g["app"].push_back("ghost");
  order = deps::requirements(g, "app", missing);
  CHECK(missing == std::vector<std::string>{"ghost"});
}

TEST_CASE("dependents, start waves and stop waves", "[deps]") {
  deps::graph g = {{"app", {"db", "cache"}}, {"db", {"net"}}, {"cache", {"net"}}, {"net", {}}};
  CHECK(deps::dependents(g, "net") == std::vector<std::string>{"cache", "db"});
  std::set<std::string> all = {"app", "db", "cache", "net"};
  CHECK(deps::startable(g, all, {}) == std::vector<std::string>{"net"});
  CHECK(deps::startable(g, all, {"net"}) == std::vector<std::string>{"cache", "db"});
  CHECK(deps::startable(g, all, {"net", "db"}) == std::vector<std::string>{"cache"});
  CHECK(deps::startable(g, all, {"net", "db", "cache"}) == std::vector<std::string>{"app"});
  CHECK(deps::stoppable(g, all) == std::vector<std::string>{"app"});
  CHECK(deps::stoppable(g, {"db", "cache", "net"}) == std::vector<std::string>{"cache", "db"});
  CHECK(deps::stoppable(g, {"net"}) == std::vector<std::string>{"net"});
}

}  // namespace dependencies_test
