#pragma once
// The per-record completion of a send; defined in the public include/kasio/detail/ so that
// producer::async_send (a template in <kasio/producer.hpp>) can build one from a callback.
#include <kasio/detail/delivery_handler.hpp>

namespace kasio::detail::producer {

using kasio::detail::delivery_handler;

}  // namespace kasio::detail::producer
