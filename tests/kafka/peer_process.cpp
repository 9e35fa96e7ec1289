#include "peer_process.hpp"

#include "kafka_cluster.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace kasio::test::kafka {

peer_process::peer_process(const std::string& command, const std::vector<std::string>& args,
                           std::function<void(const json&)> on_line)
    : on_line_(std::move(on_line)) {
    const cluster_info& c = cluster();
    std::vector<std::string> argv = {"java", "-Xshare:auto", "-cp", c.peer_classpath, "kasio.peer.Main", command};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--bootstrap");
    argv.push_back(c.bootstrap);
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        std::vector<char*> raw;
        for (auto& a : argv) raw.push_back(a.data());
        raw.push_back(nullptr);
        ::execvp("java", raw.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    stdin_fd_ = in[1];
    reader_ = std::thread([this, fd = out[0]] { read_loop(fd); });
}

peer_process::~peer_process() {
    kill();
    wait_exit(std::chrono::seconds(30));
    if (reader_.joinable()) reader_.join();
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
}

void peer_process::read_loop(int fd) {
    std::string pending;
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buf, static_cast<std::size_t>(n));
        std::size_t start = 0;
        std::vector<json> parsed;
        for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
            if (auto j = parse_json(std::string_view(pending).substr(start, nl - start))) parsed.push_back(std::move(*j));
        pending.erase(0, start);
        if (on_line_)
            for (const auto& j : parsed) on_line_(j);
        std::lock_guard lock(m_);
        for (auto& j : parsed) lines_.push_back(std::move(j));
        cv_.notify_all();
    }
    ::close(fd);
    std::lock_guard lock(m_);
    eof_ = true;
    cv_.notify_all();
}

bool peer_process::wait_for(const std::function<bool(const json&)>& pred, std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_);
    std::size_t checked = 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        for (; checked < lines_.size(); ++checked)
            if (pred(lines_[checked])) return true;
        if (eof_) return false;
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && checked == lines_.size()) return false;
    }
}

std::vector<json> peer_process::lines() const {
    std::lock_guard lock(m_);
    return lines_;
}

void peer_process::close_stdin() {
    if (stdin_fd_ >= 0) ::close(stdin_fd_);
    stdin_fd_ = -1;
}

void peer_process::kill() {
    if (pid_ > 0 && status_ == -2) ::kill(pid_, SIGKILL);
}

int peer_process::wait_exit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0 || status_ != -2) return status_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int st = 0;
        const pid_t r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
            return status_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return -2;
        // No child-exit notification to wait on without a signal handler: the reader's EOF
        // (the peer's stdout closing) comes first, so this loop runs at most briefly.
        std::unique_lock lock(m_);
        cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return eof_; });
    }
}

}  // namespace kasio::test::kafka
