// Leaders and replicas (ElectLeaders, AlterPartitionReassignments,
// ListPartitionReassignments, DescribeLogDirs) and what brokers know of producers and
// transactions (DescribeProducers, ListTransactions, DescribeTransactions).
//
// runs on: pool strand.
#include "admin/admin_state.hpp"
#include "admin/routers.hpp"
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

/// Partitions grouped by topic, in a request's {topic-name, []int32} layout.
template <class Wire, class NameOf, class PartsOf>
std::vector<Wire> by_topic(const std::vector<topic_partition>& parts, NameOf name_of, PartsOf parts_of) {
    std::vector<Wire> out;
    std::map<std::string, std::size_t> index;
    for (const auto& tp : parts) {
        auto [it, added] = index.try_emplace(tp.topic, out.size());
        if (added) name_of(out.emplace_back()) = tp.topic;
        parts_of(out[it->second]).push_back(tp.partition);
    }
    return out;
}

/// The item asked for (topic, partition) among idx; -1 when none.
std::ptrdiff_t find_item(const std::vector<topic_partition>& parts, const std::vector<std::size_t>& idx,
                         const std::string& topic, std::int32_t partition) {
    for (std::size_t i : idx)
        if (parts[i].topic == topic && parts[i].partition == partition) return static_cast<std::ptrdiff_t>(i);
    return -1;
}

