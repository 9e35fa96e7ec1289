// Consume-transform-produce, exactly once (KIP-98, KIP-447), in one coroutine:
//   exactly_once --brokers B --input T --output T --group G --transactional-id ID
//                [--max-idle-ms N (default 10000)] [-X name=value]...
//
// A consumer in group G (isolation.level=read_committed, no auto commit) reads the input topic;
// a transactional producer writes each record's value uppercased, with the same key, to the
// output topic. One transaction per poll batch holds the output records and the consumer's
// positions after the batch (async_send_offsets_to_transaction with group_metadata(), so the
// coordinator refuses offsets from a member that lost its generation). Committed: the output
// and the input offsets become visible together. Aborted: neither does, and the consumer seeks
// back to where the batch started, so its records are processed again in the next transaction.
// A read_committed reader of the output thus sees every committed input record once.
//
// Runs until no record arrived for --max-idle-ms while partitions were assigned (the clock stops
// while the group has given this member none: after a member was killed, the group waits for its
// session to expire before it assigns again), or SIGINT/SIGTERM (the open transaction is
// finished first). The last stdout line is one JSON object:
//   {"records_in":N,"records_out":N,"transactions_committed":N,"transactions_aborted":N}
// records_in counts records polled (those read again after an abort included); records_out
// those in committed transactions. -X sets a property of both clients when both have it (e.g.
// debug), else of the one that has it. Exit status: 0 done; 1 a fatal error (fenced producer,
// a poll error that retrying cannot fix); 2 usage or configuration error.
#include <kasio/kasio.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using kasio::error_code;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace {

struct options {
    std::string brokers, input, output, group, transactional_id;
    std::chrono::milliseconds max_idle{10000};
    std::vector<std::pair<std::string, std::string>> properties;  // -X, in order
};

struct counters {
    std::int64_t records_in = 0, records_out = 0, committed = 0, aborted = 0;
};

// Where each partition of a batch starts and ends: the seek target after an abort, and the
// offsets the transaction commits.
struct partition_span {
    std::int64_t first = 0, last = 0;
};

void print_error(const char* what, error_code ec, const kasio::error_info& why) {
    std::fprintf(stderr, "exactly_once: %s: %s (%s)\n", what, ec.message().c_str(), why.describe().c_str());
}

class pipeline {
public:
    pipeline(kasio::consumer& c, kasio::producer& p, const options& opt) : c_(c), p_(p), opt_(opt) {}

    const counters& count() const { return n_; }
    // SIGINT/SIGTERM: the loop ends after the transaction it is in (at most one poll timeout).
    void stop() { stopping_ = true; }

