#include "group_support.hpp"

#include "kafka_cluster.hpp"
#include "kasio_clients.hpp"

#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <sstream>

namespace kasio::test::kafka {
namespace {

std::optional<std::int64_t> number_in(std::string_view text) {
    std::int64_t n = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), n);
    if (r.ec != std::errc{}) return std::nullopt;
    return n;
}

std::string list(const std::vector<std::int32_t>& parts) {
    std::string s;
    for (const auto p : parts) s += (s.empty() ? "" : ",") + std::to_string(p);
    return s;
}

}  // namespace

/// One kasio member: polls on its strand without end, processes, then commits what it processed.
struct group_world::kasio_member {
    kasio_member(group_world& w, std::string n) : world(w), name(std::move(n)) {}
    group_world& world;
    std::string name;
    std::unique_ptr<consumer> c;
    std::atomic<bool> stopped{false};

    void poll() {
        c->async_poll([this](error_code ec, fetch_batch batch) {
            if (stopped || ec == boost::asio::error::operation_aborted) return;
            if (ec) world.on_event(name, "poll error " + ec.message(), {});
            std::map<std::int32_t, std::int64_t> next;
            for (const consumer_record& r : batch) {
                if (r.value) {
                    const auto seq = number_in({reinterpret_cast<const char*>(r.value->data()), r.value->size()});
                    if (seq) world.on_processed(name, *seq);
                }
                next[r.partition] = r.offset + 1;
            }
            if (!next.empty()) {
                std::vector<partition_offset> offsets;
                for (const auto& [p, o] : next) offsets.push_back(partition_offset{std::string(r_topic()), p, o, {}});
                c->async_commit(std::move(offsets), [this](error_code cec) {
                    if (!cec) return;
                    std::lock_guard lock(world.m_);
                    ++world.commit_failures_;  // refused across a rebalance: processed again later
                });
            }
            poll();
        });
    }
    const std::string& r_topic() const { return world.topic_; }
};

group_world::group_world(std::string topic, int partitions) : topic_(std::move(topic)), partitions_(partitions) {}

group_world::~group_world() {
    stop_stream();
    close_all();
    io_.stop();
}

void group_world::add_kasio(const std::string& name, const std::string& group, const std::string& assignor,
                            const std::string& instance_id) {
    add_kasio(name, group, member_options{group_protocol::classic, assignor, instance_id});
}

void group_world::add_java(const std::string& name, const std::string& group, const std::string& assignor) {
    add_java(name, group, member_options{group_protocol::classic, assignor, {}});
}

void group_world::add_kasio(const std::string& name, const std::string& group, const member_options& options) {
    consumer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    EXPECT_FALSE(cfg.set("group.id", group));
    if (!options.instance_id.empty()) {
        EXPECT_FALSE(cfg.set("group.instance.id", options.instance_id));
    }
    EXPECT_FALSE(cfg.set("auto.offset.reset", "earliest"));
    EXPECT_FALSE(cfg.set("enable.auto.commit", "false"));
    if (options.protocol == group_protocol::classic) {
        EXPECT_FALSE(cfg.set("session.timeout.ms", "10000"));
        EXPECT_FALSE(cfg.set("heartbeat.interval.ms", "1000"));
        EXPECT_FALSE(cfg.set("partition.assignment.strategy", options.assignor));
    } else {
        error_context why;
        EXPECT_FALSE(cfg.set("group.protocol", "consumer", why)) << why.describe(client_errc::invalid_config);
        if (!options.assignor.empty()) {
            EXPECT_FALSE(cfg.set("group.remote.assignor", options.assignor));
        }
    }
    EXPECT_FALSE(cfg.set("client.id", name));
    auto m = std::make_unique<kasio_member>(*this, name);
    m->c = std::make_unique<consumer>(io_.io().get_executor(), cfg);
    rebalance_listener l;
    auto parts = [](const std::vector<topic_partition>& tps) {
        std::vector<std::int32_t> out;
        for (const auto& tp : tps) out.push_back(tp.partition);
        return out;
    };
    l.on_assigned = [this, name, parts](const auto& tps) { on_event(name, "assigned", parts(tps)); };
    l.on_revoked = [this, name, parts](const auto& tps) { on_event(name, "revoked", parts(tps)); };
    l.on_lost = [this, name, parts](const auto& tps) { on_event(name, "lost", parts(tps)); };
    m->c->subscribe({topic_}, l);
    m->poll();  // any thread; later polls chain from its completions
    kasio_[name] = std::move(m);
}

