// kasio-cli's pieces shared by its client commands (kasio_cli.cpp: metadata, produce, consume)
// and its admin commands (cli_admin.cpp: topics, configs, groups, offsets, acls, cluster): option
// parsing helpers, JSON text, the stderr log, exit statuses; and the admin commands' entry point.
#pragma once

#include <kasio/error.hpp>
#include <kasio/config.hpp>
#include <kasio/log.hpp>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace kasio_cli {

constexpr int exit_ok = 0, exit_runtime = 1, exit_usage = 2;

constexpr std::string_view common_options =
    "  -b, --brokers B   bootstrap brokers, host:port[,host:port...] (required)\n"
    "  -X name=value     any property of the command's client, Java/librdkafka names (repeatable);\n"
    "                    -X debug=broker,protocol,feature|all logs debug lines to stderr\n"
    "  -h, --help        this text\n";

constexpr std::string_view footer =
    "\n"
    "Log lines (warnings and errors; debug ones with -X debug=...) go to stderr.\n"
    "Exit status: 0 success; 1 runtime or Kafka error (no broker answered, a record not\n"
    "delivered, an admin item failed, ...); 2 usage or configuration error (unknown option,\n"
    "bad value, bad -X).\n";

inline bool is_help(std::string_view arg) { return arg == "--help" || arg == "-h"; }

/// Splits "h:p,h:p" (and repeated entries) into host:port strings.
inline std::vector<std::string> split_brokers(std::string_view list) {
    std::vector<std::string> out;
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        if (comma != 0) out.emplace_back(list.substr(0, comma));
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return out;
}

/// A client property to set, and the command-line text it came from (for its error message).
struct property {
    std::string name, value, origin;
};

template <typename Int>
bool parse_int(std::string_view s, Int& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

inline void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                out += buf;
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

inline std::string json_string(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

// Log lines of every client go to stderr, one write per line (the producer logs from its io
// thread while the main thread reads stdin). Warnings and errors unless -X debug raises it.
inline kasio::log_config stderr_log() {
    using kasio::log_level;
    return {log_level::warning, [](log_level level, std::string_view line) {
                const char* name = level == log_level::error     ? "error"
                                   : level == log_level::warning ? "warning"
                                   : level == log_level::info    ? "info"
                                                                 : "debug";
                std::string out = "kasio-cli: ";
                out.append(name).append(": ").append(line).append("\n");
                std::fwrite(out.data(), 1, out.size(), stderr);
            }};
}

// Installs the stderr log, then applies `properties` to a client configuration (so that
// -X debug=... raises the level of that log); on a bad one, names it and returns false.
template <class Config>
bool configure(Config& cfg, kasio::connection_config& connection, const std::vector<property>& properties) {
    connection.log = stderr_log();
    for (const auto& p : properties) {
        kasio::error_context why;
        if (kasio::error_code ec = cfg.set(p.name, p.value, why)) {
            std::cerr << "kasio-cli: " << p.origin << ": " << why.describe(ec) << "\n";
            return false;
        }
    }
    return true;
}

// ---- admin commands (cli_admin.cpp)

/// True for the commands cli_admin.cpp runs: topics, configs, groups, offsets, acls, cluster.
bool is_admin_command(std::string_view command);

/// The tool usage's lines for the admin commands.
std::string_view admin_commands_summary();

/// Parses and runs `kasio-cli <admin command> ...` (argv[1] is the command); prints its usage,
/// output and errors, and returns the exit status.
int run_admin_command(int argc, char** argv);

}  // namespace kasio_cli
