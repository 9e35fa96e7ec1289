// Control: the net layer sees its own headers and those of the layers below it.
#include "config/properties.hpp"
#include "net/backoff.hpp"
#include "protocol/messages.hpp"
#include "protocol/reader.hpp"

int layering_control() { return 0; }
