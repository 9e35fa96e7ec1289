#pragma once
// Conversions from generated response structs to the public result types that several admin
// operations share (configuration entries appear in CreateTopics and DescribeConfigs answers).
#include <kasio/admin_types.hpp>

#include <algorithm>

namespace kasio::admin_detail {

/// A configuration entry of a CreateTopics (v5+) or DescribeConfigs response.
template <class Wire>
config_entry to_public_entry(const Wire& c) {
    config_entry e;
    e.name = c.name;
    e.value = c.value;
    e.read_only = c.read_only;
    e.sensitive = c.is_sensitive;
    e.source = static_cast<config_source>(c.config_source);
    if constexpr (requires { c.is_default; }) {
        // DescribeConfigs v0 has no source: is_default is all it says.
        if (c.config_source < 0) e.source = c.is_default ? config_source::default_config : config_source::unknown;
    }
    if constexpr (requires { c.synonyms; }) {
        for (const auto& s : c.synonyms)
            e.synonyms.push_back(config_synonym{s.name, s.value, static_cast<config_source>(s.source)});
    }
    if constexpr (requires { c.config_type; }) e.type = static_cast<config_type>(c.config_type);
    if constexpr (requires { c.documentation; }) e.documentation = c.documentation.value_or(std::string());
    return e;
}

/// Entries sorted by name, as every result lists them.
inline void sort_entries(std::vector<config_entry>& entries) {
    std::sort(entries.begin(), entries.end(), [](const config_entry& a, const config_entry& b) { return a.name < b.name; });
}

}  // namespace kasio::admin_detail