asio::awaitable<std::pair<error_code, std::vector<partition_outcome>>> elect_leaders(state_ptr self, election_type type,
                                                                                       std::vector<topic_partition> parts) {
    const auto deadline = self->deadline();
    const bool every = parts.empty();  // the controller says which partitions it looked at
    std::vector<partition_outcome> out;
    for (const auto& tp : parts) out.push_back(partition_outcome{tp, {}, {}});
    std::vector<item_state> items(every ? 1 : parts.size());
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::elect_leaders_request req;
        req.election_type = static_cast<std::int8_t>(type);
        req.timeout_ms = remaining_ms(deadline);
        if (every) {
            req.topic_partitions.reset();
        } else {
            std::vector<topic_partition> asked;
            for (std::size_t i : idx) asked.push_back(parts[i]);
            req.topic_partitions = by_topic<msg::elect_leaders_request::topic_partitions_type>(
                asked, [](auto& t) -> std::string& { return t.topic; }, [](auto& t) -> std::vector<std::int32_t>& { return t.partitions; });
        }
        return req;
    };
    auto read = [&](const msg::elect_leaders_response& resp, const std::vector<std::size_t>& idx) {
        if (const error_code ec = broker_error(resp.error_code)) {
            for (std::size_t i : idx) settle(*self, items[i], ec, default_message(ec));
            return;
        }
        std::vector<bool> seen(items.size());
        for (const auto& t : resp.replica_election_results)
            for (const auto& p : t.partition_result) {
                const error_code ec = broker_error(p.error_code);
                if (every) {
                    out.push_back(partition_outcome{{t.topic, p.partition_id}, ec, ec ? message_or_default(p.error_message, ec) : ""});
                    continue;
                }
                const auto i = find_item(parts, idx, t.topic, p.partition_id);
                if (i < 0) continue;
                seen[static_cast<std::size_t>(i)] = true;
                settle(*self, items[static_cast<std::size_t>(i)], ec, ec ? message_or_default(p.error_message, ec) : "");
            }
        if (every) {
            items[0] = item_state{{}, {}, true};
            std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return partition_less(a.partition, b.partition); });
            return;
        }
        left_out(items, idx, seen, "ElectLeaders");
    };
    co_await send_until_done<msg::elect_leaders_request>(self, target::controller, items, deadline, build, read);
    if (every) {
        if (items[0].ec) self->note_error(items[0].ec, items[0].message, "elect_leaders");
        co_return std::pair{items[0].ec ? items[0].ec : first_error(out), std::move(out)};
    }
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<partition_outcome>>> alter_reassignments(
    state_ptr self, std::vector<reassignment_target> targets) {
    const auto deadline = self->deadline();
    std::vector<partition_outcome> out;
    std::vector<topic_partition> parts;
    for (const auto& t : targets) {
        out.push_back(partition_outcome{t.partition, {}, {}});
        parts.push_back(t.partition);
    }
    std::vector<item_state> items(targets.size());
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::alter_partition_reassignments_request req;
        req.timeout_ms = remaining_ms(deadline);
        std::map<std::string, std::size_t> index;
        for (std::size_t i : idx) {
            auto [it, added] = index.try_emplace(parts[i].topic, req.topics.size());
            if (added) req.topics.emplace_back().name = parts[i].topic;
            auto& p = req.topics[it->second].partitions.emplace_back();
            p.partition_index = parts[i].partition;
            p.replicas = targets[i].replicas;  // nullopt: cancel
        }
        return req;
    };
    auto read = [&](const msg::alter_partition_reassignments_response& resp, const std::vector<std::size_t>& idx) {
        if (const error_code ec = broker_error(resp.error_code)) {
            for (std::size_t i : idx) settle(*self, items[i], ec, message_or_default(resp.error_message, ec));
            return;
        }
        std::vector<bool> seen(items.size());
        for (const auto& t : resp.responses)
            for (const auto& p : t.partitions) {
                const auto i = find_item(parts, idx, t.name, p.partition_index);
                if (i < 0) continue;
                seen[static_cast<std::size_t>(i)] = true;
                const error_code ec = broker_error(p.error_code);
                settle(*self, items[static_cast<std::size_t>(i)], ec, ec ? message_or_default(p.error_message, ec) : "");
            }
        left_out(items, idx, seen, "AlterPartitionReassignments");
    };
    co_await send_until_done<msg::alter_partition_reassignments_request>(self, target::controller, items, deadline, build,
                                                                         read);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<partition_reassignment>>> list_reassignments(
    state_ptr self, std::vector<topic_partition> parts) {
    const auto deadline = self->deadline();
    std::vector<item_state> one(1);
    std::vector<partition_reassignment> out;
    auto build = [&](const std::vector<std::size_t>&) {
        msg::list_partition_reassignments_request req;
        req.timeout_ms = remaining_ms(deadline);
        if (parts.empty()) {
            req.topics.reset();
        } else {
            req.topics = by_topic<msg::list_partition_reassignments_request::list_partition_reassignments_topics>(
                parts, [](auto& t) -> std::string& { return t.name; },
                [](auto& t) -> std::vector<std::int32_t>& { return t.partition_indexes; });
        }
        return req;
    };
    auto read = [&](const msg::list_partition_reassignments_response& resp, const std::vector<std::size_t>&) {
        const error_code ec = broker_error(resp.error_code);
        settle(*self, one[0], ec, message_or_default(resp.error_message, ec));
        out.clear();
        for (const auto& t : resp.topics)
            for (const auto& p : t.partitions)
                out.push_back(partition_reassignment{{t.name, p.partition_index}, p.replicas, p.adding_replicas, p.removing_replicas});
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return partition_less(a.partition, b.partition); });
    };
    co_await send_until_done<msg::list_partition_reassignments_request>(self, target::controller, one, deadline, build, read);
    if (one[0].ec) {
        self->note_error(one[0].ec, one[0].message, "list_partition_reassignments");
        out.clear();
    }
    co_return std::pair{one[0].ec, std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<log_dir_description>>> describe_log_dirs(state_ptr self,
                                                                                             std::vector<std::int32_t> brokers) {
    using result = std::pair<error_code, std::vector<log_dir_description>>;
    const auto deadline = self->deadline();
    if (brokers.empty()) {
        auto [ec, all] = co_await all_brokers(*self);
        if (ec) co_return result{ec, {}};
        brokers = std::move(all);
    }
    std::vector<item_state> items(brokers.size());
    std::vector<std::vector<log_dir_description>> dirs(brokers.size());
    broker_router route(brokers);
    auto build = [](const std::vector<std::size_t>&) {
        msg::describe_log_dirs_request req;
        req.topics.reset();  // every partition on the broker
        return req;
    };
    auto read = [&](const msg::describe_log_dirs_response& resp, const std::vector<std::size_t>& idx) {
        for (std::size_t i : idx) {
            const error_code ec = broker_error(resp.error_code);
            settle(*self, items[i], ec, default_message(ec));
            if (ec) continue;
            dirs[i].clear();
            for (const auto& r : resp.results) {
                log_dir_description d;
                d.broker = brokers[i];
                d.path = r.log_dir;
                d.error = broker_error(r.error_code);
                d.message = default_message(d.error);
                d.total_bytes = r.total_bytes;
                d.usable_bytes = r.usable_bytes;
                for (const auto& t : r.topics)
                    for (const auto& p : t.partitions)
                        d.replicas.push_back(replica_info{{t.name, p.partition_index}, p.partition_size, p.offset_lag, p.is_future_key});
                std::sort(d.replicas.begin(), d.replicas.end(),
                          [](const auto& a, const auto& b) { return partition_less(a.partition, b.partition); });
                dirs[i].push_back(std::move(d));
            }
        }
    };
    co_await send_per_node<msg::describe_log_dirs_request>(self, items, deadline, route, build, read);
    std::vector<log_dir_description> out;
    for (std::size_t i = 0; i < brokers.size(); ++i) {
        if (items[i].ec) {
            log_dir_description failed;
            failed.broker = brokers[i];
            failed.error = items[i].ec;
            failed.message = items[i].message;
            out.push_back(std::move(failed));
            continue;
        }
        std::sort(dirs[i].begin(), dirs[i].end(), [](const auto& a, const auto& b) { return a.path < b.path; });
        for (auto& d : dirs[i]) out.push_back(std::move(d));
    }
    co_return result{first_error(out), std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<partition_producers>>> describe_producers(
    state_ptr self, std::vector<topic_partition> parts) {
    const auto deadline = self->deadline();
    std::vector<partition_producers> out;
    for (const auto& tp : parts) out.push_back(partition_producers{tp, {}, {}, {}});
    std::vector<item_state> items(parts.size());
    std::function<const topic_partition&(std::size_t)> partition_of = [&](std::size_t i) -> const topic_partition& {
        return parts[i];
    };
    leader_router route(self, partition_of);
    auto build = [&](const std::vector<std::size_t>& idx) {
        std::vector<topic_partition> asked;
        for (std::size_t i : idx) asked.push_back(parts[i]);
        msg::describe_producers_request req;
        req.topics = by_topic<msg::describe_producers_request::topic_request>(
            asked, [](auto& t) -> std::string& { return t.name; },
            [](auto& t) -> std::vector<std::int32_t>& { return t.partition_indexes; });
        return req;
    };
    auto read = [&](const msg::describe_producers_response& resp, const std::vector<std::size_t>& idx) {
        std::vector<bool> seen(items.size());
        for (const auto& t : resp.topics)
            for (const auto& p : t.partitions) {
                const auto found = find_item(parts, idx, t.name, p.partition_index);
                if (found < 0) continue;
                const auto i = static_cast<std::size_t>(found);
                seen[i] = true;
                const error_code ec = broker_error(p.error_code);
                settle(*self, items[i], ec, ec ? message_or_default(p.error_message, ec) : "");
                out[i].producers.clear();
                for (const auto& s : p.active_producers) {
                    producer_state ps{s.producer_id, s.producer_epoch, s.last_sequence, s.last_timestamp, s.coordinator_epoch, {}};
                    if (s.current_txn_start_offset >= 0) ps.current_transaction_start_offset = s.current_txn_start_offset;
                    out[i].producers.push_back(ps);
                }
                std::sort(out[i].producers.begin(), out[i].producers.end(),
                          [](const auto& a, const auto& b) { return a.producer_id < b.producer_id; });
            }
        left_out(items, idx, seen, "DescribeProducers");
    };
    co_await send_per_node<msg::describe_producers_request>(self, items, deadline, route, build, read);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<transaction_listing>>> list_transactions(state_ptr self,
                                                                                             list_transactions_options options) {
    using result = std::pair<error_code, std::vector<transaction_listing>>;
    const auto deadline = self->deadline();
    auto [bec, brokers] = co_await all_brokers(*self);
    if (bec) co_return result{bec, {}};
    std::vector<item_state> items(brokers.size());  // each broker lists the transactions it coordinates
    std::vector<transaction_listing> out;
    broker_router route(brokers);
    auto build = [&](const std::vector<std::size_t>&) {
        msg::list_transactions_request req;
        req.state_filters = options.states;
        req.producer_id_filters = options.producer_ids;
        req.duration_filter = options.duration_ms;
        return req;
    };
    auto read = [&](const msg::list_transactions_response& resp, const std::vector<std::size_t>& idx, std::int32_t node) {
        const error_code ec = broker_error(resp.error_code);
        for (std::size_t i : idx) settle(*self, items[i], ec, default_message(ec));
        if (ec) return;
        for (const auto& t : resp.transaction_states)
            out.push_back(transaction_listing{t.transactional_id, t.producer_id, t.transaction_state, node});
    };
    co_await send_per_node<msg::list_transactions_request>(self, items, deadline, route, build, read);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.transactional_id < b.transactional_id; });
    for (const auto& i : items)
        if (i.ec) {
            self->note_error(i.ec, i.message, "list_transactions");
            co_return result{i.ec, std::move(out)};  // the transactions of the brokers that answered
        }
    co_return result{error_code{}, std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<transaction_description>>> describe_transactions(
    state_ptr self, std::vector<std::string> ids) {
    const auto deadline = self->deadline();
    std::vector<transaction_description> out(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) out[i].transactional_id = ids[i];
    std::vector<item_state> items(ids.size());
    std::function<const std::string&(std::size_t)> id_of = [&](std::size_t i) -> const std::string& { return ids[i]; };
    coordinator_router route(self, cluster::coordinator_type::transaction, id_of);
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::describe_transactions_request req;
        for (std::size_t i : idx) req.transactional_ids.push_back(ids[i]);
        return req;
    };
    auto read = [&](const msg::describe_transactions_response& resp, const std::vector<std::size_t>& idx, std::int32_t node) {
        std::vector<bool> seen(items.size());
        for (const auto& t : resp.transaction_states)
            for (std::size_t i : idx) {
                if (ids[i] != t.transactional_id) continue;
                seen[i] = true;
                const error_code ec = broker_error(t.error_code);
                settle(*self, items[i], ec, default_message(ec));
                transaction_description& d = out[i];
                d.coordinator = node;
                d.state = t.transaction_state;
                d.producer_id = t.producer_id;
                d.producer_epoch = t.producer_epoch;
                d.timeout_ms = t.transaction_timeout_ms;
                d.start_time_ms = t.transaction_start_time_ms;
                d.partitions.clear();
                for (const auto& tp : t.topics)
                    for (std::int32_t p : tp.partitions) d.partitions.push_back(topic_partition{tp.topic, p});
                std::sort(d.partitions.begin(), d.partitions.end(), partition_less);
            }
        left_out(items, idx, seen, "DescribeTransactions");
    };
    co_await send_per_node<msg::describe_transactions_request>(self, items, deadline, route, build, read);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

}  // namespace
}  // namespace admin_detail

void admin::start_elect_leaders(election_type type, std::vector<topic_partition> partitions,
                                items_handler<partition_outcome> h) {
    impl_->launch(std::move(h), admin_detail::elect_leaders(impl_, type, std::move(partitions)), "elect_leaders");
}

void admin::start_alter_reassignments(std::vector<reassignment_target> targets, items_handler<partition_outcome> h) {
    impl_->launch(std::move(h), admin_detail::alter_reassignments(impl_, std::move(targets)),
                  "alter_partition_reassignments");
}

void admin::start_list_reassignments(std::vector<topic_partition> partitions, items_handler<partition_reassignment> h) {
    impl_->launch(std::move(h), admin_detail::list_reassignments(impl_, std::move(partitions)),
                  "list_partition_reassignments");
}

void admin::start_describe_log_dirs(std::vector<std::int32_t> brokers, items_handler<log_dir_description> h) {
    impl_->launch(std::move(h), admin_detail::describe_log_dirs(impl_, std::move(brokers)), "describe_log_dirs");
}

void admin::start_describe_producers(std::vector<topic_partition> partitions, items_handler<partition_producers> h) {
    impl_->launch(std::move(h), admin_detail::describe_producers(impl_, std::move(partitions)), "describe_producers");
}

void admin::start_list_transactions(list_transactions_options options, items_handler<transaction_listing> h) {
    impl_->launch(std::move(h), admin_detail::list_transactions(impl_, std::move(options)), "list_transactions");
}

void admin::start_describe_transactions(std::vector<std::string> ids, items_handler<transaction_description> h) {
    impl_->launch(std::move(h), admin_detail::describe_transactions(impl_, std::move(ids)), "describe_transactions");
}

}  // namespace kasio

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
