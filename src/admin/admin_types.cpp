// Names of the admin result enumerations, as Java prints them (lowercased).
#include <kasio/admin_types.hpp>

namespace kasio {

std::string_view to_string(config_source s) noexcept {
    switch (s) {
        case config_source::unknown: return "unknown";
        case config_source::dynamic_topic_config: return "dynamic_topic_config";
        case config_source::dynamic_broker_config: return "dynamic_broker_config";
        case config_source::dynamic_default_broker_config: return "dynamic_default_broker_config";
        case config_source::static_broker_config: return "static_broker_config";
        case config_source::default_config: return "default_config";
        case config_source::dynamic_broker_logger_config: return "dynamic_broker_logger_config";
        case config_source::client_metrics_config: return "client_metrics_config";
        case config_source::group_config: return "group_config";
    }
    return "unknown";
}

std::string_view to_string(group_type t) noexcept {
    switch (t) {
        case group_type::unknown: return "unknown";
        case group_type::classic: return "classic";
        case group_type::consumer: return "consumer";
        case group_type::share: return "share";
        case group_type::streams: return "streams";
    }
    return "unknown";
}

}  // namespace kasio
