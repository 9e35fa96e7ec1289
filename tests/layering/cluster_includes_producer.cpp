// Must not build: a source of the cluster layer that includes producer/accumulator.hpp.
#include "producer/accumulator.hpp"

int layering_case() { return 0; }
