// The fetch loops: one coroutine per broker leading assigned partitions, on the pool strand, with
// at most one Fetch in flight (on the broker's purpose::long_poll connection), ListOffsets for
// partitions whose position must be reset, and the handling of per-partition errors.
//
// Each Fetch names every fetchable partition the broker leads, including those whose earlier
// responses still wait for poll (fetching on from their end, see fetch_planner.hpp): as long as
// one of them has data the broker answers at once, instead of holding a Fetch of drained
// partitions for fetch.max.wait.ms.
//
// runs on: pool strand.
#include "consumer/consumer_impl.hpp"
#include "net/completion.hpp"

#include "net/loop_exit.hpp"

#include "protocol/messages.hpp"

#include <kasio/broker_errc.hpp>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace kasio {
namespace {

using consumer_detail::clock;
using protocol::msg::fetch_request;
using protocol::msg::fetch_response;
using protocol::msg::list_offsets_request;
using protocol::msg::list_offsets_response;
using net::nothrow_awaitable;

struct inflight_partition {
    topic_partition tp;
    std::uint64_t generation = 0;
    std::int64_t fetch_offset = 0;
};

}  // namespace

void consumer::impl::refresh_metadata() {
    ++refreshes;
    if (metadata_wait) {
        refresher.request_refresh();
        return;
    }
    metadata_wait = true;
    // weak: the refresher (owned by this impl) keeps the handler until a refresh lands.
    refresher.async_refresh([weak = weak_from_this()](error_code) {
        auto self = weak.lock();
        if (!self) return;
        asio::post(self->strand, [self] {
            self->metadata_wait = false;
            self->try_complete_poll();  // a refused refresh fails a waiting poll
            self->kick();
        });
    });
}

void consumer::impl::kick() {
    if (closed) return;
    const auto& cache = refresher.cache();
    metadata_version_seen = cache.version();
    bool leaderless = false;
    std::vector<std::int32_t> to_start;
    {
        std::lock_guard lock(mutex);
        for (const auto& [tp, st] : planner.partitions()) {
            if ((st.paused && !st.reset_pending) || (st.position < 0 && !st.reset_pending)) continue;
            const std::int32_t leader = cache.leader(tp.topic, tp.partition);
            if (leader < 0) {
                leaderless = true;
                continue;
            }
            if (!fetchers.contains(leader) &&
                std::find(to_start.begin(), to_start.end(), leader) == to_start.end())
                to_start.push_back(leader);
        }
    }
    // Outside the mutex: co_spawn may run the loop's first steps at once on this strand.
    for (auto node : to_start) start_fetcher(node);
    if (leaderless) refresh_metadata();
    for (auto& [node, f] : fetchers) f.wake->cancel();
}

void consumer::impl::check_offsets_waiters(std::list<std::pair<done_handler, error_code>>& done) {
    for (auto it = offsets_waiters.begin(); it != offsets_waiters.end();) {
        bool finished = true;
        for (std::size_t i = 0; i < it->partitions.size(); ++i) {
            const auto* st = planner.find(it->partitions[i]);
            if (!st || st->generation != it->generations[i]) continue;  // unassigned or seeked since
            if (st->reset_pending) finished = false;
        }
        if (finished) {
            done.emplace_back(std::move(it->handler), it->error);
            it = offsets_waiters.erase(it);
        } else {
            ++it;
        }
    }
}

