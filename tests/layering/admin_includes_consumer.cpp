// Must not build: a source of the admin layer that includes a header of the consumer, its
// sibling, not a layer below it.
#include "consumer/fetch_planner.hpp"

int layering_case() { return 0; }
