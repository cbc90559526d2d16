// `logs -f` followers end with the process (podman): actors/output_fanout.hpp end_followers,
// also for a follower whose history is still being replayed.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/output_fanout.hpp"

namespace output_fanout_follow_test {

namespace {

struct fake_client {
  int id = 0;
  int key() const { return id; }
};

using fanout = ctrd::ctr::output_fanout<fake_client>;

}  // namespace

TEST_CASE("output fan-out: the process end answers followers", "[output_fanout]") {
  fanout f;
  std::vector<std::string> sent;
  fanout::sink s;
  s.chunk = [&](fanout::subscriber& sub, uint64_t, int, const std::string& data) {
    sent.push_back(std::to_string(sub.client.id) + ":" + data);
  };
  f.set_sink(s);
  std::vector<int> answered;
  auto answer = [&](fake_client& c) { answered.push_back(c.id); };
  f.add({1}, 10);                // attached
  f.add({2}, 20).follow = true;  // following live output
  auto& late = f.add({3}, 30);   // following, history still replaying
  late.follow = true;
  late.replaying = true;
  f.forward(1, "tail\n", 1);  // queued for 3
  f.end_followers(answer);
  CHECK(answered == std::vector<int>{2});
  CHECK(f.subscriber_count() == 2);  // the attached one (end_attached's) and the replaying one
  f.replayed(3, 30, answer);         // its history is out: the queued output, then the end
  CHECK(answered == std::vector<int>{2, 3});
  CHECK(sent.back() == "3:tail\n");
  CHECK(f.subscriber_count() == 1);
  f.end_attached(answer);
  CHECK(answered == std::vector<int>{2, 3, 1});
}

}  // namespace output_fanout_follow_test
