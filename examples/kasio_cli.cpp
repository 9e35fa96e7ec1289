// kasio-cli: a kcat-like command line tool. Scripts depend on this contract (issue 8):
//
//   kasio-cli metadata --brokers B
//       the cluster's brokers, topics, partitions, leaders, replicas and in-sync replicas as one
//       JSON document (consumer::async_metadata).
//   kasio-cli produce --brokers B --topic T [--partition P] [--key-delimiter C] [--header k=v]...
//             [--codec none|gzip|snappy|lz4|zstd] [--acks 0|1|all]
//             [--transactional-id ID [--txn-lines N]] [--stats-interval MS]
//       one record per stdin line (key before the first C when --key-delimiter is given; no C in
//       the line: a null key); exits non-zero with a message if any record failed. With
//       --transactional-id the records go in transactions, one per N lines (default: one for
//       the whole input), each committed; a failed commit is aborted and ends the tool (exit 1)
//       with the error and its context. Transactions committed before it stay committed.
//   kasio-cli consume --brokers B --topic T [--partition P] [--offset beginning|end|N]
//             [--count N] [--group G] [--stats-interval MS]
//       one JSON object per record on stdout,
//       {"topic":..,"partition":..,"offset":..,"timestamp":..,"key":..,"value":..,"headers":{..}}
//       (key, value and header values as strings, null when null); exits after --count records,
//       else runs until SIGINT/SIGTERM. Starts at the beginning by default (as kcat). With
//       --group (and no --partition) it joins group G subscribed to T, starts at the group's
//       committed offsets (--offset beginning|end: where partitions without one start), commits
//       automatically and on exit.
//   --stats-interval MS (produce, consume): the client's statistics JSON (statistics.interval.ms,
//       docs/observability.md) on stderr every MS ms, one object per line, and once more at the
//       end of the run (after the flush; after --count records).
//
// Admin commands (issue 17; examples/cli_admin.cpp, kasio::admin): one JSON object per item on
// stdout, one line each, field names as in kasio/admin_types.hpp. A failed item carries
// "error" (the Kafka error name, e.g. "topic_already_exists") and "message" (the broker's or
// kasio's explanation), and gets one stderr line; the command then exits 1.
//   kasio-cli topics list [--internal]                      {"name","topic_id","internal"}
//   kasio-cli topics create --topic T [--partitions P] [--replication R] [--config k=v]...
//             [--validate-only]             {"name","topic_id","num_partitions","replication_factor"}
//   kasio-cli topics delete --topic T...                    {"name"}
//   kasio-cli topics describe --topic T...                  {"name","topic_id","internal",
//       "partitions":[{"partition","leader","leader_epoch","replicas","isr","offline_replicas"
//       (,"error": a partition's own, e.g. leader_not_available; not a failure)}]}
//   kasio-cli configs get --type topic|broker --name N [--synonyms]
//       {"resource_type","name","entries":[{"name","value","source","read_only","sensitive",
//       "default"(,"synonyms":[{"name","value","source"}])}]}
//   kasio-cli configs set --type topic|broker --name N [--set k=v]... [--delete k]...
//             [--validate-only]                             {"resource_type","name"}
//   kasio-cli groups list               {"group_id","protocol_type","state","type","coordinator"}
//   kasio-cli groups describe --group G...  {"group_id","type","state","protocol_type","assignor",
//       "coordinator","group_epoch","assignment_epoch","members":[{"member_id",
//       "group_instance_id","client_id","host","assignment":[{"topic","partition"}],"member_epoch"}]}
//   kasio-cli groups delete --group G...                    {"group_id"}
//   kasio-cli offsets reset --group G --topic T [--partition P]...
//             (--to-earliest | --to-latest | --to-timestamp MS | --to-offset N | --shift-by N)
//             [--execute]
//       the plan, {"topic","partition","current","new"} per partition (current null: nothing
//       committed); --to-offset and --shift-by are kept within [earliest, latest] (as
//       kafka-consumer-groups.sh), --to-timestamp past the last record is the end, --shift-by
//       from no committed offset fails (error "no_committed_offset"). A dry run unless --execute,
//       which commits the plan (alter_consumer_group_offsets) only if every partition has its new
//       offset; a group with active members fails per partition (unknown_member_id).
//   kasio-cli acls list [resource] [--resource-pattern-type literal|prefixed|any|match]
//             [--principal P] [--host H] [--operation O] [--allow|--deny]
//   kasio-cli acls create resource [--resource-pattern-type literal|prefixed] --principal P
//             [--host H] --operation O (--allow|--deny)
//   kasio-cli acls delete resource [--resource-pattern-type literal|prefixed|any|match]
//             [--principal P] [--host H] [--operation O] [--allow|--deny]
//       {"resource_type","resource_name","pattern_type","principal","host","operation",
//       "permission"} per ACL listed, created or deleted, values lowercase as Java's enum names
//       (operation "delete", "cluster_action", ...). The options are kafka-acls.sh's: resource is
//       one of --topic T, --group G, --cluster, --transactional-id I, --user U (required by create
//       and delete); a named resource filters its literal ACLs unless --resource-pattern-type says
//       otherwise; --host defaults to * for create; an option left out of a filter matches any.
//       A delete filter that fails as a whole prints the filter (null: any name, principal or
//       host) with its error; one that matches nothing is not a failure (a stderr note).
//   kasio-cli cluster  {"cluster_id","controller_id","brokers":[{"node_id","host","port","rack"}]}
//   A command whose operation fails as a whole (no broker answered) exits 1 with one stderr line.
//   Admin commands with several subcommands: a missing or unknown subcommand is a usage error.
//
//   -X name=value (every command) sets any kasio property of that client; a bad property is an
//   error naming it. Brokers: host:port[,host:port...].
//   --help / -h (the tool, every command): usage on stdout, exit 0.
//
// Log lines of every client the tool makes go to stderr: warnings and errors by default, debug
// lines too with -X debug=broker,protocol,feature (or all).
//
// Exit status (issue 14): 0 success; 1 a runtime or Kafka error (no broker answered, a record
// not delivered, a poll that cannot go on, an admin item that failed); 2 a usage or
// configuration error (unknown command, subcommand or option, bad value, bad -X property), with
// the usage on stderr for the first kinds.
#include "cli_admin.hpp"

