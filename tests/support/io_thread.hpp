// An io_context run by one background thread: the client's strands run there while the test
// thread sends and waits on futures, as an application would.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace kasio::test {

/// An io_context run by one background thread until stop().
class io_thread {
public:
    io_thread() : guard_(io_.get_executor()), thread_([this] {
        io_.run();
        ran_out_.set_value();
    }) {}
    // Lets what destroyed clients still had to do finish first, as an application should: a
    // coroutine left suspended in a stopped io_context is never destroyed (Asio posts its
    // frames' clean-up to the executor), so stopping at once can leak a client's objects.
    ~io_thread() { drain(std::chrono::seconds(10)); }
    boost::asio::io_context& io() { return io_; }
    /// Lets the context run out of work, then joins the thread: what a destroyed client still
    /// had to do (closing its connections) finishes instead of being cut off. False when work
    /// was still left after `timeout` (the context is then stopped).
    bool drain(std::chrono::milliseconds timeout) {
        if (!thread_.joinable()) return true;
        guard_.reset();
        const bool ran_out = ran_out_.get_future().wait_for(timeout) == std::future_status::ready;
        stop();
        return ran_out;
    }
    void stop() {
        if (!thread_.joinable()) return;
        guard_.reset();
        io_.stop();
        thread_.join();
    }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::promise<void> ran_out_;
    std::thread thread_;
};

/// An io_context run by `threads` background threads (a multi-threaded application: kasio's
/// strands run on any of them, one handler of a strand at a time). Close the clients before
/// stop(), as io_thread's users do.
class io_threads {
public:
    explicit io_threads(int threads) : guard_(io_.get_executor()) {
        for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
    }
    ~io_threads() { stop(); }
    boost::asio::io_context& io() { return io_; }
    void stop() {
        guard_.reset();
        io_.stop();
        for (auto& t : threads_)
            if (t.joinable()) t.join();
    }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::vector<std::thread> threads_;
};

}  // namespace kasio::test
