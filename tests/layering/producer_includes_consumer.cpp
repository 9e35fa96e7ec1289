// Must not build: a source of the producer (consumer is a sibling, not below) layer that includes consumer/fetch_planner.hpp.
#include "consumer/fetch_planner.hpp"

int layering_case() { return 0; }