#include <kasio/broker_errc.hpp>
#include <kasio/consumer.hpp>
#include <kasio/producer.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <future>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace kasio;
using namespace kasio_cli;

namespace {

struct options {
    std::string command;
    std::vector<std::string> brokers;
    std::string topic;
    std::optional<std::int32_t> partition;
    std::string key_delimiter;  // empty: no key
    std::vector<std::pair<std::string, std::string>> headers;
    std::string offset = "beginning";
    std::optional<std::int64_t> count;
    std::string group;
    bool transactional = false;  // --transactional-id
    std::optional<std::int64_t> txn_lines;  // lines per transaction; none: the whole input
    bool stats = false;  // --stats-interval: statistics JSON lines on stderr
    /// Properties in the order to apply: those the flags stand for, then -X.
    std::vector<property> properties;
};

void append_json_bytes(std::string& out, const std::optional<bytes_view>& b) {
    if (!b) out += "null";
    else append_json_string(out, {reinterpret_cast<const char*>(b->data()), b->size()});
}

std::string tool_usage() {
    return std::string("usage: kasio-cli <command> [options]   (kasio-cli <command> --help: its options)\n"
                       "\n"
                       "commands:\n"
                       "  metadata   brokers, topics, partitions and leaders as one JSON document\n"
                       "  produce    one record per stdin line\n"
                       "  consume    one JSON object per record on stdout\n") +
           std::string(admin_commands_summary()) + "\noptions of every command:\n" + std::string(common_options) + std::string(footer);
}

std::string command_usage(const std::string& command) {
    std::string text;
    if (command == "metadata") {
        text = "usage: kasio-cli metadata --brokers B [-X name=value]...\n"
               "  the cluster's brokers, topics, partitions and leaders, and the API versions\n"
               "  negotiated with the bootstrap broker, as one JSON document on stdout\n";
    } else if (command == "produce") {
        text = "usage: kasio-cli produce --brokers B --topic T [options] < lines\n"
               "  one record per stdin line; exits 1 if any record failed\n"
               "  -t, --topic T           (required)\n"
               "  -p, --partition P       every record to partition P (default: the partitioner)\n"
               "  --key-delimiter C       the key is what comes before the first C (no C: null key)\n"
               "  --header k=v            a header on every record (repeatable)\n"
               "  --codec C               none|gzip|snappy|lz4|zstd\n"
               "  --acks A                0|1|all (not all turns idempotence off)\n"
               "  --transactional-id ID   send in transactions (transactional.id ID), each committed;\n"
               "                          a failed commit is aborted and exits 1\n"
               "  --txn-lines N           one transaction per N lines (default: one for all of stdin)\n"
               "  --stats-interval MS     the producer's statistics JSON on stderr every MS ms, one\n"
               "                          object per line, and once more after the last record\n";
    } else {
        text = "usage: kasio-cli consume --brokers B --topic T [options]\n"
               "  one JSON object per record on stdout; runs until --count records or SIGINT/SIGTERM\n"
               "  -t, --topic T           (required)\n"
               "  -p, --partition P       only partition P (default: every partition)\n"
               "  --offset O              beginning|end|N: where to start (default beginning)\n"
               "  --count N               exit after N records\n"
               "  --group G               join group G: start at its committed offsets, commit\n"
               "                          what was printed\n"
               "  --stats-interval MS     the consumer's statistics JSON on stderr every MS ms, one\n"
               "                          object per line, and once more at the end (--count)\n";
    }
    return text + std::string(common_options) + std::string(footer);
}

/// What the command line asks for.
enum class parsed { run, help, bad };

// On `bad`, `error` says why and `usage` is the text to print after it (the tool's or the
// command's); on `help`, `usage` is the text asked for.
parsed parse_args(int argc, char** argv, options& opt, std::string& error, std::string& usage) {
    usage = tool_usage();
    if (argc < 2) {
        error = "missing command";
        return parsed::bad;
    }
    opt.command = argv[1];
    if (is_help(opt.command)) return parsed::help;
    const bool produce = opt.command == "produce", consume = opt.command == "consume";
    if (!produce && !consume && opt.command != "metadata") {
        error = "unknown command " + opt.command;
        return parsed::bad;
    }
    usage = command_usage(opt.command);
    std::vector<property> extra;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (is_help(arg)) return parsed::help;
        if (i + 1 >= argc) {
            error = "missing value after " + arg;
            return parsed::bad;
        }
        const std::string value = argv[++i];
        const std::string origin = arg + " " + value;
        bool ok = true, known = true;
        if (arg == "--brokers" || arg == "-b") {
            for (auto& b : split_brokers(value)) opt.brokers.push_back(std::move(b));
        } else if (arg == "-X") {
            const auto eq = value.find('=');
            if (eq == std::string::npos || eq == 0) {
                error = "-X takes name=value, got " + value;
                return parsed::bad;
            }
            extra.push_back({value.substr(0, eq), value.substr(eq + 1), "-X " + value});
        } else if ((produce || consume) && (arg == "--topic" || arg == "-t")) {
            opt.topic = value;
        } else if ((produce || consume) && (arg == "--partition" || arg == "-p")) {
            std::int32_t p = 0;
            ok = parse_int(value, p) && p >= 0;
            opt.partition = p;
        } else if (produce && arg == "--key-delimiter") {
            ok = !value.empty();
            opt.key_delimiter = value;
        } else if (produce && arg == "--header") {
            const auto eq = value.find('=');
            ok = eq != std::string::npos && eq > 0;
            if (ok) opt.headers.emplace_back(value.substr(0, eq), value.substr(eq + 1));
        } else if (produce && arg == "--codec") {
            opt.properties.push_back({"compression.type", value, origin});
        } else if (produce && arg == "--acks") {
            opt.properties.push_back({"acks", value, origin});
            // As the Java client: idempotence needs acks=all, so other acks turn it off.
            if (value != "all" && value != "-1") opt.properties.push_back({"enable.idempotence", "false", origin});
        } else if (produce && arg == "--transactional-id") {
            ok = !value.empty();
            opt.properties.push_back({"transactional.id", value, origin});
            opt.transactional = true;
        } else if (produce && arg == "--txn-lines") {
            std::int64_t n = 0;
            ok = parse_int(value, n) && n > 0;
            opt.txn_lines = n;
        } else if (consume && arg == "--offset") {
            std::int64_t n = 0;
            ok = value == "beginning" || value == "end" || (parse_int(value, n) && n >= 0);
            opt.offset = value;
        } else if (consume && arg == "--count") {
            std::int64_t n = 0;
            ok = parse_int(value, n) && n > 0;
            opt.count = n;
        } else if ((produce || consume) && arg == "--stats-interval") {
            std::int64_t ms = 0;
            ok = parse_int(value, ms) && ms > 0;
            opt.properties.push_back({"statistics.interval.ms", value, origin});
            opt.stats = true;
        } else if (consume && arg == "--group") {
            opt.properties.push_back({"group.id", value, origin});
            opt.group = value;
        } else {
            known = false;
        }
        if (!known) {
            error = "unknown option " + arg + " for " + opt.command;
            return parsed::bad;
        }
        if (!ok) {
            error = "bad value '" + value + "' for " + arg;
            return parsed::bad;
        }
    }
    opt.properties.insert(opt.properties.end(), extra.begin(), extra.end());
    if (opt.brokers.empty()) {
        error = "--brokers is required";
        return parsed::bad;
    }
    if ((produce || consume) && opt.topic.empty()) {
        error = "--topic is required";
        return parsed::bad;
    }
    if (opt.txn_lines && !opt.transactional) {
        error = "--txn-lines needs --transactional-id";
        return parsed::bad;
    }
    return parsed::run;
}

