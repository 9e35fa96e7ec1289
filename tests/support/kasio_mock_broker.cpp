// kasio-mock-broker: a librdkafka 2.14 mock cluster in its own process, driven over stdin, for
// demos, benchmarks and tests written in other languages.
//
//   kasio-mock-broker --brokers N [--topic name:partitions[:rf]]...
//
// Topics are created first; then the first stdout line is `BOOTSTRAP host:port,...` (flushed).
// Then one command per stdin line, each answered by one line, `OK` or `ERR <message>`:
//
//   broker_down <id>                      close the broker's connections, refuse new ones
//   broker_up <id>
//   rtt <id> <ms>                         delay every response of the broker
//   leader <topic> <partition> <broker>
//   follower <topic> <partition> <broker> preferred read replica (KIP-392)
//   error <api_key> <code> [<code>...]    next requests of api_key (any broker) fail in order
//   broker_error <id> <api_key> <code>[@<rtt_ms>]...   same, one broker, optional delay each
//   clear_errors <api_key>
//   topic_error <topic> <code>            every request naming the topic fails (0 clears)
//   apiversion <api_key> <min> <max>      what ApiVersions advertises (max -1: hidden)
//   create_topic <name> <partitions> [<rf>]
//   coordinator <group|transaction> <key> <broker>
//   quit
//
// Error codes are numbers (Kafka's, or librdkafka's negative internal ones) or librdkafka
// names with or without the RD_KAFKA_RESP_ERR_ prefix (NOT_LEADER_OR_FOLLOWER, _TRANSPORT).
// Blank lines and lines starting with '#' are ignored without a reply. The program exits 0 on
// quit, EOF, SIGTERM or SIGINT.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "mock_cluster.hpp"

