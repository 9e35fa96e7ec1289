// Must not build: a source of the net layer that includes cluster/metadata_cache.hpp.
#include "cluster/metadata_cache.hpp"

int layering_case() { return 0; }