// ---- metadata ----

std::string error_number(const error_code& ec) { return std::to_string(ec ? ec.value() : 0); }

std::string id_list(const std::vector<std::int32_t>& ids) {
    std::string out = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
    return out + "]";
}

std::string metadata_json(const cluster_metadata& md) {
    std::ostringstream out;
    out << "{\"cluster_id\":" << (md.cluster_id ? json_string(*md.cluster_id) : "null")
        << ",\"controller_id\":" << md.controller_id << ",\"brokers\":[";
    for (std::size_t i = 0; i < md.brokers.size(); ++i) {
        const auto& b = md.brokers[i];
        out << (i ? "," : "") << "{\"id\":" << b.node_id << ",\"host\":" << json_string(b.host)
            << ",\"port\":" << b.port << ",\"rack\":" << (b.rack ? json_string(*b.rack) : "null") << "}";
    }
    out << "],\"topics\":[";
    for (std::size_t i = 0; i < md.topics.size(); ++i) {
        const auto& t = md.topics[i];
        out << (i ? "," : "") << "{\"name\":" << json_string(t.name) << ",\"internal\":" << (t.is_internal ? "true" : "false")
            << ",\"error\":" << error_number(t.error) << ",\"partitions\":[";
        for (std::size_t j = 0; j < t.partitions.size(); ++j) {
            const auto& p = t.partitions[j];
            out << (j ? "," : "") << "{\"partition\":" << p.partition << ",\"leader\":" << p.leader
                << ",\"leader_epoch\":" << p.leader_epoch << ",\"replicas\":" << id_list(p.replicas)
                << ",\"isr\":" << id_list(p.isr) << ",\"error\":" << error_number(p.error) << "}";
        }
        out << "]}";
    }
    out << "]}";
    return out.str();
}

