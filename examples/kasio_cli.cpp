// kasio-cli: a kcat-like command line tool.
//
//   kasio-cli metadata --brokers host:port[,host:port...] [-X name=value]...
//       prints the cluster's brokers, topics, partitions and leaders as one JSON document,
//       plus the API versions kasio negotiated with the bootstrap broker.
//
// produce/consume arrive with the producer and consumer.
#include "net/connection.hpp"
#include "protocol/messages.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace kasio;

namespace {

struct options {
    std::string command;
    std::vector<std::string> brokers;
    connection_config config;
};

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

bool parse_args(int argc, char** argv, options& opt, std::string& error) {
    if (argc < 2) {
        error = "usage: kasio-cli metadata --brokers host:port[,...] [-X name=value]...";
        return false;
    }
    opt.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (i + 1 >= argc) {
            error = "missing value after " + arg;
            return false;
        }
        std::string value = argv[++i];
        if (arg == "--brokers" || arg == "-b") {
            std::stringstream ss(value);
            for (std::string b; std::getline(ss, b, ',');)
                if (!b.empty()) opt.brokers.push_back(b);
        } else if (arg == "-X") {
            auto eq = value.find('=');
            if (eq == std::string::npos) {
                error = "-X takes name=value, got " + value;
                return false;
            }
            if (auto ec = opt.config.set(value.substr(0, eq), value.substr(eq + 1))) {
                error = "invalid property " + value.substr(0, eq) + ": " + ec.message();
                return false;
            }
        } else {
            error = "unknown option " + arg;
            return false;
        }
    }
    if (opt.command != "metadata") {
        error = "unknown command " + opt.command + " (this build has: metadata)";
        return false;
    }
    if (opt.brokers.empty()) {
        error = "--brokers is required";
        return false;
    }
    return true;
}

std::string metadata_json(const net::connection& conn, const protocol::msg::metadata_response& md) {
    std::ostringstream out;
    out << "{\"cluster_id\":" << (md.cluster_id ? json_string(*md.cluster_id) : "null")
        << ",\"controller_id\":" << md.controller_id << ",\"api_versions\":{";
    const std::pair<const char*, std::int16_t> apis[] = {
        {"api_versions", 18}, {"metadata", 3}, {"produce", 0}, {"fetch", 1}, {"list_offsets", 2}};
    for (std::size_t i = 0; i < std::size(apis); ++i)
        out << (i ? "," : "") << json_string(apis[i].first) << ":" << conn.negotiated_version(apis[i].second);
    out << "},\"brokers\":[";
    for (std::size_t i = 0; i < md.brokers.size(); ++i) {
        const auto& b = md.brokers[i];
        out << (i ? "," : "") << "{\"id\":" << b.node_id << ",\"host\":" << json_string(b.host)
            << ",\"port\":" << b.port << ",\"rack\":" << (b.rack ? json_string(*b.rack) : "null") << "}";
    }
    out << "],\"topics\":[";
    for (std::size_t i = 0; i < md.topics.size(); ++i) {
        const auto& t = md.topics[i];
        out << (i ? "," : "") << "{\"name\":" << (t.name ? json_string(*t.name) : "null")
            << ",\"error\":" << t.error_code << ",\"partitions\":[";
        for (std::size_t j = 0; j < t.partitions.size(); ++j) {
            const auto& p = t.partitions[j];
            out << (j ? "," : "") << "{\"partition\":" << p.partition_index << ",\"leader\":" << p.leader_id
                << ",\"leader_epoch\":" << p.leader_epoch << ",\"error\":" << p.error_code << "}";
        }
        out << "]}";
    }
    out << "]}";
    return out.str();
}

asio::awaitable<int> run_metadata(const options& opt) {
    // Bootstrap brokers are tried in order until one answers.
    error_code last_error;
    for (const std::string& broker : opt.brokers) {
        auto colon = broker.rfind(':');
        std::string host = colon == std::string::npos ? broker : broker.substr(0, colon);
        std::string port = colon == std::string::npos ? "9092" : broker.substr(colon + 1);
        net::connection conn(co_await asio::this_coro::executor, opt.config);
        auto [ec] = co_await conn.async_connect(host, port, asio::as_tuple(asio::use_awaitable));
        if (ec) {
            last_error = ec;
            continue;
        }
        protocol::msg::metadata_request request;
        request.topics = std::nullopt;  // all topics
        auto [req_ec, frame] = co_await conn.async_request(request, asio::as_tuple(asio::use_awaitable));
        protocol::msg::metadata_response response;
        if (!req_ec) req_ec = net::decode_response(frame, response);
        if (req_ec) {
            last_error = req_ec;
            continue;
        }
        std::cout << metadata_json(conn, response) << std::endl;
        co_return 0;
    }
    std::cerr << "kasio-cli: no bootstrap broker answered: " << last_error.message() << "\n";
    co_return 1;
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    std::string error;
    if (!parse_args(argc, argv, opt, error)) {
        std::cerr << "kasio-cli: " << error << "\n";
        return 2;
    }
    asio::io_context io;
    int exit_code = 1;
    asio::co_spawn(io, run_metadata(opt), [&](std::exception_ptr e, int rc) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                std::cerr << "kasio-cli: " << ex.what() << "\n";
            }
        }
        exit_code = e ? 1 : rc;
    });
    io.run();
    return exit_code;
}
