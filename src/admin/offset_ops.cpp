// Offsets: ListOffsets and DeleteRecords at partition leaders; a group's committed offsets
// (OffsetFetch, OffsetCommit, OffsetDelete) at its coordinator.
//
// runs on: pool strand.
#include "admin/admin_state.hpp"
#include "admin/routers.hpp"
#include "cluster/offsets_by_topic.hpp"
#include "protocol/messages.hpp"

#include <kasio/broker_errc.hpp>

#include <algorithm>
#include <map>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // coroutine frames: see admin.cpp
#endif

namespace kasio {
namespace admin_detail {
namespace {

namespace msg = protocol::msg;

/// ListOffsets' timestamp for a spec: the special values -2, -1, -3, or the time.
std::int64_t wire_timestamp(const offset_spec& s) {
    switch (s.what) {
        case offset_spec::kind::earliest: return -2;
        case offset_spec::kind::latest: return -1;
        case offset_spec::kind::max_timestamp: return -3;
        case offset_spec::kind::timestamp: return s.timestamp_ms;
    }
    return -1;
}

/// Index of each (topic, partition) among the items of one request.
std::multimap<std::pair<std::string, std::int32_t>, std::size_t> by_partition(
    const std::vector<std::size_t>& idx, const std::function<const topic_partition&(std::size_t)>& partition_of) {
    std::multimap<std::pair<std::string, std::int32_t>, std::size_t> out;
    for (std::size_t i : idx) out.emplace(std::pair{partition_of(i).topic, partition_of(i).partition}, i);
    return out;
}

/// Adds partition i to a request's topic array (topics with `name` and `partitions`), one
/// entry per topic; returns the new partition entry.
template <class Topics>
auto& add_partition(Topics& topics, std::map<std::string, std::size_t>& index, const topic_partition& tp) {
    auto [it, added] = index.try_emplace(tp.topic, topics.size());
    if (added) topics.emplace_back().name = tp.topic;
    auto& p = topics[it->second].partitions.emplace_back();
    p.partition_index = tp.partition;
    return p;
}

using partition_fn = std::function<const topic_partition&(std::size_t)>;

/// Walks a response's topics and partitions (structs with `name` / `partition_index`) and calls
/// on(item, partition) for every item of the request asked about that partition; the items the
/// response never named are left out (incomplete_response).
template <class Topics, class On>
void for_each_answer(const Topics& topics, const std::vector<std::size_t>& idx, const partition_fn& partition_of,
                     std::vector<item_state>& items, std::string_view api, On on) {
    const auto where = by_partition(idx, partition_of);
    std::vector<bool> seen(items.size());
    for (const auto& t : topics)
        for (const auto& p : t.partitions) {
            auto [lo, hi] = where.equal_range({t.name, p.partition_index});
            for (auto it = lo; it != hi; ++it) {
                seen[it->second] = true;
                on(it->second, p);
            }
        }
    left_out(items, idx, seen, api);
}

asio::awaitable<std::pair<error_code, std::vector<partition_offsets>>> list_offsets(state_ptr self,
                                                                                      std::vector<offset_query> queries,
                                                                                      list_offsets_options options) {
    const auto deadline = self->deadline();
    std::vector<partition_offsets> out(queries.size());
    for (std::size_t i = 0; i < queries.size(); ++i) out[i].partition = queries[i].partition;
    std::vector<item_state> items(queries.size());
    partition_fn partition_of = [&](std::size_t i) -> const topic_partition& {
        return queries[i].partition;
    };
    leader_router route(self, partition_of);
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::list_offsets_request req;
        req.replica_id = -1;
        req.isolation_level = static_cast<std::int8_t>(options.isolation);
        req.timeout_ms = remaining_ms(deadline);  // v10+: how long remote storage may take
        std::map<std::string, std::size_t> index;
        for (std::size_t i : idx) add_partition(req.topics, index, queries[i].partition).timestamp = wire_timestamp(queries[i].spec);
        return req;
    };
    std::vector<item_state>* current = &items;  // the wave being sent
    auto read = [&](const msg::list_offsets_response& resp, const std::vector<std::size_t>& idx) {
        for_each_answer(resp.topics, idx, partition_of, *current, "ListOffsets", [&](std::size_t i, const auto& p) {
            const error_code ec = broker_error(p.error_code);
            // A leader that no longer leads, or a partition it does not know yet (metadata
            // moves): look the leader up again.
            const bool stale = ec == broker_errc::unknown_topic_or_partition || ec == broker_errc::fenced_leader_epoch ||
                               ec == broker_errc::unknown_leader_epoch;
            if (stale) {
                (*current)[i] = item_state{ec, "ListOffsets at the leader: " + default_message(ec), false};
                self->refresher.request_refresh();
            } else {
                settle(*self, (*current)[i], ec, default_message(ec));
            }
            out[i].offset = p.offset;
            out[i].timestamp = p.timestamp;
            if (p.leader_epoch >= 0) out[i].leader_epoch = p.leader_epoch;
        });
    };
    // A broker refuses a ListOffsets naming a partition twice (INVALID_REQUEST): the queries
    // go in waves, each asking for a partition once.
    std::vector<std::vector<std::size_t>> waves;
    std::map<std::pair<std::string, std::int32_t>, std::size_t> asked;
    for (std::size_t i = 0; i < queries.size(); ++i) {
        const std::size_t wave = asked[{queries[i].partition.topic, queries[i].partition.partition}]++;
        if (wave == waves.size()) waves.emplace_back();
        waves[wave].push_back(i);
    }
    for (std::size_t w = 0; w < waves.size(); ++w) {
        std::vector<item_state> wave_items(items.size(), item_state{{}, {}, true});
        for (std::size_t i : waves[w]) wave_items[i].done = false;
        current = &wave_items;
        co_await send_per_node<msg::list_offsets_request>(self, wave_items, deadline, route, build, read);
        for (std::size_t i : waves[w]) items[i] = wave_items[i];
    }
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<deleted_records>>> delete_records(
    state_ptr self, std::vector<partition_offset> before) {
    const auto deadline = self->deadline();
    std::vector<deleted_records> out(before.size());
    std::vector<topic_partition> parts;
    for (std::size_t i = 0; i < before.size(); ++i)
        parts.push_back(out[i].partition = topic_partition{before[i].topic, before[i].partition});
    std::vector<item_state> items(before.size());
    partition_fn partition_of = [&](std::size_t i) -> const topic_partition& {
        return parts[i];
    };
    leader_router route(self, partition_of);
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::delete_records_request req;
        req.timeout_ms = remaining_ms(deadline);
        std::map<std::string, std::size_t> index;
        for (std::size_t i : idx) add_partition(req.topics, index, parts[i]).offset = before[i].offset;
        return req;
    };
    auto read = [&](const msg::delete_records_response& resp, const std::vector<std::size_t>& idx) {
        for_each_answer(resp.topics, idx, partition_of, items, "DeleteRecords", [&](std::size_t i, const auto& p) {
            const error_code ec = broker_error(p.error_code);
            settle(*self, items[i], ec, default_message(ec));
            out[i].low_watermark = p.low_watermark;
        });
    };
    co_await send_per_node<msg::delete_records_request>(self, items, deadline, route, build, read);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

/// A group error the coordinator answers with while it moves or loads: ask again.
bool coordinator_busy(const error_code& ec) {
    return ec == broker_errc::not_coordinator || ec == broker_errc::coordinator_not_available ||
           ec == broker_errc::coordinator_load_in_progress;
}

asio::awaitable<std::pair<error_code, std::vector<committed_offset>>> list_group_offsets(
    state_ptr self, std::string group, std::vector<topic_partition> partitions) {
    using result = std::pair<error_code, std::vector<committed_offset>>;
    const auto deadline = self->deadline();
    msg::offset_fetch_request req;
    req.group_id = group;  // versions 0-7
    auto& g = req.groups.emplace_back();  // versions 8+
    g.group_id = group;
    if (partitions.empty()) {
        req.topics.reset();  // null: every partition the group committed (v2+)
        g.topics.reset();
    } else {
        req.topics.emplace();
        g.topics.emplace();
        std::map<std::string, std::size_t> index;
        for (const auto& tp : partitions) {
            auto [it, added] = index.try_emplace(tp.topic, req.topics->size());
            if (added) {
                req.topics->emplace_back().name = tp.topic;
                g.topics->emplace_back().name = tp.topic;
            }
            (*req.topics)[it->second].partition_indexes.push_back(tp.partition);
            (*g.topics)[it->second].partition_indexes.push_back(tp.partition);
        }
    }
    std::vector<item_state> one(1);  // the group as one item: its error is the operation's
    for (;;) {
        const node_pick pick = co_await self->coordinator(cluster::coordinator_type::group, group);
        if (pick.ec) {
            settle(*self, one[0], pick.ec, pick.message);
        } else {
            msg::offset_fetch_response resp;
            error_context where;
            msg::offset_fetch_request copy = req;
            const error_code ec = co_await self->call(pick.node, std::move(copy), resp, deadline, where,
                                                      cluster::offsets_by_name_max_version);
            if (ec) {
                settle(*self, one[0], ec, where.message);
            } else {
                std::vector<committed_offset> out;
                error_code group_ec;
                auto take = [&](std::int16_t code, const auto& topics) {
                    group_ec = broker_error(code);
                    for (const auto& t : topics)
                        for (const auto& p : t.partitions) {
                            committed_offset c;
                            c.partition = topic_partition{t.name, p.partition_index};
                            c.offset = p.committed_offset;
                            if (p.committed_leader_epoch >= 0) c.leader_epoch = p.committed_leader_epoch;
                            c.metadata = p.metadata.value_or(std::string());
                            c.error = broker_error(p.error_code);
                            if (c.error) c.message = c.error.message();
                            out.push_back(std::move(c));
                        }
                };
                if (!resp.groups.empty()) {
                    take(resp.groups.front().error_code, resp.groups.front().topics);
                } else {
                    take(resp.error_code, resp.topics);
                }
                if (!coordinator_busy(group_ec)) {
                    if (group_ec) {
                        self->note_error(group_ec, "OffsetFetch for group " + group, "list_consumer_group_offsets");
                        co_return result{group_ec, {}};
                    }
                    std::sort(out.begin(), out.end(), [](const committed_offset& a, const committed_offset& b) {
                        return partition_less(a.partition, b.partition);
                    });
                    co_return result{first_error(out), std::move(out)};
                }
                settle(*self, one[0], group_ec, "OffsetFetch for group " + group + ": " + group_ec.message());
            }
        }
        if (one[0].done) break;
        if (!co_await self->backoff(deadline)) {
            give_up(one, *self);
            break;
        }
    }
    self->note_error(one[0].ec, one[0].message, "list_consumer_group_offsets");
    co_return result{one[0].ec, {}};
}

asio::awaitable<std::pair<error_code, std::vector<partition_outcome>>> alter_group_offsets(
    state_ptr self, std::string group, std::vector<partition_offset> offsets) {
    const auto deadline = self->deadline();
    std::vector<partition_outcome> out(offsets.size());
    std::vector<topic_partition> parts;
    for (std::size_t i = 0; i < offsets.size(); ++i)
        parts.push_back(out[i].partition = topic_partition{offsets[i].topic, offsets[i].partition});
    std::vector<item_state> items(offsets.size());
    coordinator_router route(self, group);
    partition_fn partition_of = [&](std::size_t i) -> const topic_partition& {
        return parts[i];
    };
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::offset_commit_request req;
        req.group_id = group;
        req.generation_id_or_member_epoch = -1;  // not a member: the group must have none
        std::map<std::string, std::size_t> index;
        for (std::size_t i : idx) {
            auto& p = add_partition(req.topics, index, parts[i]);
            p.committed_offset = offsets[i].offset;
            p.committed_metadata = offsets[i].metadata;
        }
        return req;
    };
    auto read = [&](const msg::offset_commit_response& resp, const std::vector<std::size_t>& idx) {
        for_each_answer(resp.topics, idx, partition_of, items, "OffsetCommit", [&](std::size_t i, const auto& p) {
            const error_code ec = broker_error(p.error_code);
            settle(*self, items[i], ec, default_message(ec));
        });
    };
    co_await send_per_node<msg::offset_commit_request>(self, items, deadline, route, build, read,
                                                       cluster::offsets_by_name_max_version);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<partition_outcome>>> delete_group_offsets(
    state_ptr self, std::string group, std::vector<topic_partition> parts) {
    const auto deadline = self->deadline();
    std::vector<partition_outcome> out(parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) out[i].partition = parts[i];
    std::vector<item_state> items(parts.size());
    coordinator_router route(self, group);
    partition_fn partition_of = [&](std::size_t i) -> const topic_partition& {
        return parts[i];
    };
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::offset_delete_request req;
        req.group_id = group;
        std::map<std::string, std::size_t> index;
        for (std::size_t i : idx) add_partition(req.topics, index, parts[i]);
        return req;
    };
    auto read = [&](const msg::offset_delete_response& resp, const std::vector<std::size_t>& idx) {
        // A group-level error (group_id_not_found, non_empty_group, a coordinator moving) is
        // every partition's.
        if (const error_code group_ec = broker_error(resp.error_code)) {
            for (std::size_t i : idx) settle(*self, items[i], group_ec, default_message(group_ec));
            return;
        }
        for_each_answer(resp.topics, idx, partition_of, items, "OffsetDelete", [&](std::size_t i, const auto& p) {
            const error_code ec = broker_error(p.error_code);
            settle(*self, items[i], ec, default_message(ec));
        });
    };
    co_await send_per_node<msg::offset_delete_request>(self, items, deadline, route, build, read);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

}  // namespace
}  // namespace admin_detail

void admin::start_list_offsets(std::vector<offset_query> queries, list_offsets_options options,
                               items_handler<partition_offsets> h) {
    impl_->launch(std::move(h), admin_detail::list_offsets(impl_, std::move(queries), options), "list_offsets");
}

void admin::start_list_group_offsets(std::string group, std::vector<topic_partition> partitions,
                                     items_handler<committed_offset> h) {
    impl_->launch(std::move(h), admin_detail::list_group_offsets(impl_, std::move(group), std::move(partitions)),
                  "list_consumer_group_offsets");
}

void admin::start_alter_group_offsets(std::string group, std::vector<partition_offset> offsets,
                                      items_handler<partition_outcome> h) {
    impl_->launch(std::move(h), admin_detail::alter_group_offsets(impl_, std::move(group), std::move(offsets)),
                  "alter_consumer_group_offsets");
}

void admin::start_delete_records(std::vector<partition_offset> before, items_handler<deleted_records> h) {
    impl_->launch(std::move(h), admin_detail::delete_records(impl_, std::move(before)), "delete_records");
}

void admin::start_delete_group_offsets(std::string group, std::vector<topic_partition> partitions,
                                       items_handler<partition_outcome> h) {
    impl_->launch(std::move(h), admin_detail::delete_group_offsets(impl_, std::move(group), std::move(partitions)),
                  "delete_consumer_group_offsets");
}

}  // namespace kasio

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
