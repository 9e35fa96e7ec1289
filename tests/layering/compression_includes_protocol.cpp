// Must not build: a source of the compression layer that includes protocol/reader.hpp.
#include "protocol/reader.hpp"

int layering_case() { return 0; }
