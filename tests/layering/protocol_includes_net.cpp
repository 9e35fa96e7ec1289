// Must not build: a source of the protocol layer that includes net/broker_pool.hpp.
#include "net/broker_pool.hpp"

int layering_case() { return 0; }