// Every topic, through a consumer's metadata call (the bootstrap brokers in order until one
// answers).
asio::awaitable<int> run_metadata(const consumer_config& cfg) {
    consumer c(co_await asio::this_coro::executor, cfg);
    auto [ec, md] = co_await c.async_metadata({}, asio::as_tuple(asio::use_awaitable));
    co_await c.async_close(asio::as_tuple(asio::use_awaitable));
    if (ec) {
        std::cerr << "kasio-cli: no bootstrap broker answered: " << c.last_error().describe() << "\n";
        co_return exit_runtime;
    }
    std::cout << metadata_json(md) << std::endl;
    co_return exit_ok;
}

// The partition count of `topic` in `md`; 0 with a message on stderr when the cluster does not
// say.
std::int32_t partition_count(error_code ec, const cluster_metadata& md, const std::string& topic) {
    const topic_description* t = ec ? nullptr : md.topic(topic);
    if (!ec && !t) ec = make_error_code(broker_errc::unknown_topic_or_partition);
    if (!ec && t->error) ec = t->error;
    if (ec) {
        std::cerr << "kasio-cli: metadata for topic " << topic << ": " << ec.message() << "\n";
        return 0;
    }
    return static_cast<std::int32_t>(t->partitions.size());
}

// ---- produce ----

