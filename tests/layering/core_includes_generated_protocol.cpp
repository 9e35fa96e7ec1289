// Must not build: a source of the core layer that includes protocol/messages.hpp.
#include "protocol/messages.hpp"

int layering_case() { return 0; }