namespace {

using kasio::test::mock_cluster;

int signal_pipe[2] = {-1, -1};

extern "C" void on_signal(int) {
    const char byte = 's';
    // Nothing useful to do if the pipe is full: one byte already wakes the loop.
    [[maybe_unused]] ssize_t n = write(signal_pipe[1], &byte, 1);
}

template <typename Int>
std::optional<Int> parse_int(std::string_view s) {
    Int value{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
}

std::optional<rd_kafka_resp_err_t> parse_error(std::string_view s) {
    if (auto n = parse_int<int>(s)) return static_cast<rd_kafka_resp_err_t>(*n);
    if (s.starts_with("RD_KAFKA_RESP_ERR_")) s.remove_prefix(18);
    // librdkafka's table still uses the pre-KIP-392 name for code 6.
    if (s == "NOT_LEADER_OR_FOLLOWER") return RD_KAFKA_RESP_ERR_NOT_LEADER_OR_FOLLOWER;
    const rd_kafka_err_desc* descs = nullptr;
    size_t count = 0;
    rd_kafka_get_err_descs(&descs, &count);
    for (size_t i = 0; i < count; ++i)
        if (descs[i].name != nullptr && s == descs[i].name) return descs[i].code;
    return std::nullopt;
}

struct topic_spec {
    std::string name;
    int partitions = 1;
    int replication = 1;
};

// name:partitions[:rf]; the name itself may not contain ':' (Kafka forbids it anyway).
std::optional<topic_spec> parse_topic_spec(std::string_view text) {
    topic_spec spec;
    const size_t first = text.find(':');
    if (first == std::string_view::npos || first == 0) return std::nullopt;
    spec.name = std::string{text.substr(0, first)};
    std::string_view rest = text.substr(first + 1);
    const size_t second = rest.find(':');
    auto partitions = parse_int<int>(rest.substr(0, second));
    if (!partitions || *partitions < 1) return std::nullopt;
    spec.partitions = *partitions;
    if (second != std::string_view::npos) {
        auto rf = parse_int<int>(rest.substr(second + 1));
        if (!rf || *rf < 1) return std::nullopt;
        spec.replication = *rf;
    }
    return spec;
}

std::string describe(rd_kafka_resp_err_t err) {
    return std::string{rd_kafka_err2name(err)} + ": " + rd_kafka_err2str(err);
}

// Runs one command; returns "OK" or "ERR ...". Sets quit on `quit`.
std::string run_command(mock_cluster& cluster, const std::vector<std::string>& args, bool& quit) {
    const std::string& cmd = args[0];
    const size_t argc = args.size() - 1;
    auto usage = [&](const char* text) { return "ERR usage: " + cmd + " " + text; };
    auto result = [](rd_kafka_resp_err_t err) {
        return err == RD_KAFKA_RESP_ERR_NO_ERROR ? std::string{"OK"} : "ERR " + describe(err);
    };

    if (cmd == "quit") {
        quit = true;
        return "OK";
    }
    if (cmd == "broker_down" || cmd == "broker_up") {
        auto id = argc == 1 ? parse_int<int32_t>(args[1]) : std::nullopt;
        if (!id) return usage("<broker_id>");
        return result(cmd == "broker_down" ? cluster.broker_down(*id) : cluster.broker_up(*id));
    }
    if (cmd == "rtt") {
        auto id = argc == 2 ? parse_int<int32_t>(args[1]) : std::nullopt;
        auto ms = argc == 2 ? parse_int<int>(args[2]) : std::nullopt;
        if (!id || !ms || *ms < 0) return usage("<broker_id> <ms>");
        return result(cluster.set_rtt(*id, *ms));
    }
    if (cmd == "leader" || cmd == "follower") {
        auto partition = argc == 3 ? parse_int<int32_t>(args[2]) : std::nullopt;
        auto broker = argc == 3 ? parse_int<int32_t>(args[3]) : std::nullopt;
        if (!partition || !broker) return usage("<topic> <partition> <broker_id>");
        return result(cmd == "leader" ? cluster.set_leader(args[1], *partition, *broker)
                                      : cluster.set_follower(args[1], *partition, *broker));
    }
    if (cmd == "error") {
        auto api_key = argc >= 2 ? parse_int<int16_t>(args[1]) : std::nullopt;
        if (!api_key) return usage("<api_key> <code> [<code>...]");
        std::vector<rd_kafka_resp_err_t> errors;
        for (size_t i = 2; i < args.size(); ++i) {
            auto err = parse_error(args[i]);
            if (!err) return "ERR unknown error code '" + args[i] + "'";
            errors.push_back(*err);
        }
        cluster.push_request_errors(*api_key, errors);
        return "OK";
    }
    if (cmd == "broker_error") {
        auto id = argc >= 3 ? parse_int<int32_t>(args[1]) : std::nullopt;
        auto api_key = argc >= 3 ? parse_int<int16_t>(args[2]) : std::nullopt;
        if (!id || !api_key) return usage("<broker_id> <api_key> <code>[@<rtt_ms>]...");
        std::vector<kasio::test::error_rtt> entries;
        for (size_t i = 3; i < args.size(); ++i) {
            const std::string_view arg = args[i];
            const size_t at = arg.find('@');
            auto err = parse_error(arg.substr(0, at));
            auto rtt = at == std::string_view::npos ? std::optional<int>{0}
                                                    : parse_int<int>(arg.substr(at + 1));
            if (!err || !rtt || *rtt < 0) return "ERR bad entry '" + args[i] + "'";
            entries.push_back({*err, *rtt});
        }
        return result(cluster.broker_push_request_error_rtts(*id, *api_key, entries));
    }
    if (cmd == "clear_errors") {
        auto api_key = argc == 1 ? parse_int<int16_t>(args[1]) : std::nullopt;
        if (!api_key) return usage("<api_key>");
        cluster.clear_request_errors(*api_key);
        return "OK";
    }
    if (cmd == "topic_error") {
        auto err = argc == 2 ? parse_error(args[2]) : std::nullopt;
        if (!err) return usage("<topic> <code>");
        cluster.set_topic_error(args[1], *err);
        return "OK";
    }
    if (cmd == "apiversion") {
        auto api_key = argc == 3 ? parse_int<int16_t>(args[1]) : std::nullopt;
        auto min = argc == 3 ? parse_int<int16_t>(args[2]) : std::nullopt;
        auto max = argc == 3 ? parse_int<int16_t>(args[3]) : std::nullopt;
        if (!api_key || !min || !max) return usage("<api_key> <min> <max>");
        return result(cluster.set_apiversion(*api_key, *min, *max));
    }
    if (cmd == "create_topic") {
        auto partitions = argc == 2 || argc == 3 ? parse_int<int>(args[2]) : std::nullopt;
        auto rf = argc == 3 ? parse_int<int>(args[3]) : std::optional<int>{1};
        if (!partitions || !rf || *partitions < 1 || *rf < 1)
            return usage("<name> <partitions> [<replication>]");
        return result(cluster.create_topic(args[1], *partitions, *rf));
    }
    if (cmd == "coordinator") {
        auto broker = argc == 3 ? parse_int<int32_t>(args[3]) : std::nullopt;
        if (!broker) return usage("<group|transaction> <key> <broker_id>");
        return result(cluster.set_coordinator(args[1], args[2], *broker));
    }
    return "ERR unknown command '" + cmd + "'";
}

int usage_error(const char* argv0, const std::string& what) {
    std::cerr << argv0 << ": " << what << "\nusage: " << argv0
              << " --brokers N [--topic name:partitions[:rf]]...\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    int brokers = 3;
    std::vector<topic_spec> topics;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if ((arg == "--brokers" || arg == "--topic") && i + 1 == argc)
            return usage_error(argv[0], std::string{arg} + " needs a value");
        if (arg == "--brokers") {
            auto n = parse_int<int>(argv[++i]);
            if (!n || *n < 1) return usage_error(argv[0], "bad --brokers value");
            brokers = *n;
        } else if (arg == "--topic") {
            auto spec = parse_topic_spec(argv[++i]);
            if (!spec)
                return usage_error(argv[0], std::string{"bad --topic value '"} + argv[i] + "'");
            topics.push_back(*spec);
        } else {
            return usage_error(argv[0], "unknown argument '" + std::string{arg} + "'");
        }
    }

    if (pipe(signal_pipe) != 0) {
        std::perror("pipe");
        return 1;
    }
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);  // a reader that went away must not kill the cluster mid-reply

