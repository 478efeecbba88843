#include <catch2/catch.hpp>

#include "promptsales/common/cache/generation_message.hpp"
#include "promptsales/common/cache/generation_view.hpp"

using promptsales::cache::GenerationView;
using promptsales::cache::is_valid_scope;
using promptsales::cache::parse_generation_message;

TEST_CASE("generation view: untrusted knows nothing until trusted", "[cache][generations]") {
  GenerationView view(/*trusted=*/false);
  const auto untrusted = view.epoch();
  CHECK_FALSE(untrusted.trusted);
  CHECK_FALSE(view.install("org:1", 5, untrusted));  // reads made while untrusted are not kept
  view.raise("org:1", 7);
  CHECK_FALSE(view.current("org:1"));

  view.trust();
  CHECK(view.epoch().trusted);
  CHECK(view.epoch().id != untrusted.id);
  CHECK_FALSE(view.current("org:1"));  // trusting forgets what was heard before
  CHECK(view.install("org:1", 9, view.epoch()));
  CHECK(view.current("org:1") == 9u);
}

TEST_CASE("generation view: bumps only move generations forward", "[cache][generations]") {
  GenerationView view(true);
  CHECK(view.install("all", 10, view.epoch()));
  view.raise("all", 8);  // a late, older announcement
  CHECK(view.current("all") == 10u);
  view.raise("all", 12);
  CHECK(view.current("all") == 12u);
  CHECK(view.install("all", 11, view.epoch()));  // a slow read of an older value
  CHECK(view.current("all") == 12u);
  view.raise("org:2", 3);  // an announcement makes an unseen scope known
  CHECK(view.current("org:2") == 3u);
}

TEST_CASE("generation view: a read from before a trust change is refused", "[cache][generations]") {
  GenerationView view(true);
  const auto before = view.epoch();
  view.distrust();
  CHECK_FALSE(view.current("org:1"));
  view.trust();
  CHECK_FALSE(view.install("org:1", 4, before));
  CHECK_FALSE(view.current("org:1"));
}

TEST_CASE("generation view: losing trust hides every generation at once", "[cache][generations]") {
  GenerationView view(true);
  view.install("org:1", 4, view.epoch());
  const auto changes = view.changes();
  view.distrust();
  CHECK_FALSE(view.epoch().trusted);
  CHECK_FALSE(view.current("org:1"));
  CHECK(view.changes() > changes);
}

TEST_CASE("generation view: an owed bump hides the scope until settled", "[cache][generations]") {
  GenerationView view(true);
  view.install("org:1", 4, view.epoch());
  view.install("org:2", 4, view.epoch());
  view.mark_pending("org:1");
  view.mark_pending("org:1");
  CHECK(view.owes("org:1"));
  CHECK_FALSE(view.current("org:1"));
  CHECK(view.current("org:2") == 4u);
  CHECK(view.pending_count() == 1);

  auto owed = view.pending();
  REQUIRE(owed.size() == 1);
  CHECK(owed[0].scope == "org:1");
  CHECK(owed[0].count == 2);

  view.mark_pending("org:1");  // a third bump fails while the replay of two is in flight
  view.raise("org:1", 6);
  view.settle(owed[0]);
  CHECK(view.owes("org:1"));
  CHECK_FALSE(view.current("org:1"));

  view.trust();  // owed bumps survive a reconnect
  CHECK(view.owes("org:1"));
  owed = view.pending();
  REQUIRE(owed.size() == 1);
  CHECK(owed[0].count == 1);
  view.settle(owed[0]);
  CHECK(view.pending_count() == 0);
  CHECK(view.install("org:1", 7, view.epoch()));
  CHECK(view.current("org:1") == 7u);
}

TEST_CASE("generation view: advance counts up locally", "[cache][generations]") {
  GenerationView view(true);
  CHECK(view.advance("org:1") == 1u);
  CHECK(view.advance("org:1") == 2u);
  CHECK(view.current("org:1") == 2u);
}

TEST_CASE("generation message: lines of generation and scope", "[cache][generations]") {
  const auto updates = parse_generation_message("1700000000000001 org:42\n1700000000000002 all\n");
  REQUIRE(updates.size() == 2);
  CHECK(updates[0].generation == 1700000000000001u);
  CHECK(updates[0].scope == "org:42");
  CHECK(updates[1].scope == "all");

  const auto messy = parse_generation_message("garbage\n12x org:1\n5 \n 7 org:2\n9 tenant 3");
  REQUIRE(messy.size() == 1);
  CHECK(messy[0].generation == 9u);
  CHECK(messy[0].scope == "tenant 3");
}

TEST_CASE("generation message: scope names", "[cache][generations]") {
  CHECK(is_valid_scope("org:42"));
  CHECK_FALSE(is_valid_scope(""));
  CHECK_FALSE(is_valid_scope("org\n42"));
  CHECK_FALSE(is_valid_scope(std::string(201, 'x')));
}