    // 0 when it stopped as asked (idle or signal), 1 after a fatal error.
    asio::awaitable<int> run() {
        if (auto [ec] = co_await p_.async_init_transactions(tuple_awaitable); ec) {
            print_error("init_transactions", ec, p_.last_error());
            co_return 1;
        }
        std::vector<std::string> topics{opt_.input};  // named: g++ 12 loses initializer lists across co_await
        // No commit in the listener: the transactions carry the offsets. It only tells whether
        // there is anything to wait for. Called on the consumer's strand, which is this thread.
        kasio::rebalance_listener listener;
        listener.on_assigned = [this](const std::vector<kasio::topic_partition>& tps) {
            for (const auto& tp : tps) assigned_.insert(tp);
        };
        listener.on_revoked = listener.on_lost = [this](const std::vector<kasio::topic_partition>& tps) {
            for (const auto& tp : tps) assigned_.erase(tp);
        };
        c_.subscribe(topics, std::move(listener));
        // Short polls so that a signal or the idle limit is noticed soon; a batch is processed
        // as soon as it arrives whatever the timeout.
        const auto poll_timeout = std::min<std::chrono::milliseconds>(opt_.max_idle, std::chrono::milliseconds(500));
        auto last_input = std::chrono::steady_clock::now();
        while (!stopping_) {
            auto [ec, batch] = co_await c_.async_poll(poll_timeout, tuple_awaitable);
            if (ec && !kasio::is_retriable(ec) && ec != kasio::client_errc::all_brokers_down) {
                print_error("poll", ec, kasio::error_info{ec, batch.context()});
                co_return 1;
            }
            if (ec) std::fprintf(stderr, "exactly_once: poll: %s (retrying)\n", ec.message().c_str());
            if (batch.empty()) {
                const auto now = std::chrono::steady_clock::now();
                if (assigned_.empty()) last_input = now;  // nothing to read yet: not idle
                if (now - last_input >= opt_.max_idle) break;
                continue;
            }
            last_input = std::chrono::steady_clock::now();
            n_.records_in += static_cast<std::int64_t>(batch.size());
            if (!co_await process(batch)) co_return 1;
        }
        co_return 0;
    }

private:
    // One transaction for the batch. False after a fatal error (printed).
    asio::awaitable<bool> process(const kasio::fetch_batch& batch) {
        std::map<kasio::topic_partition, partition_span, tp_less> spans;
        if (error_code ec = p_.begin_transaction()) {
            // Only a fatal state or a misuse refuses it: nothing to abort.
            print_error("begin_transaction", ec, p_.last_error());
            co_return false;
        }
        for (const kasio::consumer_record& in : batch) {
            const kasio::topic_partition tp{std::string(in.topic), in.partition};
            auto [it, fresh] = spans.try_emplace(tp, partition_span{in.offset, in.offset});
            if (!fresh) it->second.last = in.offset;

            kasio::record out;
            out.topic = opt_.output;
            out.key = in.key;
            if (in.value) {
                value_.assign(reinterpret_cast<const char*>(in.value->data()), in.value->size());
                std::transform(value_.begin(), value_.end(), value_.begin(),
                               [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
                out.value = kasio::bytes_of(value_);
            }
            // The send copies the bytes (or keeps its own copy while it waits), so value_ is
            // free again when it returns. A failed record needs no handling here: the commit
            // then fails with its error, and the whole batch is aborted and read again.
            p_.async_send(out, [](error_code, const kasio::delivery&) {});
        }

        std::vector<kasio::partition_offset> offsets;
        for (const auto& [tp, span] : spans) offsets.push_back({tp.topic, tp.partition, span.last + 1, {}});
        auto [offsets_ec] = co_await p_.async_send_offsets_to_transaction(offsets, c_.group_metadata(), tuple_awaitable);
        error_code ec = offsets_ec;
        if (!ec) ec = co_await commit();
        if (!ec) {
            ++n_.committed;
            n_.records_out += static_cast<std::int64_t>(batch.size());
            co_return true;
        }

        const kasio::error_info why = p_.last_error();
        if (p_.transaction_state() == kasio::transaction_state::fatal_error) {
            print_error(offsets_ec ? "send_offsets_to_transaction" : "commit_transaction", ec, why);
            co_return false;
        }
        // Abortable (a record failed, the group moved on and refused the offsets, ...): undo
        // the transaction and read the batch again from where it started.
        std::fprintf(stderr, "exactly_once: transaction %lld aborted: %s (%s)\n",
                     static_cast<long long>(n_.committed + n_.aborted + 1), ec.message().c_str(), why.describe().c_str());
        if (auto [abort_ec] = co_await p_.async_abort_transaction(tuple_awaitable); abort_ec) {
            print_error("abort_transaction", abort_ec, p_.last_error());
            co_return false;
        }
        ++n_.aborted;
        // A partition the group has moved away meanwhile is not ours to seek: its new owner
        // starts from the committed offset, which this transaction did not move.
        for (const auto& [tp, span] : spans) c_.seek(tp, span.first);
        co_return true;
    }

    // A commit that timed out goes on in the producer; asking again waits for that same commit
    // rather than starting another (producer.hpp), so a slow coordinator is waited out here.
    asio::awaitable<error_code> commit() {
        for (int attempt = 0;; ++attempt) {
            auto [ec] = co_await p_.async_commit_transaction(tuple_awaitable);
            if (ec != kasio::client_errc::timed_out || attempt == 5) co_return ec;
            std::fprintf(stderr, "exactly_once: commit still running after max.block.ms, waiting again\n");
        }
    }

    struct tp_less {
        bool operator()(const kasio::topic_partition& a, const kasio::topic_partition& b) const {
            return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
        }
    };

    kasio::consumer& c_;
    kasio::producer& p_;
    const options& opt_;
    counters n_;
    std::string value_;  // the uppercased value being sent
    std::set<kasio::topic_partition, tp_less> assigned_;
    bool stopping_ = false;
};

bool parse_args(int argc, char** argv, options& opt) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view arg = argv[i], value = argv[i + 1];
        if (arg == "--brokers") opt.brokers = value;
        else if (arg == "--input") opt.input = value;
        else if (arg == "--output") opt.output = value;
        else if (arg == "--group") opt.group = value;
        else if (arg == "--transactional-id") opt.transactional_id = value;
        else if (arg == "--max-idle-ms") {
            long long ms = 0;
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
            if (ec != std::errc{} || end != value.data() + value.size() || ms <= 0) return false;
            opt.max_idle = std::chrono::milliseconds(ms);
        } else if (arg == "-X") {
            const auto eq = value.find('=');
            if (eq == std::string_view::npos || eq == 0) return false;
            opt.properties.emplace_back(value.substr(0, eq), value.substr(eq + 1));
        } else {
            return false;
        }
    }
    return argc % 2 == 1 && !opt.brokers.empty() && !opt.input.empty() && !opt.output.empty() &&
           !opt.group.empty() && !opt.transactional_id.empty();
}