    try {
        mock_cluster cluster(brokers);
        // Group joins complete at once instead of after the 3 s broker default.
        cluster.set_group_initial_rebalance_delay(0);
        // Or clients that take the highest group API versions fail to join (see mock_cluster.hpp).
        if (const rd_kafka_resp_err_t err = cluster.offer_parsable_group_versions()) {
            std::cerr << argv[0] << ": group api versions: " << describe(err) << '\n';
            return 1;
        }
        for (const topic_spec& t : topics) {
            const rd_kafka_resp_err_t err =
                cluster.create_topic(t.name, t.partitions, t.replication);
            if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                std::cerr << argv[0] << ": create topic " << t.name << ": " << describe(err)
                          << '\n';
                return 1;
            }
        }
        std::cout << "BOOTSTRAP " << cluster.bootstrap() << std::endl;

        std::string pending;
        bool quit = false;
        while (!quit) {
            pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signal_pipe[0], POLLIN, 0}};
            if (poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue;
                std::perror("poll");
                return 1;
            }
            if (fds[1].revents != 0) break;
            if (fds[0].revents == 0) continue;
            char buf[4096];
            const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            const bool eof = n <= 0;
            if (!eof) pending.append(buf, static_cast<size_t>(n));
            // A last line without '\n' still counts at EOF.
            if (eof && !pending.empty() && pending.back() != '\n') pending.push_back('\n');
            size_t newline;
            while (!quit && (newline = pending.find('\n')) != std::string::npos) {
                const std::string line = pending.substr(0, newline);
                pending.erase(0, newline + 1);
                std::istringstream words(line);
                std::vector<std::string> args;
                for (std::string w; words >> w;) args.push_back(w);
                if (args.empty() || args[0].starts_with('#')) continue;
                std::cout << run_command(cluster, args, quit) << std::endl;
            }
            if (pending.size() > 65536) {  // no newline in sight: not a command stream
                std::cout << "ERR line too long" << std::endl;
                pending.clear();
            }
            if (eof) break;
        }
    } catch (const std::exception& e) {
        std::cerr << argv[0] << ": " << e.what() << '\n';
        return 1;
    }
    return 0;
}