void group_world::add_java(const std::string& name, const std::string& group, const member_options& options) {
    auto on_line = [this, name](const json& line) {
        const std::string& event = line["event"].as_string();
        if (event == "record") {
            if (const auto seq = number_in(line["value"].as_string())) on_processed(name, *seq);
        } else if (event == "assigned" || event == "revoked" || event == "lost") {
            std::vector<std::int32_t> parts;
            for (const json& p : line["partitions"].items) parts.push_back(static_cast<std::int32_t>(p.as_int()));
            on_event(name, event, parts);
        }
    };
    std::vector<std::string> args{"--topic", topic_, "--group", group, "--max-ms", "600000", "--config", "client.id=" + name};
    if (options.protocol == group_protocol::classic) {
        args.insert(args.end(), {"--assignor", options.assignor, "--config", "session.timeout.ms=10000", "--config",
                                 "heartbeat.interval.ms=1000"});
    } else {
        args.insert(args.end(), {"--config", "group.protocol=consumer"});
        if (!options.assignor.empty()) args.insert(args.end(), {"--config", "group.remote.assignor=" + options.assignor});
    }
    if (!options.instance_id.empty()) args.insert(args.end(), {"--instance-id", options.instance_id});
    java_[name] = std::make_unique<peer_process>("group-member", args, on_line);
}

void group_world::close_kasio(const std::string& name) {
    kasio_member& m = *kasio_.at(name);
    if (!m.c || m.stopped) return;
    const error_code ec = result_of(m.c->async_close(boost::asio::use_future));
    EXPECT_FALSE(ec) << name << " close: " << ec.message();
    m.stopped = true;
    on_event(name, "closed", {});
}

void group_world::kill_java(const std::string& name) {
    java_.at(name)->kill();
    const std::set<std::int32_t> owned = owned_by(name);
    on_event(name, "killed", std::vector<std::int32_t>(owned.begin(), owned.end()));
}

void group_world::close_all() {
    for (auto& [name, m] : kasio_)
        if (m->c && !m->stopped) close_kasio(name);
    for (auto& [name, p] : java_) {
        p->close_stdin();
        if (p->wait_exit(std::chrono::seconds(60)) == -2) p->kill();
    }
}

void group_world::on_event(const std::string& member, const std::string& kind, const std::vector<std::int32_t>& parts) {
    std::lock_guard lock(m_);
    timeline_.push_back(member + " " + kind + " [" + list(parts) + "]");
    if (kind == "assigned" || kind == "revoked" || kind == "lost") ++events_[member];
    for (const auto p : parts) {
        auto it = owner_.find(p);
        if (kind == "assigned") {
            if (it != owner_.end() && it->second != member) {
                ++double_owned_;
                timeline_.push_back("  ^ partition " + std::to_string(p) + " still owned by " + it->second);
            }
            owner_[p] = member;
        } else if (it != owner_.end() && it->second == member) {
            owner_.erase(it);
        }
    }
    if (kind == "closed" || kind == "killed")
        std::erase_if(owner_, [&](const auto& e) { return e.second == member; });
    cv_.notify_all();
}

void group_world::on_processed(const std::string& member, std::int64_t seq) {
    std::lock_guard lock(m_);
    if (seq < 0 || static_cast<std::size_t>(seq) >= processed_.size()) return;
    if (processed_[static_cast<std::size_t>(seq)]++ != 0) ++redeliveries_;
    auto [it, added] = last_processed_.try_emplace(member, seq);
    if (!added && it->second < seq) it->second = seq;
    cv_.notify_all();
}

bool group_world::all_owned_by(const std::set<std::string>& members) const {
    if (owner_.size() != static_cast<std::size_t>(partitions_)) return false;
    std::set<std::string> owners;
    for (const auto& [p, m] : owner_) owners.insert(m);
    return owners == members;
}

bool group_world::wait_owners(const std::set<std::string>& members, std::chrono::seconds timeout) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return all_owned_by(members); });
}

bool group_world::wait_consuming(const std::set<std::string>& members, std::size_t from, std::chrono::seconds timeout) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] {
        if (!all_owned_by(members)) return false;
        for (const auto& m : members) {
            const auto it = last_processed_.find(m);
            if (it == last_processed_.end() || it->second < static_cast<std::int64_t>(from)) return false;
        }
        return true;
    });
}

std::size_t group_world::next_record() const {
    std::lock_guard lock(m_);
    return reserved_;
}

