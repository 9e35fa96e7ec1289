// Completing an operation's handler the way Asio requires, written once for every layer above
// the sockets: on the handler's associated executor (the client's strand when it has none), with
// that executor kept busy while the operation is pending, and never inside the initiating call.
#pragma once

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <utility>

namespace kasio::net {

/// co_await token that returns (error_code, results...) instead of throwing: kasio's loops
/// look at every error themselves.
inline constexpr auto nothrow_awaitable = boost::asio::as_tuple(boost::asio::use_awaitable);

/// The executor `handler` completes on (`fallback` when it names none), with outstanding work
/// tracked, so that an io_context does not run out of work while the operation is pending.
template <class Handler, class Executor>
boost::asio::any_completion_executor tracked_executor(const Handler& handler, const Executor& fallback) {
    return boost::asio::prefer(boost::asio::get_associated_executor(handler, fallback),
                               boost::asio::execution::outstanding_work.tracked);
}

/// Runs handler(args...) on `ex`: inline when the caller already runs there, else queued.
template <class Handler, class... Args>
void complete_on(const boost::asio::any_completion_executor& ex, Handler handler, Args&&... args) {
    boost::asio::dispatch(ex, boost::asio::append(std::move(handler), std::forward<Args>(args)...));
}

/// Completes through `strand`'s queue, then on the handler's own executor (`strand` when it
/// names none): never inside the caller's frame, which may hold a lock or be the initiating
/// call. The handler's cancellation slot is cleared first, as the operation is over.
template <class Executor, class Handler, class... Args>
void complete_later(const Executor& strand, Handler handler, Args... args) {
    boost::asio::get_associated_cancellation_slot(handler).clear();
    boost::asio::post(strand, [strand, h = std::move(handler), ... a = std::move(args)]() mutable {
        auto ex = boost::asio::get_associated_executor(h, strand);
        boost::asio::dispatch(ex, boost::asio::append(std::move(h), std::move(a)...));
    });
}

/// Waits `d` on `ex` (a retry's backoff inside a coroutine); a cancelled wait ends it early.
inline boost::asio::awaitable<void> sleep_for(const boost::asio::any_io_executor& ex, std::chrono::milliseconds d) {
    boost::asio::steady_timer t(ex, d);
    co_await t.async_wait(nothrow_awaitable);
}

}  // namespace kasio::net