namespace {

// What a ListOffsets timestamp asks for, for log lines.
std::string reset_name(std::int64_t ts) {
    if (ts == consumer_detail::earliest_timestamp) return "earliest";
    if (ts == consumer_detail::latest_timestamp) return "latest";
    return "timestamp " + std::to_string(ts);
}

[[gnu::noinline]] asio::awaitable<void> list_offsets(std::shared_ptr<consumer_impl> self, std::int32_t node,
                                   std::vector<inflight_partition> parts) {
    list_offsets_request req;
    req.replica_id = -1;
    req.isolation_level = static_cast<std::int8_t>(self->cfg.isolation);
    // v10+ (KIP-1075): how long the broker may wait on remote storage; Java sends request.timeout.ms.
    req.timeout_ms = static_cast<std::int32_t>(self->cfg.connection.request_timeout.count());
    {
        std::lock_guard lock(self->mutex);
        for (const auto& p : parts) {
            const auto* st = self->planner.find(p.tp);
            auto t = std::find_if(req.topics.begin(), req.topics.end(), [&](const auto& x) { return x.name == p.tp.topic; });
            if (t == req.topics.end()) {
                req.topics.emplace_back();
                t = req.topics.end() - 1;
                t->name = p.tp.topic;
            }
            auto& rp = t->partitions.emplace_back();
            rp.partition_index = p.tp.partition;
            rp.timestamp = st ? st->reset_timestamp : consumer_detail::latest_timestamp;
            rp.current_leader_epoch = self->refresher.cache().leader_epoch(p.tp.topic, p.tp.partition);
        }
    }
    ++self->list_offsets_requests;
    auto& pool = self->pool;
    auto [ec, frame] = co_await pool.async_request(node, net::purpose::long_poll, std::move(req), nothrow_awaitable);
    list_offsets_response resp;
    if (!ec) ec = net::decode_response(frame, resp);
    bool refresh = false;
    std::list<std::pair<consumer::done_handler, error_code>> done;
    {
        std::lock_guard lock(self->mutex);
        const auto retry_at = clock::now() + self->cfg.retry_backoff;
        for (const auto& p : parts) {
            auto* st = self->planner.find(p.tp);
            if (!st) continue;
            st->fetching = false;
            if (st->generation != p.generation) continue;
            error_code pec = ec;
            std::int64_t offset = -1;
            if (!pec) {
                pec = broker_errc::unknown_topic_or_partition;
                for (const auto& t : resp.topics) {
                    if (t.name != p.tp.topic) continue;
                    for (const auto& rp : t.partitions) {
                        if (rp.partition_index != p.tp.partition) continue;
                        pec = rp.error_code ? error_code(static_cast<broker_errc>(rp.error_code)) : error_code{};
                        offset = frame.api_version == 0 ? (rp.old_style_offsets.empty() ? -1 : rp.old_style_offsets[0])
                                                        : rp.offset;
                    }
                }
            }
            if (self->cfg.connection.log.debug_enabled(debug_context::protocol))
                self->cfg.connection.log.sink(
                    log_level::debug, "consumer: ListOffsets node " + std::to_string(node) + " " + p.tp.topic + "-" +
                                          std::to_string(p.tp.partition) + " (" + reset_name(st->reset_timestamp) +
                                          "): offset " + std::to_string(offset) +
                                          (pec ? ", " + pec.message() : std::string()));
            if (!pec && offset < 0 && st->reset_timestamp >= 0) {
                // No record at or after the timestamp: the end, as the Java client's seek.
                st->reset_timestamp = consumer_detail::latest_timestamp;
                continue;
            }
            if (!pec && offset >= 0) {
                if (self->cfg.connection.log.enabled(log_level::info))
                    self->cfg.connection.log.sink(log_level::info, "consumer: " + p.tp.topic + "-" +
                                                                       std::to_string(p.tp.partition) + " reset to offset " +
                                                                       std::to_string(offset) + " (" +
                                                                       reset_name(st->reset_timestamp) + ")");
                self->planner.seek(p.tp, offset);
                for (auto& w : self->offsets_waiters) {
                    for (std::size_t i = 0; i < w.partitions.size(); ++i)
                        if (w.partitions[i] == p.tp && w.generations[i] == p.generation) w.generations[i] = st->generation;
                }
                continue;
            }
            if (!pec) pec = broker_errc::offset_not_available;
            st->retry_after = retry_at;
            if (is_retriable(pec) || needs_metadata_refresh(pec) || ec) {
                refresh = refresh || needs_metadata_refresh(pec) || ec;
            } else {
                for (auto& w : self->offsets_waiters) {
                    for (std::size_t i = 0; i < w.partitions.size(); ++i) {
                        if (!(w.partitions[i] == p.tp)) continue;
                        if (!w.error) w.error = pec;
                        w.generations[i] = ~std::uint64_t{0};  // resolved (failed)
                    }
                }
            }
        }
        self->check_offsets_waiters(done);
    }
    for (auto& [h, e] : done) {
        // The executor first: an argument list may move `h` out before reading it.
        const auto ex = asio::get_associated_executor(h, self->strand);
        net::complete_on(ex, std::move(h), e);
    }
    if (refresh) self->refresh_metadata();
}

// Handles one Fetch response (or its failure). Returns true when a metadata refresh is needed.
// The response is decoded before the mutex is taken; under it only the batches' framing is read
// (fetched_end_offset). CRC checks and decompression wait for poll, which runs them unlocked.
// With hooks, `events` gets what each partition handed to the buffer: the hooks are called
// after the mutex is let go. Their topics view the consumer's interned names (never erased).
struct fetch_notes {
    std::int32_t node = -1;
    std::vector<fetch_event> events;
};

bool apply_fetch(consumer_impl& self, consumer_detail::fetch_session& session, error_code ec,
                 std::shared_ptr<net::response_frame> frame, const std::vector<inflight_partition>& parts,
                 const std::unordered_map<std::string, std::string>& id_names, fetch_notes* notes,
                 std::size_t& with_records) {
    fetch_response resp;
    if (!ec) ec = net::decode_response(*frame, resp);
    error_code top = ec ? ec : (resp.error_code ? error_code(static_cast<broker_errc>(resp.error_code)) : error_code{});
    if (ec) session.on_failure();
    else session.on_response(top, resp.session_id);
    if (top == broker_errc::fetch_session_id_not_found || top == broker_errc::invalid_fetch_session_epoch)
        ++self.fetch_session_resets;
    ++self.fetch_responses;

    std::lock_guard lock(self.mutex);
    for (const auto& p : parts)
        if (auto* st = self.planner.find(p.tp)) st->fetching = false;
    const auto retry_at = clock::now() + self.cfg.retry_backoff;
    bool refresh = static_cast<bool>(ec);
    if (top) {
        for (const auto& p : parts)
            if (auto* st = self.planner.find(p.tp)) st->retry_after = ec ? retry_at : clock::time_point{};
        return refresh;
    }
    const protocol::decode_options opts{self.cfg.check_crcs, std::size_t{64} << 20};
    const bool read_committed = self.cfg.isolation == isolation_level::read_committed;
    std::size_t next_part = 0;
    for (auto& t : resp.responses) {
        std::string name = t.topic;
        if (frame->api_version >= 13) {
            std::string key(reinterpret_cast<const char*>(t.topic_id.bytes.data()), t.topic_id.bytes.size());
            auto it = id_names.find(key);
            if (it == id_names.end()) continue;
            name = it->second;
        }
        for (auto& pd : t.partitions) {
            topic_partition tp{name, pd.partition_index};
            auto* st = self.planner.find(tp);
            if (!st) continue;
            // Only data for the fetch offset and generation the fetch was made for counts. In an
            // incremental session the broker may answer for a partition not listed this time.
            // Brokers answer in the order asked: try the next entry before searching them all (a
            // search per partition would be quadratic in the partitions a broker leads).
            auto inflight = next_part < parts.size() && parts[next_part].tp == tp
                                ? parts.begin() + static_cast<std::ptrdiff_t>(next_part)
                                : std::find_if(parts.begin(), parts.end(), [&](const auto& x) { return x.tp == tp; });
            if (inflight != parts.end()) next_part = static_cast<std::size_t>(inflight - parts.begin()) + 1;
            const std::int64_t fetch_offset = inflight != parts.end() ? inflight->fetch_offset : st->fetch_offset;
            const std::uint64_t generation = inflight != parts.end() ? inflight->generation : st->generation;
            if (st->generation != generation || st->fetch_offset != fetch_offset || fetch_offset < 0 || st->paused)
                continue;
            const error_code pec = pd.error_code ? error_code(static_cast<broker_errc>(pd.error_code)) : error_code{};
            if (pec == broker_errc::offset_out_of_range) {
                if (self.cfg.connection.log.enabled(log_level::info))
                    self.cfg.connection.log.sink(log_level::info, "consumer: " + tp.topic + "-" +
                                                                      std::to_string(tp.partition) + " fetch offset " +
                                                                      std::to_string(fetch_offset) +
                                                                      " out of range; applying auto.offset.reset");
                self.planner.out_of_range(tp);
                continue;
            }
            if (pec) {
                st->retry_after = retry_at;
                if (needs_metadata_refresh(pec)) refresh = true;
                else if (!is_retriable(pec)) st->error = pec;
                continue;
            }
            st->high_watermark = pd.high_watermark;
            st->last_stable_offset = pd.last_stable_offset;
            st->log_start_offset = pd.log_start_offset;
            if (!pd.records || pd.records->empty()) continue;
            auto& interned = self.topic_names[name];
            if (!interned) interned = std::make_shared<const std::string>(name);
            if (notes) {
                notes->events.push_back(fetch_event{*interned, tp.partition, notes->node, pd.records->size(),
                                                    pd.high_watermark, fetch_offset, {}});
            }
            std::vector<consumer_detail::aborted_transaction> aborted;
            if (read_committed && pd.aborted_transactions)
                for (const auto& a : *pd.aborted_transactions) aborted.push_back({a.producer_id, a.first_offset});
            const std::size_t n = pd.records->size();
            ++with_records;
            self.buffered.push_back(completed_fetch{
                tp, interned, st->generation, n,
                consumer_detail::partition_reader(frame, *pd.records, fetch_offset, opts, read_committed,
                                                  std::move(aborted))});
            // The next Fetch goes on after these records, before poll has read them.
            consumer_detail::fetch_planner::buffered_response(
                *st, consumer_detail::fetched_end_offset(*pd.records, fetch_offset));
            self.bytes += n;
            const auto now_prefetched = self.prefetched += n;
            if (now_prefetched > self.prefetched_peak) self.prefetched_peak = now_prefetched;
        }
    }
    return refresh;
}

using id_name_map = std::unordered_map<std::string, std::string>;

// queued.max.messages.kbytes bounds the buffered bytes and what the Fetches in flight may add:
// each asks for at most the room left, and a fair share of it, so that the other brokers'
// fetchers keep room too. Only what a broker sends beyond a request's max_bytes (its first
// batch, KIP-74) can exceed the bound. 0: no room.
std::size_t fetch_room(const consumer_impl& self) {
    std::size_t reserved = 0;
    for (const auto& kv : self.fetchers) reserved += kv.second.reserved;
    const std::size_t limit = self.prefetch_limit();
    const std::size_t used = self.prefetched + reserved;
    if (used >= limit) return 0;
    return std::min({limit - used, limit / self.fetchers.size() + 1, static_cast<std::size_t>(self.cfg.fetch_max_bytes)});
}

// What one pass of a broker's fetcher asks for.
struct fetch_plan {
    std::vector<inflight_partition> resets;  // partitions whose position ListOffsets resets first
    std::vector<consumer_detail::fetch_partition_request> wanted;
    clock::time_point next_retry = clock::time_point::max();  // earliest partition backoff end
};

// The partitions `node` leads that need an offset reset, or that can be fetched (none when the
// prefetch bound is `full`). Those to reset are marked fetching. Takes the mutex.
fetch_plan plan_fetch(consumer_impl& self, std::int32_t node, bool full, clock::time_point now) {
    fetch_plan plan;
    const auto& cache = self.refresher.cache();
    std::lock_guard lock(self.mutex);
    for (auto& [tp, st] : self.planner.partitions()) {
        if (cache.leader(tp.topic, tp.partition) != node) continue;
        if (st.retry_after > now) plan.next_retry = std::min(plan.next_retry, st.retry_after);
        if (self.planner.needs_list_offsets(st, now)) {
            st.fetching = true;
            plan.resets.push_back({tp, st.generation, -1});
        } else if (!full && self.planner.fetchable(st, now)) {
            consumer_detail::fetch_partition_request r;
            r.tp = tp;
            if (const auto* tm = cache.topic(tp.topic)) r.topic_id = tm->topic_id;
            r.fetch_offset = st.fetch_offset;
            r.leader_epoch = cache.leader_epoch(tp.topic, tp.partition);
            r.max_bytes = self.cfg.max_partition_fetch_bytes;
            plan.wanted.push_back(std::move(r));
        }
    }
    return plan;
}

void remember_topic_id(id_name_map& id_names, const consumer_detail::fetch_partition_request& p) {
    id_names.emplace(std::string(reinterpret_cast<const char*>(p.topic_id.bytes.data()), 16), p.tp.topic);
}

// The Fetch request of a session's build, asking for at most `room` bytes (0 only forgets).
fetch_request make_fetch_request(const consumer_impl& self, const consumer_detail::fetch_session_request& built,
                                 std::size_t room, id_name_map& id_names) {
    fetch_request req;
    req.replica_id = -1;
    req.max_wait_ms = static_cast<std::int32_t>(self.cfg.fetch_max_wait.count());
    req.min_bytes = self.cfg.fetch_min_bytes;
    req.max_bytes = static_cast<std::int32_t>(std::max<std::size_t>(room, 1));
    req.isolation_level = static_cast<std::int8_t>(self.cfg.isolation);
    req.session_id = built.session_id;
    req.session_epoch = built.epoch;
    auto topic_entry = [](auto& list, const consumer_detail::fetch_partition_request& p) -> auto& {
        for (auto& t : list)
            if (t.topic == p.tp.topic) return t;
        auto& t = list.emplace_back();
        t.topic = p.tp.topic;
        t.topic_id = p.topic_id;
        return t;
    };
    for (const auto& p : built.partitions) {
        auto& fp = topic_entry(req.topics, p).partitions.emplace_back();
        fp.partition = p.tp.partition;
        fp.current_leader_epoch = p.leader_epoch;
        fp.fetch_offset = p.fetch_offset;
        fp.partition_max_bytes = p.max_bytes;
        remember_topic_id(id_names, p);
    }
    for (const auto& p : built.forgotten) topic_entry(req.forgotten_topics_data, p).partitions.push_back(p.tp.partition);
    return req;
}

// Marks the wanted partitions fetching; returns what their response is matched against (the
// generation and offset each was asked at). Takes the mutex.
std::vector<inflight_partition> mark_fetching(consumer_impl& self,
                                              const std::vector<consumer_detail::fetch_partition_request>& wanted,
                                              id_name_map& id_names) {
    std::vector<inflight_partition> parts;
    std::lock_guard lock(self.mutex);
    for (const auto& p : wanted) {
        auto* st = self.planner.find(p.tp);
        st->fetching = true;
        parts.push_back({p.tp, st->generation, p.fetch_offset});
        remember_topic_id(id_names, p);
    }
    return parts;
}

}  // namespace