// Starts an operation of the producer (on the io thread) and waits for it on this one.
template <class Start>
error_code wait_for(Start&& start) {
    std::promise<error_code> done;
    start([&done](error_code ec) { done.set_value(ec); });
    return done.get_future().get();
}

// The transactions of `produce --transactional-id`, driven from the main thread: each call
// waits for its operation on the io thread, so the reading loop stays sequential.
class transaction_driver {
public:
    explicit transaction_driver(producer& p) : p_(p) {}

    // The error has been printed when this returns false.
    bool init() {
        const error_code ec = wait_for([this](auto h) { p_.async_init_transactions(std::move(h)); });
        return ec ? fail("init_transactions", ec) : true;
    }

    // Opens a transaction for line `n` when none is open.
    bool before_send(std::int64_t n) {
        if (open_) return true;
        if (error_code ec = p_.begin_transaction()) return fail("begin_transaction", ec);
        open_ = true;
        first_line_ = n;
        return true;
    }

    // Commits the open transaction (if any), which holds lines first_line_..`last_line`; a
    // commit that fails is aborted.
    bool commit(std::int64_t last_line) {
        if (!open_) return true;
        open_ = false;
        error_code ec = wait_for([this](auto h) { p_.async_commit_transaction(std::move(h)); });
        // Timed out after max.block.ms: the commit goes on in the producer, and asking again
        // waits for that same commit (producer.hpp). A few times, then it counts as failed.
        for (int again = 0; again < 3 && ec == client_errc::timed_out &&
                            p_.transaction_state() == kasio::transaction_state::committing;
             ++again) {
            std::cerr << "kasio-cli: commit still running after max.block.ms, waiting again\n";
            ec = wait_for([this](auto h) { p_.async_commit_transaction(std::move(h)); });
        }
        if (!ec) {
            ++committed_;
            return true;
        }
        // Read before the abort, which may replace it with its own outcome.
        const error_info why = p_.last_error();
        std::cerr << "kasio-cli: commit of transaction " << committed_ + 1 << " (lines " << first_line_ << "-"
                  << last_line << ") failed: " << ec.message() << " (" << why.describe() << "; transaction state "
                  << to_string(p_.transaction_state()) << ")\n";
        const error_code abort_ec = wait_for([this](auto h) { p_.async_abort_transaction(std::move(h)); });
        if (abort_ec)
            std::cerr << "kasio-cli: abort failed too: " << abort_ec.message() << " (" << p_.last_error().describe()
                      << ")\n";
        else
            std::cerr << "kasio-cli: transaction " << committed_ + 1 << " aborted; " << committed_
                      << " committed before it stay committed\n";
        return false;
    }

private:
    bool fail(const char* what, error_code ec) {
        std::cerr << "kasio-cli: " << what << ": " << ec.message() << " (" << p_.last_error().describe()
                  << "; transaction state " << to_string(p_.transaction_state()) << ")\n";
        return false;
    }

