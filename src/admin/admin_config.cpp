// admin_config::set, get, dump and validate(): the admin's rows of the property table; the
// pool's and connection's rows are net/client_properties.hpp's.
#include "config/member.hpp"
#include "config/properties.hpp"
#include "net/client_properties.hpp"

#include <kasio/admin.hpp>

namespace kasio {
namespace {

using config::prop;

// The admin's rows and their members, for set() and get() alike.
template <class Config, class F>
bool visit(Config& c, prop id, F&& f) {
    switch (id) {
        case prop::bootstrap_servers: return f(c.bootstrap_servers);
        case prop::default_api_timeout_ms: return f(c.default_api_timeout);
        case prop::retry_backoff_ms: return f(c.retry_backoff);
        case prop::metadata_max_age_ms: return f(c.metadata_max_age);
        default: return false;  // the pool's rows and the connection's: net/client_properties.hpp
    }
}

constexpr auto own_rows = [](auto& c, prop id, auto&& f) { return visit(c, id, f); };

}  // namespace

error_code admin_config::set(std::string_view name, std::string_view value, error_context& why) {
    return net::set_client_property(*this, name, value, config::clients::admin, "admin", own_rows, why);
}

error_code admin_config::set(std::string_view name, std::string_view value) {
    error_context why;
    return set(name, value, why);
}

std::optional<std::string> admin_config::get(std::string_view name) const {
    return net::get_client_property(*this, name, config::clients::admin, own_rows);
}

std::vector<std::pair<std::string, std::string>> admin_config::dump() const {
    return net::dump_client_properties(*this, config::clients::admin, own_rows);
}

error_info admin_config::validate() const {
    error_info e;
    if (!config::check_bootstrap(bootstrap_servers, e)) return e;
    (void)(config::check_number(prop::default_api_timeout_ms, default_api_timeout.count(), e) &&
           config::check_number(prop::retry_backoff_ms, retry_backoff.count(), e) &&
           config::check_number(prop::metadata_max_age_ms, metadata_max_age.count(), e));
    if (e) return e;
    if (!net::check_pool_rows(*this, e)) return e;
    if (e = connection.validate(); e) return e;
    return e;
}

}  // namespace kasio