void group_world::start_stream(std::size_t per_tick, std::chrono::milliseconds tick) {
    ASSERT_FALSE(stream_.joinable()) << "one stream at a time";
    streaming_ = true;
    stream_ = std::thread([this, per_tick, tick] {
        producer_config cfg;
        cfg.bootstrap_servers = {cluster().bootstrap};
        debug_log(cfg.connection);
        producer p(io_.io().get_executor(), cfg);
        while (streaming_) {
            std::size_t first;
            {
                std::lock_guard lock(m_);
                first = reserved_;
                reserved_ += per_tick;
                processed_.resize(reserved_, 0);
            }
            auto failed = std::make_shared<std::atomic<std::size_t>>(0);
            for (std::size_t n = first; n < first + per_tick; ++n) {
                const std::string value = std::to_string(n);
                record r;
                r.topic = topic_;
                r.partition = static_cast<std::int32_t>(n % static_cast<std::size_t>(partitions_));
                r.value = bytes_of(value);
                r.timestamp = 1700000000000;
                p.async_send(r, [failed](error_code ec, delivery) {
                    if (ec) ++*failed;
                });  // the value is copied before async_send returns
            }
            const error_code ec = result_of(p.async_flush(boost::asio::use_future));
            {
                std::lock_guard lock(m_);
                produced_ = std::max(produced_, first + per_tick);
                if (ec || *failed != 0)
                    timeline_.push_back("stream: " + std::to_string(failed->load()) + " sends failed, flush: " + ec.message());
            }
            std::this_thread::sleep_for(tick);
        }
        EXPECT_FALSE(result_of(p.async_close(std::chrono::seconds(30), boost::asio::use_future)));
    });
    std::lock_guard lock(m_);
    timeline_.push_back("stream started at " + std::to_string(reserved_));
}

void group_world::stop_stream() {
    if (!stream_.joinable()) return;
    streaming_ = false;
    stream_.join();
    std::lock_guard lock(m_);
    timeline_.push_back("stream stopped: produced 0.." + std::to_string(produced_ - 1));
}

void group_world::produce_wave(std::size_t count) {
    std::size_t first;
    {
        std::lock_guard lock(m_);
        first = reserved_;
        reserved_ += count;
        processed_.resize(reserved_, 0);
    }
    std::vector<owned_record> records(count);
    for (std::size_t i = 0; i < count; ++i) {
        records[i].partition = static_cast<std::int32_t>((first + i) % static_cast<std::size_t>(partitions_));
        records[i].value = std::to_string(first + i);
        records[i].timestamp = 1700000000000;
    }
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    EXPECT_EQ(kasio_produce(cfg, topic_, records), "");
    std::lock_guard lock(m_);
    produced_ = std::max(produced_, first + count);
    timeline_.push_back("produced " + std::to_string(first) + ".." + std::to_string(first + count - 1));
}

bool group_world::wait_processed(std::chrono::seconds timeout) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, [&] {
        for (std::size_t i = 0; i < produced_; ++i)
            if (processed_[i] == 0) return false;
        return true;
    });
}

std::size_t group_world::double_ownerships() const {
    std::lock_guard lock(m_);
    return double_owned_;
}

std::size_t group_world::unprocessed() const {
    std::lock_guard lock(m_);
    std::size_t n = 0;
    for (std::size_t i = 0; i < produced_; ++i) n += processed_[i] == 0;
    return n;
}

std::set<std::int32_t> group_world::owned_by(const std::string& member) const {
    std::lock_guard lock(m_);
    std::set<std::int32_t> out;
    for (const auto& [p, m] : owner_)
        if (m == member) out.insert(p);
    return out;
}

std::size_t group_world::assignment_events(const std::string& member) const {
    std::lock_guard lock(m_);
    const auto it = events_.find(member);
    return it == events_.end() ? 0 : it->second;
}

int group_world::coordinator(const std::string& group) const {
    const peer_result r = run_peer("describe-group", {"--group", group});
    if (r.status != 0 || r.lines.empty()) return -1;
    return static_cast<int>(r.lines[0]["coordinator"].as_int());
}

std::map<std::int32_t, std::int64_t> group_world::end_offsets() const {
    std::map<std::int32_t, std::int64_t> out;
    for (const json& l : run_peer("list-offsets", {"--topic", topic_}).lines)
        out[static_cast<std::int32_t>(l["partition"].as_int())] = l["latest"].as_int();
    return out;
}