    producer& p_;
    bool open_ = false;
    std::int64_t first_line_ = 0;
    std::int64_t committed_ = 0;
};

// Reads stdin on the main thread and sends from it (async_send is callable from any thread);
// the producer runs on the io thread. At most `max_outstanding` records wait for delivery, so
// a large input does not pile up in memory ahead of the broker.
// --stats-interval: one statistics JSON object per line on stderr (stdout carries the records).
void print_statistics(const std::string& json) {
    std::string line = json;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

int run_produce(const options& opt, const producer_config& cfg) {
    constexpr std::int64_t max_outstanding = 100000;
    struct progress_state {
        std::mutex m;
        std::condition_variable cv;
        std::int64_t outstanding = 0, failed = 0, first_failed_line = 0;
        error_code first_error;
        std::string first_explained;  // the error with its context (broker message, partition)
    } st;

    asio::io_context io(1);
    auto work = asio::make_work_guard(io);
    std::int64_t lines = 0;
    error_code close_ec;
    bool txn_ok = true;
    {
        producer p(io.get_executor(), cfg);  // may throw config_error: before any thread exists
        std::thread io_thread([&io] { io.run(); });
        std::vector<record_header> headers;
        for (const auto& [k, v] : opt.headers) headers.push_back({k, bytes_of(v)});
        std::optional<transaction_driver> txn;
        if (opt.transactional) {
            txn.emplace(p);
            txn_ok = txn->init();
        }

        std::string line;
        while (txn_ok && std::getline(std::cin, line)) {
            const std::int64_t n = ++lines;
            if (txn && !txn->before_send(n)) {
                txn_ok = false;
                break;
            }
            record r;
            r.topic = opt.topic;
            r.partition = opt.partition;
            r.headers = headers;
            std::string_view value = line;
            if (!opt.key_delimiter.empty()) {
                if (const auto at = value.find(opt.key_delimiter); at != std::string_view::npos) {
                    r.key = bytes_of(value.substr(0, at));
                    value.remove_prefix(at + opt.key_delimiter.size());
                }
            }
            r.value = bytes_of(value);
            {
                std::unique_lock lock(st.m);
                st.cv.wait(lock, [&st] { return st.outstanding < max_outstanding; });
                ++st.outstanding;
            }
            p.async_send(r, [&st, n](error_code ec, const delivery& d) {
                std::lock_guard lock(st.m);
                --st.outstanding;
                if (ec && st.failed++ == 0) {
                    st.first_error = ec;
                    st.first_explained = d.context ? d.context->describe(ec) : ec.message();
                    st.first_failed_line = n;
                }
                st.cv.notify_one();
            });
            if (txn && opt.txn_lines && n % *opt.txn_lines == 0) txn_ok = txn->commit(n);
        }
        if (txn && txn_ok) txn_ok = txn->commit(lines);
        // Flush first: close() stops accepting records, and sends still waiting for the topic's
        // metadata (all of them, with a short input) would fail with connection_closed.
        std::promise<error_code> flushed, closed;
        p.async_flush([&flushed](error_code ec) { flushed.set_value(ec); });
        close_ec = flushed.get_future().get();
        if (opt.stats) print_statistics(p.statistics_json());
        p.async_close(std::chrono::seconds(30), [&closed](error_code ec) { closed.set_value(ec); });
        if (error_code ec = closed.get_future().get(); !close_ec) close_ec = ec;
        work.reset();
        io.stop();
        io_thread.join();
    }
    std::lock_guard lock(st.m);
    if (st.failed > 0) {
        std::cerr << "kasio-cli: " << st.failed << " of " << lines << " records failed; first (line "
                  << st.first_failed_line << "): " << st.first_explained << "\n";
        return exit_runtime;
    }
    if (!txn_ok) return exit_runtime;  // the transaction's error was printed
    if (close_ec) {
        std::cerr << "kasio-cli: closing the producer: " << close_ec.message() << "\n";
        return exit_runtime;
    }
    return exit_ok;
}

// ---- consume ----

void append_record_json(std::string& out, const consumer_record& r) {
    out += "{\"topic\":";
    append_json_string(out, r.topic);
    out += ",\"partition\":" + std::to_string(r.partition) + ",\"offset\":" + std::to_string(r.offset) +
           ",\"timestamp\":" + std::to_string(r.timestamp) + ",\"key\":";
    append_json_bytes(out, r.key);
    out += ",\"value\":";
    append_json_bytes(out, r.value);
    out += ",\"headers\":{";
    bool first = true;
    for (const record_header& h : r.headers) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, h.key);
        out += ':';
        append_json_bytes(out, h.value);
    }
    out += "}}\n";
}

