// ACLs (CreateAcls, DescribeAcls, DeleteAcls) and SCRAM credentials
// (DescribeUserScramCredentials, AlterUserScramCredentials).
//
// runs on: pool strand.
#include "admin/admin_state.hpp"
#include "net/scram.hpp"
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

template <class T>
std::int8_t wire(T v) {
    return static_cast<std::int8_t>(v);
}

/// An ACL as a response lists it (DescribeAcls' and DeleteAcls' share the field names).
template <class Wire>
acl_binding acl_of(std::int8_t type, const std::string& name, std::int8_t pattern, const Wire& a) {
    return acl_binding{static_cast<acl_resource_type>(type), name, static_cast<acl_pattern_type>(pattern), a.principal,
                       a.host, static_cast<acl_operation>(a.operation), static_cast<acl_permission>(a.permission_type)};
}

bool acl_less(const acl_binding& a, const acl_binding& b) {
    return std::tie(a.resource_type, a.resource_name, a.pattern, a.principal, a.host, a.operation, a.permission) <
           std::tie(b.resource_type, b.resource_name, b.pattern, b.principal, b.host, b.operation, b.permission);
}

/// Fills a filter's wire fields (DescribeAcls' request and DeleteAcls' filters).
template <class Wire>
void set_filter(Wire& w, const acl_filter& f) {
    w.resource_type_filter = wire(f.resource_type);
    w.resource_name_filter = f.resource_name;
    w.pattern_type_filter = wire(f.pattern);
    w.principal_filter = f.principal;
    w.host_filter = f.host;
    w.operation = wire(f.operation);
    w.permission_type = wire(f.permission);
}

/// What makes a binding a filter rather than an ACL (any, match, unknown); empty when none.
std::string filter_only_value(const acl_binding& a) {
    if (a.resource_type == acl_resource_type::any || a.resource_type == acl_resource_type::unknown)
        return "an ACL's resource type must be a concrete one, not any or unknown";
    if (a.pattern != acl_pattern_type::literal && a.pattern != acl_pattern_type::prefixed)
        return "an ACL's pattern type must be literal or prefixed (any and match are for filters)";
    if (a.operation == acl_operation::any || a.operation == acl_operation::unknown)
        return "an ACL's operation must be a concrete one, not any or unknown";
    if (a.permission != acl_permission::allow && a.permission != acl_permission::deny)
        return "an ACL's permission must be allow or deny";
    return {};
}