std::map<std::int32_t, std::int64_t> group_world::committed(const std::string& group) const {
    const auto ends = end_offsets();
    std::map<std::int32_t, std::int64_t> out;
    // The last commits may still be on their way when the members close: bounded retries.
    for (int attempt = 0; attempt < 30; ++attempt) {
        out.clear();
        for (const json& l : run_peer("group-offsets", {"--group", group}).lines)
            if (l["topic"].as_string() == topic_) out[static_cast<std::int32_t>(l["partition"].as_int())] = l["offset"].as_int();
        if (out == ends) break;
    }
    return out;
}

std::string group_world::describe() const {
    // Where each kasio member reads, asked before taking m_: stats() is for any thread.
    std::map<std::string, consumer_stats> stats;
    for (const auto& [name, m] : kasio_)
        if (m->c && !m->stopped) stats[name] = m->c->stats();
    std::vector<std::int32_t> leaders;  // asked only when records are missing (a Java peer run)
    if (unprocessed() != 0) {
        try {
            leaders = leaders_of(topic_);
        } catch (const std::exception&) {
        }
    }
    std::map<std::string, std::string> errors;
    for (const auto& [name, m] : kasio_)
        if (m->c && !m->stopped)
            if (const error_info e = m->c->last_error()) errors[name] = e.describe();

    std::lock_guard lock(m_);
    std::ostringstream s;
    s << "timeline:\n";
    for (const auto& t : timeline_) s << "  " << t << "\n";
    s << "owners now:";
    for (const auto& [p, m] : owner_) s << " " << p << "=" << m;
    // Record n went to partition n % partitions_: what is missing, partition by partition.
    std::map<std::int32_t, std::vector<std::size_t>> missing_by_partition;
    std::size_t missing = 0;
    for (std::size_t i = 0; i < produced_; ++i) {
        if (processed_[i] != 0) continue;
        ++missing;
        missing_by_partition[static_cast<std::int32_t>(i % static_cast<std::size_t>(partitions_))].push_back(i);
    }
    s << "\nproduced " << produced_ << ", unprocessed " << missing << "\n";
    for (const auto& [p, numbers] : missing_by_partition) {
        s << "  partition " << p << ": " << numbers.size() << " unprocessed, records";
        // Runs of consecutive records of the partition (numbers partitions_ apart).
        for (std::size_t i = 0; i < numbers.size();) {
            std::size_t j = i;
            while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + static_cast<std::size_t>(partitions_)) ++j;
            s << " " << numbers[i];
            if (j > i) s << ".." << numbers[j];
            i = j + 1;
        }
        if (static_cast<std::size_t>(p) < leaders.size()) s << "; leader " << leaders[static_cast<std::size_t>(p)];
        const auto owner = owner_.find(p);
        s << "; owner " << (owner == owner_.end() ? std::string("none") : owner->second);
        if (owner != owner_.end()) {
            if (const auto last = last_processed_.find(owner->second); last != last_processed_.end())
                s << " (its last record " << last->second << ")";
            if (const auto st = stats.find(owner->second); st != stats.end()) {
                bool assigned = false;
                for (const partition_metrics& m : st->second.partitions) {
                    if (m.topic != topic_ || m.partition != p) continue;
                    assigned = true;
                    s << ", its position " << m.position << ", high watermark " << m.high_watermark << ", lag " << m.lag
                      << (m.paused ? ", paused" : "");
                }
                if (!assigned) s << ", not in its consumer's assignment";
            }
        }
        s << "\n";
    }
    for (const auto& [name, st] : stats) {
        s << "  " << name << ": " << st.records << " records polled, " << st.fetch_requests << " fetches sent, "
          << st.fetch_responses << " answered, " << st.fetch_session_resets << " fetch session resets, "
          << st.list_offsets_requests << " ListOffsets, assigned";
        for (const partition_metrics& m : st.partitions) s << " " << m.partition;
        // Which brokers it fetches from: a partition whose leader gets none is not fetched.
        s << "; Fetch requests by node:";
        for (const broker_metrics& b : st.brokers) {
            if (b.node_id < 0) continue;
            std::uint64_t fetches = 0;
            for (const api_metrics& a : b.apis)
                if (a.api_key == 1) fetches = a.requests;  // Fetch
            s << " " << b.node_id << "=" << fetches;
        }
        if (const auto e = errors.find(name); e != errors.end()) s << "; last error: " << e->second;
        s << "\n";
    }
    return s.str();
}

std::string group_world::summary() const {
    std::lock_guard lock(m_);
    std::ostringstream s;
    s << produced_ << " records, " << redeliveries_ << " processed again, " << commit_failures_
      << " kasio commits refused, " << timeline_.size() << " timeline entries, " << double_owned_ << " double ownerships";
    return s.str();
}

}  // namespace kasio::test::kafka
