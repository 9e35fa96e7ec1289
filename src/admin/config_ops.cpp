// Configuration operations: describe (DescribeConfigs) and incremental alter
// (IncrementalAlterConfigs). A broker's own configuration is answered by that broker only; the
// rest by any broker.
//
// runs on: pool strand.
#include "admin/admin_state.hpp"
#include "admin/to_public.hpp"
#include "protocol/messages.hpp"

#include <charconv>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // coroutine frames: see admin.cpp
#endif

namespace kasio {
namespace admin_detail {
namespace {

namespace msg = protocol::msg;

/// The broker a resource belongs to: its id for broker and broker-logger resources, -1 for
/// the rest (and for the cluster-wide broker default, named "").
std::int32_t owning_broker(const config_resource& r) {
    if (r.type != config_resource_type::broker && r.type != config_resource_type::broker_logger) return -1;
    std::int32_t id = -1;
    const char* end = r.name.data() + r.name.size();
    auto [at, ec] = std::from_chars(r.name.data(), end, id);
    return ec == std::errc{} && at == end ? id : -1;
}

/// Routes each resource to its broker, or to any broker.
class config_router {
public:
    config_router(state_ptr self, const std::vector<config_resource>& resources) : self_(std::move(self)), resources_(resources) {}

    asio::awaitable<void> operator()(const std::vector<std::size_t>& idx, std::vector<node_pick>& picks) {
        std::optional<node_pick> any;
        for (std::size_t k = 0; k < idx.size(); ++k) {
            const std::int32_t owner = owning_broker(resources_[idx[k]]);
            if (owner >= 0) {
                picks[k] = co_await self_->broker(owner);
                continue;
            }
            if (!any) any = co_await self_->any_broker();
            picks[k] = *any;
        }
    }

private:
    state_ptr self_;
    const std::vector<config_resource>& resources_;
};

/// Matches a response's resource to the items asked (type and name).
template <class Result>
std::vector<std::size_t> matching(const std::vector<config_resource>& resources, const std::vector<std::size_t>& idx,
                                  const Result& r) {
    std::vector<std::size_t> out;
    for (std::size_t i : idx)
        if (static_cast<std::int8_t>(resources[i].type) == r.resource_type && resources[i].name == r.resource_name)
            out.push_back(i);
    return out;
}

asio::awaitable<std::pair<error_code, std::vector<config_description>>> describe_configs(
    state_ptr self, std::vector<config_resource> resources, describe_configs_options options) {
    const auto deadline = self->deadline();
    std::vector<config_description> out(resources.size());
    for (std::size_t i = 0; i < resources.size(); ++i) out[i].resource = resources[i];
    std::vector<item_state> items(resources.size());
    config_router route(self, resources);
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::describe_configs_request req;
        req.include_synonyms = options.include_synonyms;
        req.include_documentation = options.include_documentation;
        for (std::size_t i : idx) {
            auto& r = req.resources.emplace_back();
            r.resource_type = static_cast<std::int8_t>(resources[i].type);
            r.resource_name = resources[i].name;
            r.configuration_keys.reset();  // every key
        }
        return req;
    };
    auto read = [&](const msg::describe_configs_response& resp, const std::vector<std::size_t>& idx) {
        std::vector<bool> seen(items.size());
        for (const auto& r : resp.results) {
            for (std::size_t i : matching(resources, idx, r)) {
                seen[i] = true;
                const error_code ec = broker_error(r.error_code);
                settle(*self, items[i], ec, ec ? message_or_default(r.error_message, ec) : std::string());
                out[i].entries.clear();
                for (const auto& c : r.configs) out[i].entries.push_back(to_public_entry(c));
                sort_entries(out[i].entries);
            }
        }
        left_out(items, idx, seen, "DescribeConfigs");
    };
    co_await send_per_node<msg::describe_configs_request>(self, items, deadline, route, build, read);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<config_outcome>>> alter_configs(
    state_ptr self, std::vector<config_alteration> alterations, create_options options) {
    const auto deadline = self->deadline();
    std::vector<config_outcome> out(alterations.size());
    std::vector<config_resource> resources;
    for (std::size_t i = 0; i < alterations.size(); ++i) resources.push_back(out[i].resource = alterations[i].resource);
    std::vector<item_state> items(alterations.size());
    config_router route(self, resources);
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::incremental_alter_configs_request req;
        req.validate_only = options.validate_only;
        for (std::size_t i : idx) {
            auto& r = req.resources.emplace_back();
            r.resource_type = static_cast<std::int8_t>(resources[i].type);
            r.resource_name = resources[i].name;
            for (const alter_config_op& op : alterations[i].ops) {
                auto& c = r.configs.emplace_back();
                c.name = op.name;
                c.config_operation = static_cast<std::int8_t>(op.op);
                c.value = op.value;
            }
        }
        return req;
    };
    auto read = [&](const msg::incremental_alter_configs_response& resp, const std::vector<std::size_t>& idx) {
        std::vector<bool> seen(items.size());
        for (const auto& r : resp.responses) {
            for (std::size_t i : matching(resources, idx, r)) {
                seen[i] = true;
                const error_code ec = broker_error(r.error_code);
                settle(*self, items[i], ec, ec ? message_or_default(r.error_message, ec) : std::string());
            }
        }
        left_out(items, idx, seen, "IncrementalAlterConfigs");
    };
    co_await send_per_node<msg::incremental_alter_configs_request>(self, items, deadline, route, build, read);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

}  // namespace
}  // namespace admin_detail

void admin::start_describe_configs(std::vector<config_resource> resources, describe_configs_options options,
                                   items_handler<config_description> h) {
    impl_->launch(std::move(h), admin_detail::describe_configs(impl_, std::move(resources), options), "describe_configs");
}

void admin::start_alter_configs(std::vector<config_alteration> alterations, create_options options,
                                items_handler<config_outcome> h) {
    impl_->launch(std::move(h), admin_detail::alter_configs(impl_, std::move(alterations), options),
                  "incremental_alter_configs");
}

}  // namespace kasio

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