asio::awaitable<std::pair<error_code, std::vector<acl_outcome>>> create_acls(state_ptr self, std::vector<acl_binding> acls) {
    const auto deadline = self->deadline();
    std::vector<acl_outcome> out(acls.size());
    for (std::size_t i = 0; i < acls.size(); ++i) out[i].acl = acls[i];
    std::vector<item_state> items(acls.size());
    // Values only a filter may hold are refused here, as Java's AclBinding refuses them when it
    // is made (a broker answers them with an unexpected server error).
    for (std::size_t i = 0; i < acls.size(); ++i)
        if (std::string why = filter_only_value(acls[i]); !why.empty())
            items[i] = item_state{broker_errc::invalid_request, std::move(why), true};
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::create_acls_request req;
        for (std::size_t i : idx) {
            const acl_binding& a = acls[i];
            auto& c = req.creations.emplace_back();
            c.resource_type = wire(a.resource_type);
            c.resource_name = a.resource_name;
            c.resource_pattern_type = wire(a.pattern);
            c.principal = a.principal;
            c.host = a.host;
            c.operation = wire(a.operation);
            c.permission_type = wire(a.permission);
        }
        return req;
    };
    // Results come in the order of the creations.
    auto read = [&](const msg::create_acls_response& resp, const std::vector<std::size_t>& idx) {
        std::vector<bool> seen(items.size());
        for (std::size_t k = 0; k < idx.size() && k < resp.results.size(); ++k) {
            seen[idx[k]] = true;
            const error_code ec = broker_error(resp.results[k].error_code);
            settle(*self, items[idx[k]], ec, message_or_default(resp.results[k].error_message, ec));
        }
        left_out(items, idx, seen, "CreateAcls");
    };
    co_await send_until_done<msg::create_acls_request>(self, target::any, items, deadline, build, read);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<acl_binding>>> describe_acls(state_ptr self, acl_filter filter) {
    const auto deadline = self->deadline();
    std::vector<item_state> one(1);
    std::vector<acl_binding> out;
    auto build = [&](const std::vector<std::size_t>&) {
        msg::describe_acls_request req;
        set_filter(req, filter);
        return req;
    };
    auto read = [&](const msg::describe_acls_response& resp, const std::vector<std::size_t>&) {
        const error_code ec = broker_error(resp.error_code);
        settle(*self, one[0], ec, message_or_default(resp.error_message, ec));
        out.clear();
        for (const auto& r : resp.resources)
            for (const auto& a : r.acls) out.push_back(acl_of(r.resource_type, r.resource_name, r.pattern_type, a));
        std::sort(out.begin(), out.end(), acl_less);
    };
    co_await send_until_done<msg::describe_acls_request>(self, target::any, one, deadline, build, read);
    if (one[0].ec) {
        self->note_error(one[0].ec, one[0].message, "describe_acls");
        out.clear();
    }
    co_return std::pair{one[0].ec, std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<deleted_acls>>> delete_acls(state_ptr self, std::vector<acl_filter> filters) {
    const auto deadline = self->deadline();
    std::vector<deleted_acls> out(filters.size());
    for (std::size_t i = 0; i < filters.size(); ++i) out[i].filter = filters[i];
    std::vector<item_state> items(filters.size());
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::delete_acls_request req;
        for (std::size_t i : idx) set_filter(req.filters.emplace_back(), filters[i]);
        return req;
    };
    // Results come in the order of the filters.
    auto read = [&](const msg::delete_acls_response& resp, const std::vector<std::size_t>& idx) {
        std::vector<bool> seen(items.size());
        for (std::size_t k = 0; k < idx.size() && k < resp.filter_results.size(); ++k) {
            const auto& r = resp.filter_results[k];
            const std::size_t i = idx[k];
            seen[i] = true;
            const error_code ec = broker_error(r.error_code);
            settle(*self, items[i], ec, message_or_default(r.error_message, ec));
            out[i].deleted.clear();
            for (const auto& m : r.matching_acls) {
                const error_code mec = broker_error(m.error_code);
                out[i].deleted.push_back(acl_outcome{acl_of(m.resource_type, m.resource_name, m.pattern_type, m), mec,
                                                     message_or_default(m.error_message, mec)});
            }
        }
        left_out(items, idx, seen, "DeleteAcls");
    };
    co_await send_until_done<msg::delete_acls_request>(self, target::any, items, deadline, build, read);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

asio::awaitable<std::pair<error_code, std::vector<user_scram_description>>> describe_scram(state_ptr self,
                                                                                             std::vector<std::string> users) {
    using result = std::pair<error_code, std::vector<user_scram_description>>;
    const auto deadline = self->deadline();
    std::vector<item_state> one(1);  // one request for every user asked
    std::vector<user_scram_description> out;
    auto build = [&](const std::vector<std::size_t>&) {
        msg::describe_user_scram_credentials_request req;
        if (users.empty()) {
            req.users.reset();  // null: every user with a credential
        } else {
            req.users.emplace();
            for (const auto& u : users) req.users->emplace_back().name = u;
        }
        return req;
    };
    auto read = [&](const msg::describe_user_scram_credentials_response& resp, const std::vector<std::size_t>&) {
        const error_code ec = broker_error(resp.error_code);
        settle(*self, one[0], ec, message_or_default(resp.error_message, ec));
        out.clear();
        for (const auto& r : resp.results) {
            user_scram_description d;
            d.user = r.user;
            d.error = broker_error(r.error_code);
            if (d.error) d.message = message_or_default(r.error_message, d.error);
            for (const auto& c : r.credential_infos)
                d.credentials.push_back(scram_credential_info{static_cast<scram_mechanism>(c.mechanism), c.iterations});
            std::sort(d.credentials.begin(), d.credentials.end(),
                      [](const auto& a, const auto& b) { return a.mechanism < b.mechanism; });
            out.push_back(std::move(d));
        }
    };
    co_await send_until_done<msg::describe_user_scram_credentials_request>(self, target::any, one, deadline, build, read);
    if (one[0].ec) {
        self->note_error(one[0].ec, one[0].message, "describe_user_scram_credentials");
        co_return result{one[0].ec, {}};
    }
    // In the order asked (sorted by user when every user was asked for).
    if (users.empty()) {
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.user < b.user; });
    } else {
        std::vector<user_scram_description> ordered;
        for (const auto& u : users) {
            auto it = std::find_if(out.begin(), out.end(), [&](const auto& d) { return d.user == u; });
            if (it != out.end()) {
                ordered.push_back(*it);
            } else {
                user_scram_description d;
                d.user = u;
                d.error = client_errc::incomplete_response;
                d.message = "the DescribeUserScramCredentials response left it out";
                ordered.push_back(std::move(d));
            }
        }
        out = std::move(ordered);
    }
    co_return result{first_error(out), std::move(out)};
}

net::scram_hash hash_of(scram_mechanism m) {
    return m == scram_mechanism::sha_512 ? net::scram_hash::sha512 : net::scram_hash::sha256;
}