// -X name=value goes to each client that knows the name; an error when neither does.
bool apply_properties(const options& opt, kasio::consumer_config& ccfg, kasio::producer_config& pcfg) {
    for (const auto& [name, value] : opt.properties) {
        kasio::error_context consumer_why, producer_why;
        const error_code consumer_ec = ccfg.set(name, value, consumer_why);
        const error_code producer_ec = pcfg.set(name, value, producer_why);
        if (consumer_ec && producer_ec) {
            std::fprintf(stderr, "exactly_once: -X %s: %s\n", name.c_str(), producer_why.describe(producer_ec).c_str());
            return false;
        }
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    options opt;
    if (!parse_args(argc, argv, opt)) {
        std::fprintf(stderr,
                     "usage: %s --brokers B --input T --output T --group G --transactional-id ID\n"
                     "          [--max-idle-ms N (default 10000)] [-X name=value]...\n",
                     argc > 0 ? argv[0] : "exactly_once");
        return 2;
    }
    kasio::consumer_config ccfg;
    ccfg.bootstrap_servers = {opt.brokers};
    ccfg.group_id = opt.group;
    ccfg.enable_auto_commit = false;  // the transactions commit the offsets
    ccfg.isolation = kasio::isolation_level::read_committed;  // never transform an aborted record
    ccfg.auto_offset_reset = kasio::offset_reset::earliest;  // a new group reads the whole input
    kasio::producer_config pcfg;
    pcfg.bootstrap_servers = {opt.brokers};
    pcfg.transactional_id = opt.transactional_id;
    if (!apply_properties(opt, ccfg, pcfg)) return 2;

    int rc = 1;
    counters n;
    try {
        asio::io_context io(1);
        kasio::consumer c(io.get_executor(), ccfg);
        kasio::producer p(io.get_executor(), pcfg);
        pipeline work(c, p, opt);
        asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&work](error_code ec, int) {
            if (!ec) work.stop();
        });
        auto run_and_close = [&]() -> asio::awaitable<int> {
            const int result = co_await work.run();
            // The member leaves the group (no commit: auto commit is off, the transactions did it).
            co_await c.async_close(tuple_awaitable);
            co_await p.async_close(std::chrono::seconds(10), tuple_awaitable);
            co_return result;
        };
        asio::co_spawn(io, run_and_close(), [&](std::exception_ptr e, int result) {
            rc = e ? 1 : result;
            n = work.count();
            io.stop();  // both clients are closed: whatever timers they left do not matter
        });
        io.run();
    } catch (const kasio::config_error& e) {  // properties that set() took but that conflict
        std::fprintf(stderr, "exactly_once: %s\n", e.what());
        return 2;
    }
    std::printf("{\"records_in\":%lld,\"records_out\":%lld,\"transactions_committed\":%lld,\"transactions_aborted\":%lld}\n",
                static_cast<long long>(n.records_in), static_cast<long long>(n.records_out),
                static_cast<long long>(n.committed), static_cast<long long>(n.aborted));
    return rc;
}
