// An io_context run by one background thread: the client's strands run there while the test
// thread sends and waits on futures, as an application would.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

namespace kasio::test {

/// An io_context run by one background thread until stop().
class io_thread {
public:
    io_thread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
    ~io_thread() { stop(); }
    boost::asio::io_context& io() { return io_; }
    void stop() {
        if (!thread_.joinable()) return;
        guard_.reset();
        io_.stop();
        thread_.join();
    }

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
    std::thread thread_;
};

}  // namespace kasio::test