// g++ 12 reports -Wmismatched-new-delete for the frame of this coroutine (awaitable frames use
// Asio's recycling operator new/delete pair; a known false positive of its inliner).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
// One broker's fetcher: each pass resets the offsets that need it (ListOffsets), else sends one
// Fetch for the partitions the broker leads, within the prefetch bound, and hands the response
// to apply_fetch; with nothing to fetch it sleeps until kicked.
asio::awaitable<void> consumer::impl::fetch_loop(std::shared_ptr<impl> self, std::int32_t node) {
    auto& f = self->fetchers.at(node);
    for (;;) {
        if (self->closed) co_return;
        // Leaders may have moved in a refresh someone else asked for (the periodic one, the
        // group's, another fetcher's): the new leader's fetcher may be asleep, so wake them all.
        if (self->refresher.cache().version() != self->metadata_version_seen) self->kick();
        const std::size_t room = fetch_room(*self);
        fetch_plan plan = plan_fetch(*self, node, room == 0, clock::now());
        if (!plan.resets.empty()) {
            co_await list_offsets(self, node, std::move(plan.resets));
            self->try_complete_poll();
            continue;
        }
        if (plan.wanted.empty() && f.session.session_size() == 0) {
            // Nothing to fetch here: sleep until kicked (a seek, a resume, an assignment, or the
            // metadata refresher's news of a leader), until a retry is due, or, when the bound
            // left no room, until another fetcher gives its reservation back.
            f.waiting_for_room = room == 0;
            f.wake->expires_at(plan.next_retry);
            co_await f.wake->async_wait(nothrow_awaitable);
            f.waiting_for_room = false;
            continue;
        }
        // (With nothing wanted, an incremental session still holds partitions: the next
        // request forgets them.)
        id_name_map id_names;
        const auto built = f.session.build(plan.wanted);
        fetch_request req = make_fetch_request(*self, built, room, id_names);
        const std::vector<inflight_partition> parts = mark_fetching(*self, plan.wanted, id_names);
        ++self->fetch_requests;
        if (!built.full) ++self->incremental_fetch_requests;
        f.reserved = room;
        auto& pool = self->pool;
        const auto sent_at = clock::now();
        auto [ec, frame] = co_await pool.async_request(node, net::purpose::long_poll, std::move(req), nothrow_awaitable);
        f.reserved = 0;
        if (self->closed) co_return;
        // The room given back is what a fetcher waiting for room needs: a reservation sized
        // while there were fewer fetchers may have filled the bound when it started.
        for (auto& [other, o] : self->fetchers)
            if (o.waiting_for_room) o.wake->cancel();
        if (self->metrics_on && !ec) {
            self->fetch_latency_us.record(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - sent_at).count()));
        }
        auto owned = std::make_shared<net::response_frame>(std::move(frame));
        const std::int32_t session_before = f.session.session_id();
        std::optional<fetch_notes> notes;
        if (self->hooks) notes.emplace().node = node;
        std::size_t with_records = 0;
        if (apply_fetch(*self, f.session, ec, std::move(owned), parts, id_names, notes ? &*notes : nullptr,
                        with_records))
            self->refresh_metadata();
        if (self->cfg.connection.log.debug_enabled(debug_context::protocol))
            self->cfg.connection.log.sink(log_level::debug, "consumer: fetch from node " + std::to_string(node) + ": " +
                                                                std::to_string(parts.size()) + " partitions asked, " +
                                                                std::to_string(with_records) + " with records, room " +
                                                                std::to_string(room) + " bytes");
        if (notes && !notes->events.empty()) self->fetch_received(notes->events);
        if (f.session.session_id() != session_before && self->cfg.connection.log.debug_enabled(debug_context::protocol))
            self->cfg.connection.log.sink(log_level::debug, "consumer: fetch session with node " + std::to_string(node) +
                                                                ": " + std::to_string(session_before) + " -> " +
                                                                std::to_string(f.session.session_id()));
        self->try_complete_poll();
        if (ec) {
            // The broker is unreachable: wait for the backoff (or a kick) before trying again.
            f.wake->expires_after(self->cfg.retry_backoff);
            co_await f.wake->async_wait(nothrow_awaitable);
        }
    }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void consumer::impl::start_fetcher(std::int32_t node) {
    auto& f = fetchers[node];
    f.wake = std::make_unique<asio::steady_timer>(strand);
    // An exception out of the loop (bad_alloc, a bug) is logged and the fetcher goes: the next
    // kick starts a new one for the partitions this broker leads.
    asio::co_spawn(strand, fetch_loop(shared_from_this(), node),
                   net::on_loop_exit(cfg.connection.log, "consumer: fetcher for node " + std::to_string(node),
                                     [self = shared_from_this(), node](const std::string& why) {
                                         self->fetchers.erase(node);
                                         error_context context;
                                         context.node_id = node;
                                         context.message = "a fetch loop stopped: " + why;
                                         self->note_error(client_errc::internal_error, context);
                                         self->post_kick();
                                     }));
}

}  // namespace kasio