asio::awaitable<int> consume(consumer& c, const options& opt) {
    std::vector<topic_partition> parts;
    if (!opt.group.empty() && !opt.partition) {
        c.subscribe({opt.topic});  // where to start: committed offsets, else auto.offset.reset
    } else if (opt.partition) {
        parts.push_back({opt.topic, *opt.partition});
    } else {
        // Named first: g++ 12 cannot keep an initializer list alive across a co_await.
        std::vector<std::string> topics{opt.topic};
        auto [ec, md] = co_await c.async_metadata(std::move(topics), asio::as_tuple(asio::use_awaitable));
        const std::int32_t count = partition_count(ec, md, opt.topic);
        if (count == 0) co_return exit_runtime;
        for (std::int32_t p = 0; p < count; ++p) parts.push_back({opt.topic, p});
    }
    if (!parts.empty()) c.assign(parts);
    if (parts.empty()) {
        // A group member: the group decides the partitions.
    } else if (opt.offset == "beginning") {
        c.seek_to_beginning(parts);
    } else if (opt.offset == "end") {
        c.seek_to_end(parts);
    } else {
        std::int64_t offset = 0;
        parse_int(opt.offset, offset);  // checked by parse_args
        for (const topic_partition& tp : parts) c.seek(tp, offset);
    }

    std::int64_t printed = 0;
    std::string out;
    while (!opt.count || printed < *opt.count) {
        auto [ec, batch] = co_await c.async_poll(asio::as_tuple(asio::use_awaitable));
        out.clear();
        std::vector<partition_offset> done;  // group mode: what was printed, to commit
        for (const consumer_record& r : batch) {
            if (opt.count && printed == *opt.count) break;
            append_record_json(out, r);
            ++printed;
            auto it = std::find_if(done.begin(), done.end(), [&](const auto& o) { return o.partition == r.partition; });
            if (it != done.end()) it->offset = r.offset + 1;
            else done.push_back(partition_offset{std::string(r.topic), r.partition, r.offset + 1, {}});
        }
        std::fwrite(out.data(), 1, out.size(), stdout);
        std::fflush(stdout);
        if (parts.empty() && !done.empty()) {
            // Exactly what was printed: records after --count stay for the group's next reader.
            auto [cec] = co_await c.async_commit(std::move(done), asio::as_tuple(asio::use_awaitable));
            if (cec) std::cerr << "kasio-cli: commit: " << cec.message() << "\n";
        }
        if (ec == asio::error::operation_aborted) co_return opt.count ? exit_runtime : exit_ok;  // a signal
        if (ec) {
            std::cerr << "kasio-cli: consume: " << batch.context().describe(ec) << "\n";
            if (!is_retriable(ec)) co_return exit_runtime;
        }
    }
    if (opt.stats) print_statistics(c.statistics_json());
    co_await c.async_close(asio::as_tuple(asio::use_awaitable));
    co_return exit_ok;
}

