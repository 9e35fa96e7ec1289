// Topic operations: create, delete, add partitions (to the controller), list and describe
// (Metadata), and the cluster's description.
//
// runs on: pool strand.
#include "admin/admin_state.hpp"
#include "admin/to_public.hpp"
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
using created = std::pair<error_code, std::vector<created_topic>>;
using outcomes = std::pair<error_code, std::vector<topic_outcome>>;

/// Index of each name among the items asked (a name asked twice answers both).
std::multimap<std::string, std::size_t> by_name(const std::vector<std::string>& names, const std::vector<std::size_t>& idx) {
    std::multimap<std::string, std::size_t> out;
    for (std::size_t i : idx) out.emplace(names[i], i);
    return out;
}

asio::awaitable<created> create_topics(state_ptr self, std::vector<new_topic> topics, create_options options) {
    const auto deadline = self->deadline();
    std::vector<created_topic> out(topics.size());
    std::vector<std::string> names;
    for (std::size_t i = 0; i < topics.size(); ++i) names.push_back(out[i].name = topics[i].name);
    std::vector<item_state> items(topics.size());
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::create_topics_request req;
        req.timeout_ms = remaining_ms(deadline);
        req.validate_only = options.validate_only;
        for (std::size_t i : idx) {
            const new_topic& t = topics[i];
            auto& rt = req.topics.emplace_back();
            rt.name = t.name;
            rt.num_partitions = t.replica_assignment.empty() ? t.num_partitions : -1;
            rt.replication_factor = t.replica_assignment.empty() ? t.replication_factor : -1;
            for (std::size_t p = 0; p < t.replica_assignment.size(); ++p) {
                auto& a = rt.assignments.emplace_back();
                a.partition_index = static_cast<std::int32_t>(p);
                a.broker_ids = t.replica_assignment[p];
            }
            for (const auto& [k, v] : t.configs) {
                auto& c = rt.configs.emplace_back();
                c.name = k;
                c.value = v;
            }
        }
        return req;
    };
    auto read = [&](const msg::create_topics_response& resp, const std::vector<std::size_t>& idx) {
        const auto where = by_name(names, idx);
        std::vector<bool> seen(items.size());
        for (const auto& r : resp.topics) {
            auto [lo, hi] = where.equal_range(r.name);
            for (auto it = lo; it != hi; ++it) {
                const std::size_t i = it->second;
                seen[i] = true;
                const error_code ec = broker_error(r.error_code);
                settle(*self, items[i], ec, ec ? message_or_default(r.error_message, ec) : std::string());
                if (ec) continue;
                out[i].topic_id.bytes = r.topic_id.bytes;
                out[i].num_partitions = r.num_partitions;
                out[i].replication_factor = r.replication_factor;
                out[i].configs.clear();
                if (r.configs)
                    for (const auto& c : *r.configs) out[i].configs.push_back(to_public_entry(c));
                sort_entries(out[i].configs);
            }
        }
        left_out(items, idx, seen, "CreateTopics");
    };
    co_await send_until_done<msg::create_topics_request>(self, target::controller, items, deadline, build, read);
    apply_states(out, items);
    co_return created{first_error(out), std::move(out)};
}

asio::awaitable<outcomes> delete_topics(state_ptr self, std::vector<std::string> names) {
    const auto deadline = self->deadline();
    std::vector<topic_outcome> out(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) out[i].name = names[i];
    std::vector<item_state> items(names.size());
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::delete_topics_request req;
        req.timeout_ms = remaining_ms(deadline);
        for (std::size_t i : idx) {
            req.topic_names.push_back(names[i]);         // versions 0-5
            req.topics.emplace_back().name = names[i];   // versions 6+
        }
        return req;
    };
    auto read = [&](const msg::delete_topics_response& resp, const std::vector<std::size_t>& idx) {
        const auto where = by_name(names, idx);
        std::vector<bool> seen(items.size());
        for (const auto& r : resp.responses) {
            auto [lo, hi] = where.equal_range(r.name.value_or(std::string()));
            for (auto it = lo; it != hi; ++it) {
                seen[it->second] = true;
                const error_code ec = broker_error(r.error_code);
                settle(*self, items[it->second], ec, ec ? message_or_default(r.error_message, ec) : std::string());
            }
        }
        left_out(items, idx, seen, "DeleteTopics");
    };
    co_await send_until_done<msg::delete_topics_request>(self, target::controller, items, deadline, build, read);
    apply_states(out, items);
    co_return outcomes{first_error(out), std::move(out)};
}

