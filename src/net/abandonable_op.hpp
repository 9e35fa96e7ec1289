#pragma once
// A pending public operation whose caller may stop waiting for it, per Asio's per-operation
// cancellation: the first of its completion and a cancellation (any type) completes the
// handler, the latter with operation_aborted; the other finds the handler gone. The work the
// operation started goes on (a commit already sent may still land; a flush or close still
// delivers): cancelling abandons the wait, it does not undo anything.
//
// runs on: `strand` (complete() must be called there; cancellation posts to it).
#include "net/completion.hpp"

#include <kasio/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <optional>
#include <utility>

namespace kasio::net {

template <class... Args>
class abandonable_op {
public:
    using handler_type = boost::asio::any_completion_handler<void(error_code, Args...)>;

    abandonable_op(handler_type h, boost::asio::any_io_executor strand)
        : handler_(std::move(h)), strand_(std::move(strand)) {}

    /// Wraps `h`; a cancellation emitted on its slot completes it with operation_aborted.
    static std::shared_ptr<abandonable_op> make(handler_type h, const boost::asio::any_io_executor& strand) {
        auto op = std::make_shared<abandonable_op>(std::move(h), strand);
        auto slot = boost::asio::get_associated_cancellation_slot(*op->handler_);
        if (slot.is_connected()) {
            slot.assign([weak = std::weak_ptr<abandonable_op>(op)](boost::asio::cancellation_type) {
                auto self = weak.lock();
                if (!self) return;
                boost::asio::post(self->strand_, [self] {
                    self->complete(boost::asio::error::operation_aborted, Args{}...);
                });
            });
        }
        return op;
    }

    /// Completes the handler on its own executor (the strand when it has none), once. Strand.
    void complete(error_code ec, Args... args) {
        if (!handler_) return;
        handler_type h = std::move(*handler_);
        handler_.reset();
        complete_later(strand_, std::move(h), ec, std::move(args)...);
    }

    /// True once completed or abandoned.
    bool done() const noexcept { return !handler_.has_value(); }

private:
    std::optional<handler_type> handler_;
    boost::asio::any_io_executor strand_;
};

}  // namespace kasio::net
