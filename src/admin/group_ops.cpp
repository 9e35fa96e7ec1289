// Consumer groups: list (ListGroups to every broker), describe (ConsumerGroupDescribe, then
// DescribeGroups for classic groups, at each group's coordinator), delete (DeleteGroups).
//
// runs on: pool strand.
#include "admin/admin_state.hpp"
#include "admin/routers.hpp"
#include "protocol/messages.hpp"
#include "protocol/messages/consumer_protocol_assignment.hpp"

#include <kasio/broker_errc.hpp>

#include <algorithm>
#include <cctype>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // coroutine frames: see admin.cpp
#endif

namespace kasio {
namespace admin_detail {
namespace {

namespace msg = protocol::msg;

group_type parse_group_type(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (group_type t : {group_type::classic, group_type::consumer, group_type::share, group_type::streams})
        if (to_string(t) == lower) return t;
    return group_type::unknown;
}

/// A classic consumer member's assignment: the ConsumerProtocolAssignment bytes (an int16
/// version, then the struct). Empty when the bytes are not that (another protocol type).
std::vector<topic_partition> decode_assignment(const protocol::byte_buffer& bytes) {
    std::vector<topic_partition> out;
    if (bytes.size() < 2) return out;
    protocol::reader r(bytes);
    const std::int16_t version = r.read_int16();
    if (!r.ok() || version < 0) return out;
    msg::consumer_protocol_assignment a;
    if (decode(r, a, std::min(version, msg::consumer_protocol_assignment::max_version))) return out;
    for (const auto& t : a.assigned_partitions)
        for (std::int32_t p : t.partitions) out.push_back(topic_partition{t.topic, p});
    std::sort(out.begin(), out.end(), partition_less);
    return out;
}

/// The partitions of a ConsumerGroupDescribe assignment, sorted.
template <class Assignment>
std::vector<topic_partition> flatten(const Assignment& a) {
    std::vector<topic_partition> out;
    for (const auto& t : a.topic_partitions)
        for (std::int32_t p : t.partitions) out.push_back(topic_partition{t.topic_name, p});
    std::sort(out.begin(), out.end(), partition_less);
    return out;
}

void sort_members(std::vector<member_description>& members) {
    std::sort(members.begin(), members.end(),
              [](const member_description& a, const member_description& b) { return a.member_id < b.member_id; });
}

asio::awaitable<std::pair<error_code, std::vector<group_listing>>> list_groups(state_ptr self,
                                                                                 list_groups_options options) {
    using result = std::pair<error_code, std::vector<group_listing>>;
    const auto deadline = self->deadline();
    auto [bec, brokers] = co_await all_brokers(*self);
    if (bec) co_return result{bec, {}};
    std::vector<item_state> items(brokers.size());  // one per broker: each lists the groups it coordinates
    std::vector<group_listing> out;
    broker_router route(brokers);
    auto build = [&](const std::vector<std::size_t>&) {
        msg::list_groups_request req;
        req.states_filter = options.states;
        for (group_type t : options.types) req.types_filter.emplace_back(to_string(t));
        return req;
    };
    auto read = [&](const msg::list_groups_response& resp, const std::vector<std::size_t>& idx, std::int32_t node) {
        const error_code ec = broker_error(resp.error_code);
        for (std::size_t i : idx) settle(*self, items[i], ec, ec ? "ListGroups at broker " + std::to_string(node) + ": " + ec.message() : std::string());
        if (ec) return;
        for (const auto& g : resp.groups)
            out.push_back(group_listing{g.group_id, g.protocol_type, g.group_state, parse_group_type(g.group_type), node});
    };
    co_await send_per_node<msg::list_groups_request>(self, items, deadline, route, build, read);
    std::sort(out.begin(), out.end(), [](const group_listing& a, const group_listing& b) { return a.group_id < b.group_id; });
    for (const auto& i : items)
        if (i.ec) {
            self->note_error(i.ec, i.message, "list_groups");
            co_return result{i.ec, std::move(out)};  // the groups of the brokers that answered
        }
    co_return result{error_code{}, std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<group_description>>> describe_groups(state_ptr self,
                                                                                         std::vector<std::string> ids) {
    const auto deadline = self->deadline();
    std::vector<group_description> out(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) out[i].group_id = ids[i];
    std::function<const std::string&(std::size_t)> group_of = [&](std::size_t i) -> const std::string& { return ids[i]; };
    coordinator_router route(self, cluster::coordinator_type::group, group_of);

    // First as consumer-protocol groups (KIP-848); a classic group answers group_id_not_found
    // there and is asked again with DescribeGroups, as Java's admin does.
    std::vector<item_state> items(ids.size());
    std::vector<bool> classic(ids.size());
    auto build_new = [&](const std::vector<std::size_t>& idx) {
        msg::consumer_group_describe_request req;
        for (std::size_t i : idx) req.group_ids.push_back(ids[i]);
        return req;
    };
    auto read_new = [&](const msg::consumer_group_describe_response& resp, const std::vector<std::size_t>& idx,
                        std::int32_t node) {
        std::vector<bool> seen(items.size());
        for (const auto& g : resp.groups)
            for (std::size_t i : idx) {
                if (ids[i] != g.group_id) continue;
                seen[i] = true;
                const error_code ec = broker_error(g.error_code);
                if (ec == broker_errc::group_id_not_found) {
                    classic[i] = true;
                    items[i] = item_state{{}, {}, true};
                    continue;
                }
                settle(*self, items[i], ec, ec ? message_or_default(g.error_message, ec) : std::string());
                group_description& d = out[i];
                d.type = group_type::consumer;
                d.protocol_type = "consumer";
                d.state = g.group_state;
                d.assignor = g.assignor_name;
                d.coordinator = node;
                d.group_epoch = g.group_epoch;
                d.assignment_epoch = g.assignment_epoch;
                d.members.clear();
                for (const auto& m : g.members) {
                    member_description md;
                    md.member_id = m.member_id;
                    md.group_instance_id = m.instance_id;
                    md.client_id = m.client_id;
                    md.host = m.client_host;
                    md.member_epoch = m.member_epoch;
                    md.assignment = flatten(m.assignment);
                    md.target_assignment = flatten(m.target_assignment);
                    d.members.push_back(std::move(md));
                }
                sort_members(d.members);
            }
        left_out(items, idx, seen, "ConsumerGroupDescribe");
    };
    co_await send_per_node<msg::consumer_group_describe_request>(self, items, deadline, route, build_new, read_new);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        // A coordinator without ConsumerGroupDescribe (before Kafka 3.7): every group is classic.
        if (items[i].ec == client_errc::no_common_version) classic[i] = true;
        if (classic[i]) items[i] = item_state{};
        else items[i].done = true;
    }

    auto build_classic = [&](const std::vector<std::size_t>& idx) {
        msg::describe_groups_request req;
        for (std::size_t i : idx) req.groups.push_back(ids[i]);
        return req;
    };
    auto read_classic = [&](const msg::describe_groups_response& resp, const std::vector<std::size_t>& idx,
                            std::int32_t node) {
        std::vector<bool> seen(items.size());
        for (const auto& g : resp.groups)
            for (std::size_t i : idx) {
                if (ids[i] != g.group_id) continue;
                seen[i] = true;
                const error_code ec = broker_error(g.error_code);
                settle(*self, items[i], ec, ec ? message_or_default(g.error_message, ec) : std::string());
                group_description& d = out[i];
                d.type = group_type::classic;
                d.state = g.group_state;
                d.protocol_type = g.protocol_type;
                d.assignor = g.protocol_data;
                d.coordinator = node;
                d.members.clear();
                for (const auto& m : g.members) {
                    member_description md;
                    md.member_id = m.member_id;
                    md.group_instance_id = m.group_instance_id;
                    md.client_id = m.client_id;
                    md.host = m.client_host;
                    if (g.protocol_type == "consumer") md.assignment = decode_assignment(m.member_assignment);
                    d.members.push_back(std::move(md));
                }
                sort_members(d.members);
            }
        left_out(items, idx, seen, "DescribeGroups");
    };
    co_await send_per_node<msg::describe_groups_request>(self, items, deadline, route, build_classic, read_classic);
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (classic[i] || items[i].ec) {
            out[i].error = items[i].ec;
            out[i].message = items[i].message;
        }
    co_return std::pair{first_error(out), std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<group_outcome>>> delete_groups(state_ptr self,
                                                                                   std::vector<std::string> ids) {
    const auto deadline = self->deadline();
    std::vector<group_outcome> out(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) out[i].group_id = ids[i];
    std::vector<item_state> items(ids.size());
    std::function<const std::string&(std::size_t)> group_of = [&](std::size_t i) -> const std::string& { return ids[i]; };
    coordinator_router route(self, cluster::coordinator_type::group, group_of);
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::delete_groups_request req;
        for (std::size_t i : idx) req.groups_names.push_back(ids[i]);
        return req;
    };
    auto read = [&](const msg::delete_groups_response& resp, const std::vector<std::size_t>& idx) {
        std::vector<bool> seen(items.size());
        for (const auto& r : resp.results)
            for (std::size_t i : idx) {
                if (ids[i] != r.group_id) continue;
                seen[i] = true;
                const error_code ec = broker_error(r.error_code);
                settle(*self, items[i], ec, default_message(ec));
            }
        left_out(items, idx, seen, "DeleteGroups");
    };
    co_await send_per_node<msg::delete_groups_request>(self, items, deadline, route, build, read);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

}  // namespace
}  // namespace admin_detail

void admin::start_list_groups(list_groups_options options, items_handler<group_listing> h) {
    impl_->launch(std::move(h), admin_detail::list_groups(impl_, std::move(options)), "list_groups");
}

void admin::start_describe_groups(std::vector<std::string> ids, items_handler<group_description> h) {
    impl_->launch(std::move(h), admin_detail::describe_groups(impl_, std::move(ids)), "describe_groups");
}

void admin::start_delete_groups(std::vector<std::string> ids, items_handler<group_outcome> h) {
    impl_->launch(std::move(h), admin_detail::delete_groups(impl_, std::move(ids)), "delete_groups");
}

}  // namespace kasio

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