asio::awaitable<outcomes> create_partitions(state_ptr self, std::vector<new_partitions> partitions,
                                            create_options options) {
    const auto deadline = self->deadline();
    std::vector<topic_outcome> out(partitions.size());
    std::vector<std::string> names;
    for (std::size_t i = 0; i < partitions.size(); ++i) names.push_back(out[i].name = partitions[i].topic);
    std::vector<item_state> items(partitions.size());
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::create_partitions_request req;
        req.timeout_ms = remaining_ms(deadline);
        req.validate_only = options.validate_only;
        for (std::size_t i : idx) {
            auto& t = req.topics.emplace_back();
            t.name = partitions[i].topic;
            t.count = partitions[i].total_count;
            if (partitions[i].assignments.empty()) {
                t.assignments.reset();  // null: the controller places the new replicas
            } else {
                t.assignments.emplace();
                for (const auto& brokers : partitions[i].assignments) t.assignments->emplace_back().broker_ids = brokers;
            }
        }
        return req;
    };
    auto read = [&](const msg::create_partitions_response& resp, const std::vector<std::size_t>& idx) {
        const auto where = by_name(names, idx);
        std::vector<bool> seen(items.size());
        for (const auto& r : resp.results) {
            auto [lo, hi] = where.equal_range(r.name);
            for (auto it = lo; it != hi; ++it) {
                seen[it->second] = true;
                const error_code ec = broker_error(r.error_code);
                settle(*self, items[it->second], ec, ec ? message_or_default(r.error_message, ec) : std::string());
            }
        }
        left_out(items, idx, seen, "CreatePartitions");
    };
    co_await send_until_done<msg::create_partitions_request>(self, target::controller, items, deadline, build, read);
    apply_states(out, items);
    co_return outcomes{first_error(out), std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<topic_listing>>> list_topics(state_ptr self,
                                                                                 list_topics_options options) {
    error_context where;
    std::vector<std::string> all;
    auto [ec, md] = co_await self->metadata(all, where);
    std::vector<topic_listing> out;
    if (ec) {
        self->note_error(ec, where.message, "list_topics");
        co_return std::pair{ec, std::move(out)};
    }
    for (const auto& t : md.topics) {
        if (t.is_internal && !options.include_internal) continue;
        out.push_back(topic_listing{t.name, t.topic_id, t.is_internal});
    }
    co_return std::pair{error_code{}, std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<topic_description>>> describe_topics(state_ptr self,
                                                                                         std::vector<std::string> names) {
    std::vector<topic_description> out(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) out[i].name = names[i];
    if (names.empty()) co_return std::pair{error_code{}, std::move(out)};
    error_context where;
    auto [ec, md] = co_await self->metadata(names, where);
    error_code first;
    for (auto& t : out) {
        if (ec) {
            t.error = ec;
            continue;
        }
        if (const topic_description* found = md.topic(t.name))
            t = *found;
        else
            t.error = client_errc::incomplete_response;
        if (t.error && !first) first = t.error;
    }
    if (ec) {
        self->note_error(ec, where.message, "describe_topics");
        first = ec;
    }
    co_return std::pair{first, std::move(out)};
}

asio::awaitable<std::pair<error_code, cluster_description>> describe_cluster(state_ptr self) {
    using result = std::pair<error_code, cluster_description>;
    const auto deadline = self->deadline();
    std::vector<item_state> one(1);
    cluster_description out;
    auto build = [](const std::vector<std::size_t>&) { return msg::describe_cluster_request{}; };
    auto read = [&](const msg::describe_cluster_response& resp, const std::vector<std::size_t>&) {
        const error_code ec = broker_error(resp.error_code);
        settle(*self, one[0], ec, ec ? message_or_default(resp.error_message, ec) : std::string());
        out.cluster_id = resp.cluster_id;
        out.controller_id = resp.controller_id;
        out.brokers.clear();
        for (const auto& b : resp.brokers) out.brokers.push_back(broker_description{b.broker_id, b.host, b.port, b.rack});
        std::sort(out.brokers.begin(), out.brokers.end(),
                  [](const broker_description& x, const broker_description& y) { return x.node_id < y.node_id; });
    };
    co_await send_until_done<msg::describe_cluster_request>(self, target::any, one, deadline, build, read);
    if (one[0].ec != client_errc::no_common_version) {
        if (one[0].ec) self->note_error(one[0].ec, one[0].message, "describe_cluster");
        co_return result{one[0].ec, std::move(out)};
    }
    // A broker older than 2.8 (KIP-700): what Metadata says.
    error_context where;
    std::vector<std::string> none;  // every topic: a Metadata request has no "brokers only"
    auto [ec, md] = co_await self->metadata(none, where);
    if (ec) co_return result{ec, std::move(out)};
    out.cluster_id = md.cluster_id.value_or(std::string());
    out.controller_id = md.controller_id;
    out.brokers = std::move(md.brokers);
    co_return result{error_code{}, std::move(out)};
}

}  // namespace
}  // namespace admin_detail

void admin::start_create_topics(std::vector<new_topic> topics, create_options options, items_handler<created_topic> h) {
    impl_->launch(std::move(h), admin_detail::create_topics(impl_, std::move(topics), options), "create_topics");
}

void admin::start_delete_topics(std::vector<std::string> names, items_handler<topic_outcome> h) {
    impl_->launch(std::move(h), admin_detail::delete_topics(impl_, std::move(names)), "delete_topics");
}

void admin::start_create_partitions(std::vector<new_partitions> partitions, create_options options,
                                    items_handler<topic_outcome> h) {
    impl_->launch(std::move(h), admin_detail::create_partitions(impl_, std::move(partitions), options), "create_partitions");
}

void admin::start_list_topics(list_topics_options options, items_handler<topic_listing> h) {
    impl_->launch(std::move(h), admin_detail::list_topics(impl_, options), "list_topics");
}

void admin::start_describe_topics(std::vector<std::string> names, items_handler<topic_description> h) {
    impl_->launch(std::move(h), admin_detail::describe_topics(impl_, std::move(names)), "describe_topics");
}

void admin::start_describe_cluster(cluster_handler h) {
    impl_->launch(std::move(h), admin_detail::describe_cluster(impl_), "describe_cluster");
}

}  // namespace kasio

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
