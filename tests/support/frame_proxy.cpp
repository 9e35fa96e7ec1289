#include "frame_proxy.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <system_error>
#include <unordered_map>
#include <vector>

namespace kasio::test {

namespace {

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

bool send_all(int fd, const uint8_t* data, size_t size) {
    while (size > 0) {
        const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

int connect_to(const std::string& host, const std::string& port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return -1;
    int fd = -1;
    for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    return fd;
}

// One client connection and its upstream twin; owned by the proxy thread.
struct link {
    int client_fd = -1;
    int upstream_fd = -1;
    std::vector<uint8_t> from_client;    // bytes not yet forming a whole request frame
    std::vector<uint8_t> from_upstream;  // bytes not yet forming a whole response frame
    struct pending {
        request_header header;
        std::vector<uint8_t> frame;
    };
    std::unordered_map<int32_t, pending> in_flight;  // by correlation id

    ~link() {
        if (client_fd >= 0) close(client_fd);
        if (upstream_fd >= 0) close(upstream_fd);
    }
};

// Removes every whole frame from buf, passing each (without its length prefix) to on_frame.
template <typename OnFrame>
void split_frames(std::vector<uint8_t>& buf, OnFrame&& on_frame) {
    size_t pos = 0;
    while (buf.size() - pos >= 4) {
        const int32_t length = read_be32(buf.data() + pos);
        if (length < 0 || buf.size() - pos - 4 < static_cast<size_t>(length)) break;
        on_frame(std::span<const uint8_t>{buf.data() + pos + 4, static_cast<size_t>(length)});
        pos += 4 + static_cast<size_t>(length);
    }
    buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(pos));
}

// The 4-byte big-endian length prefix of a frame of `size` bytes.
std::array<uint8_t, 4> length_prefix(size_t size) {
    const auto n = static_cast<uint32_t>(size);
    return {static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
            static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
}

}  // namespace

frame_proxy::frame_proxy(const std::string& upstream, pair_handler on_pair,
                         request_handler on_request, options opts)
    : on_pair_(std::move(on_pair)),
      on_request_(std::move(on_request)),
      rewrite_response_(std::move(opts.rewrite_response)) {
    const size_t colon = upstream.rfind(':');
    if (colon == std::string::npos)
        throw std::invalid_argument("frame_proxy: upstream is host:port");
    upstream_host_ = upstream.substr(0, colon);
    upstream_port_ = upstream.substr(colon + 1);

    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) throw_errno("frame_proxy: socket");
    const int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(opts.listen_port));
    socklen_t len = sizeof addr;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 16) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        pipe(wake_pipe_) != 0) {
        const int saved = errno;
        close(listen_fd_);
        throw std::system_error(saved, std::generic_category(), "frame_proxy: listen");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
}

frame_proxy::~frame_proxy() {
    const char byte = 'q';
    [[maybe_unused]] ssize_t n = write(wake_pipe_[1], &byte, 1);
    thread_.join();
    close(listen_fd_);
    close(wake_pipe_[0]);
    close(wake_pipe_[1]);
}

void frame_proxy::run() {
    std::vector<std::unique_ptr<link>> links;
    std::vector<pollfd> fds;
    for (;;) {
        fds.clear();
        fds.push_back({wake_pipe_[0], POLLIN, 0});
        fds.push_back({listen_fd_, POLLIN, 0});
        for (const auto& l : links) {
            fds.push_back({l->client_fd, POLLIN, 0});
            fds.push_back({l->upstream_fd, POLLIN, 0});
        }
        if (poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[0].revents != 0) return;  // destructor: links close with their fds

        // Links are only appended or erased after the fds loop, so fds[2 + 2i] is links[i].
        std::vector<size_t> dead;
        for (size_t i = 0; i < links.size(); ++i) {
            link& l = *links[i];
            for (int side = 0; side < 2; ++side) {
                if (fds[2 + 2 * i + static_cast<size_t>(side)].revents == 0) continue;
                const bool from_client = side == 0;
                const int in = from_client ? l.client_fd : l.upstream_fd;
                const int out = from_client ? l.upstream_fd : l.client_fd;
                uint8_t buf[65536];
                const ssize_t n = recv(in, buf, sizeof buf, 0);
                if (n < 0 && errno == EINTR) continue;
                // A rewriter needs whole responses: they are sent below, frame by frame.
                const bool hold = !from_client && rewrite_response_;
                if (n <= 0 || (!hold && !send_all(out, buf, static_cast<size_t>(n)))) {
                    dead.push_back(i);
                    break;
                }
                std::vector<uint8_t>& acc = from_client ? l.from_client : l.from_upstream;
                acc.insert(acc.end(), buf, buf + n);
                if (from_client) {
                    split_frames(acc, [&](std::span<const uint8_t> frame) {
                        if (frame.size() < 8) return;
                        const request_header h{read_be16(frame.data()), read_be16(frame.data() + 2),
                                               read_be32(frame.data() + 4)};
                        if (on_request_) on_request_(h, frame);
                        l.in_flight[h.correlation_id] = {h, {frame.begin(), frame.end()}};
                    });
                } else {
                    bool sent = true;
                    split_frames(acc, [&](std::span<const uint8_t> frame) {
                        auto it = frame.size() < 4 ? l.in_flight.end()
                                                   : l.in_flight.find(read_be32(frame.data()));
                        const bool matched = it != l.in_flight.end();
                        if (matched && on_pair_) on_pair_(it->second.header, it->second.frame, frame);
                        if (hold) {
                            std::vector<uint8_t> copy(4 + frame.size());
                            std::copy_n(length_prefix(frame.size()).begin(), 4, copy.begin());
                            std::copy(frame.begin(), frame.end(), copy.begin() + 4);
                            if (matched)
                                rewrite_response_(it->second.header,
                                                  std::span<uint8_t>{copy}.subspan(4));
                            sent = sent && send_all(out, copy.data(), copy.size());
                        }
                        if (matched) l.in_flight.erase(it);
                    });
                    if (!sent) {
                        dead.push_back(i);
                        break;
                    }
                }
            }
        }
        for (auto it = dead.rbegin(); it != dead.rend(); ++it)
            links.erase(links.begin() + static_cast<std::ptrdiff_t>(*it));

        if (fds[1].revents != 0) {
            const int client = accept(listen_fd_, nullptr, nullptr);
            if (client < 0) continue;
            auto l = std::make_unique<link>();
            l->client_fd = client;
            // Blocking connect: the upstream is a loopback mock broker; when it is down the client
            // sees its connection closed, as it would with the broker itself.
            l->upstream_fd = connect_to(upstream_host_, upstream_port_);
            if (l->upstream_fd >= 0) links.push_back(std::move(l));
        }
    }
}

}  // namespace kasio::test