asio::awaitable<std::pair<error_code, std::vector<user_outcome>>> alter_scram(state_ptr self,
                                                                               std::vector<scram_upsertion> upsertions,
                                                                               std::vector<scram_deletion> deletions) {
    const auto deadline = self->deadline();
    // One item per user named, in the order first named.
    std::vector<user_outcome> out;
    auto index_of = [&](const std::string& user) {
        for (std::size_t i = 0; i < out.size(); ++i)
            if (out[i].user == user) return i;
        out.push_back(user_outcome{user, {}, {}});
        return out.size() - 1;
    };
    std::vector<std::size_t> upsert_item, delete_item;
    for (const auto& u : upsertions) upsert_item.push_back(index_of(u.user));
    for (const auto& d : deletions) delete_item.push_back(index_of(d.user));
    std::vector<item_state> items(out.size());

    // The salted passwords are computed once, here: the password itself never leaves.
    std::vector<std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>> secrets;  // salt, salted password
    for (std::size_t k = 0; k < upsertions.size(); ++k) {
        const scram_upsertion& u = upsertions[k];
        std::vector<std::uint8_t> salt = u.salt.empty() ? net::random_bytes(32)
                                                        : std::vector<std::uint8_t>(u.salt.begin(), u.salt.end());
        std::vector<std::uint8_t> salted =
            u.mechanism == scram_mechanism::unknown || u.iterations <= 0
                ? std::vector<std::uint8_t>{}
                : net::scram_salted_password(hash_of(u.mechanism), u.password, salt, u.iterations);
        if (salted.empty())
            items[upsert_item[k]] = item_state{client_errc::invalid_value,
                                               "the credential could not be computed (mechanism or iterations)", true};
        secrets.emplace_back(std::move(salt), std::move(salted));
    }
    auto build = [&](const std::vector<std::size_t>& idx) {
        msg::alter_user_scram_credentials_request req;
        auto asked = [&](std::size_t item) { return std::find(idx.begin(), idx.end(), item) != idx.end(); };
        for (std::size_t k = 0; k < deletions.size(); ++k) {
            if (!asked(delete_item[k])) continue;
            auto& d = req.deletions.emplace_back();
            d.name = deletions[k].user;
            d.mechanism = static_cast<std::int8_t>(deletions[k].mechanism);
        }
        for (std::size_t k = 0; k < upsertions.size(); ++k) {
            if (!asked(upsert_item[k])) continue;
            auto& u = req.upsertions.emplace_back();
            u.name = upsertions[k].user;
            u.mechanism = static_cast<std::int8_t>(upsertions[k].mechanism);
            u.iterations = upsertions[k].iterations;
            u.salt = secrets[k].first;
            u.salted_password = secrets[k].second;
        }
        return req;
    };
    auto read = [&](const msg::alter_user_scram_credentials_response& resp, const std::vector<std::size_t>& idx) {
        std::vector<bool> seen(items.size());
        for (const auto& r : resp.results)
            for (std::size_t i : idx) {
                if (out[i].user != r.user) continue;
                seen[i] = true;
                const error_code ec = broker_error(r.error_code);
                settle(*self, items[i], ec, message_or_default(r.error_message, ec));
            }
        left_out(items, idx, seen, "AlterUserScramCredentials");
    };
    co_await send_until_done<msg::alter_user_scram_credentials_request>(self, target::controller, items, deadline, build,
                                                                        read);
    apply_states(out, items);
    co_return std::pair{first_error(out), std::move(out)};
}

}  // namespace
}  // namespace admin_detail

void admin::start_create_acls(std::vector<acl_binding> acls, items_handler<acl_outcome> h) {
    impl_->launch(std::move(h), admin_detail::create_acls(impl_, std::move(acls)), "create_acls");
}

void admin::start_describe_acls(acl_filter filter, items_handler<acl_binding> h) {
    impl_->launch(std::move(h), admin_detail::describe_acls(impl_, std::move(filter)), "describe_acls");
}

void admin::start_delete_acls(std::vector<acl_filter> filters, items_handler<deleted_acls> h) {
    impl_->launch(std::move(h), admin_detail::delete_acls(impl_, std::move(filters)), "delete_acls");
}

void admin::start_describe_scram(std::vector<std::string> users, items_handler<user_scram_description> h) {
    impl_->launch(std::move(h), admin_detail::describe_scram(impl_, std::move(users)), "describe_user_scram_credentials");
}

void admin::start_alter_scram(std::vector<scram_upsertion> upsertions, std::vector<scram_deletion> deletions,
                              items_handler<user_outcome> h) {
    impl_->launch(std::move(h), admin_detail::alter_scram(impl_, std::move(upsertions), std::move(deletions)),
                  "alter_user_scram_credentials");
}

}  // namespace kasio

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