// An exception that ended a command: says what it was and returns the exit status.
int report(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const config_error& ex) {  // a client refused its configuration: names the property
        std::cerr << "kasio-cli: " << ex.what() << "\n";
        return exit_usage;
    } catch (const std::exception& ex) {
        std::cerr << "kasio-cli: " << ex.what() << "\n";
    } catch (...) {
        std::cerr << "kasio-cli: unknown exception\n";
    }
    return exit_runtime;
}

int run_consume(const options& opt, const consumer_config& cfg) {
    asio::io_context io(1);
    int rc = exit_runtime;
    consumer c(io.get_executor(), cfg);
    // SIGINT/SIGTERM: close the consumer; the pending poll ends with operation_aborted.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&c](error_code ec, int) {
        if (!ec) c.async_close([](error_code) {});
    });
    asio::co_spawn(io, consume(c, opt), [&](std::exception_ptr e, int r) {
        rc = e ? report(e) : r;
        io.stop();
    });
    io.run();
    return rc;
}

int run_in_io(asio::awaitable<int> task) {
    asio::io_context io;
    int exit_code = exit_runtime;
    asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, int rc) { exit_code = e ? report(e) : rc; });
    io.run();
    return exit_code;
}

int run(options& opt) {
    if (opt.command == "produce") {
        producer_config cfg;
        cfg.bootstrap_servers = opt.brokers;
        if (opt.stats) cfg.connection.statistics_callback = print_statistics;
        return configure(cfg, cfg.connection, opt.properties) ? run_produce(opt, cfg) : exit_usage;
    }
    if (opt.command == "consume") {
        consumer_config cfg;
        cfg.bootstrap_servers = opt.brokers;
        if (opt.stats) cfg.connection.statistics_callback = print_statistics;
        if (!opt.group.empty() && !opt.partition) {
            if (opt.offset != "beginning" && opt.offset != "end") {
                std::cerr << "kasio-cli: --offset " << opt.offset << " with --group: the group's committed offsets decide\n";
                return exit_usage;
            }
            // Applied first: -X still overrides them. Commits are of what was printed (above).
            const std::string origin = "--group " + opt.group;
            opt.properties.insert(opt.properties.begin(),
                                  {{"auto.offset.reset", opt.offset == "end" ? "latest" : "earliest", origin},
                                   {"enable.auto.commit", "false", origin}});
        }
        return configure(cfg, cfg.connection, opt.properties) ? run_consume(opt, cfg) : exit_usage;
    }
    consumer_config cfg;
    cfg.bootstrap_servers = opt.brokers;
    if (!configure(cfg, cfg.connection, opt.properties)) return exit_usage;
    return run_in_io(run_metadata(cfg));
}

}  // namespace

int main(int argc, char** argv) {
    // The admin commands have subcommands and flags of their own: cli_admin.cpp parses them.
    if (argc >= 2 && is_admin_command(argv[1])) {
        try {
            return run_admin_command(argc, argv);
        } catch (...) {
            return report(std::current_exception());
        }
    }
    options opt;
    std::string error, usage;
    switch (parse_args(argc, argv, opt, error, usage)) {
    case parsed::help: std::cout << usage; return exit_ok;
    case parsed::bad: std::cerr << "kasio-cli: " << error << "\n\n" << usage; return exit_usage;
    case parsed::run: break;
    }
    try {
        return run(opt);
    } catch (...) {
        return report(std::current_exception());
    }
}
