// The coroutine rebalance listener (subscribe(topics, async_rebalance_listener)): each callback
// is spawned on the strand and the membership loop waits for it, at most max.poll.interval.ms
// (the rebalance timeout: a member still revoking after it is dropped by the coordinator).
//
// runs on: pool strand.
#include "consumer/consumer_impl.hpp"
#include "net/completion.hpp"

#include "net/loop_exit.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#if defined(__GNUC__) && !defined(__clang__)
// g++ 12 reports -Wmismatched-new-delete for coroutine frames (awaitable frames use Asio's
// recycling allocator for both; a false positive, as in fetcher.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace kasio {
namespace {

using net::nothrow_awaitable;

// Shared by the waiting loop and the callback's completion handler: whichever of the callback's
// end and the deadline comes first decides; a callback ending after the deadline finds the loop
// gone on and only drops its reference.
struct listener_run {
    explicit listener_run(const asio::any_io_executor& strand) : deadline(strand) {}
    // The callback: a lambda coroutine reads its captures through the closure, which must
    // live until the coroutine ends, after a deadline too.
    async_rebalance_listener::callback callback;
    asio::steady_timer deadline;
    asio::cancellation_signal cancel;  // emitted (terminal) when the deadline passes first
    bool finished = false;
    std::exception_ptr error;
};

}  // namespace

asio::awaitable<void> consumer::impl::run_async_listener(std::shared_ptr<impl> self,
                                                          async_rebalance_listener::callback cb, const char* name,
                                                          std::vector<topic_partition> parts) {
    if (!cb) co_return;
    auto run = std::make_shared<listener_run>(self->strand);
    run->callback = std::move(cb);
    run->deadline.expires_after(self->cfg.max_poll_interval);
    try {
        asio::awaitable<void> work = run->callback(std::move(parts));  // the call itself may throw
        asio::co_spawn(self->strand, std::move(work),
                       asio::bind_cancellation_slot(run->cancel.slot(), [run, strand = self->strand](std::exception_ptr e) {
                           run->finished = true;
                           run->error = std::move(e);
                           run->deadline.cancel();
                           // co_spawn keeps its cancellation state in the signal's slot and clears
                           // it after this handler returns: the signal must outlive that.
                           asio::post(strand, [run] {});
                       }));
    } catch (...) {
        run->finished = true;
        run->error = std::current_exception();
    }
    if (!run->finished) co_await run->deadline.async_wait(nothrow_awaitable);

    error_info failure;
    if (!run->finished) {
        // Cancelled at its next co_await; the rebalance goes on without it.
        run->cancel.emit(asio::cancellation_type::terminal);
        failure.code = client_errc::timed_out;
        failure.context.property = "max.poll.interval.ms";
        failure.context.message = std::string("rebalance listener ") + name +
                                  " did not finish within max.poll.interval.ms; cancelled";
    } else if (run->error) {
        failure.code = client_errc::internal_error;
        failure.context.message =
            std::string("rebalance listener ") + name + " threw: " + net::describe_exception(run->error);
    } else {
        co_return;
    }
    net::log_line(self->cfg.connection.log, log_level::error, "consumer group: " + failure.describe());
    {
        std::lock_guard lock(self->mutex);
        self->listener_error = failure;
        self->last_error = failure;
    }
    self->try_complete_poll();
}

void consumer::subscribe(std::vector<std::string> topics, async_rebalance_listener listener) {
    subscribe(std::move(topics), rebalance_listener{});  // clears async_listener on the strand
    // Queued on the strand right behind the subscription, ahead of anything the membership loop
    // it starts or wakes does (co_spawn and the wake-up both go through the strand's queue).
    asio::post(impl_->strand, [self = impl_, l = std::move(listener)]() mutable { self->async_listener = std::move(l); });
}

}  // namespace kasio

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
