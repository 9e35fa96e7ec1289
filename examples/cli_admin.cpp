// kasio-cli's admin commands (topics, configs, groups, offsets, acls, cluster), each a few calls of
// kasio::admin. The contract they keep is in kasio_cli.cpp's header comment: one JSON object
// per item on stdout, a failed item with "error" (the Kafka error name) and "message" plus one
// stderr line, exit 0 / 1 (an item or the operation failed) / 2 (usage, configuration).
#include "cli_admin.hpp"

#include <kasio/admin.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace kasio_cli {
namespace {

namespace asio = boost::asio;
using namespace kasio;

// ---- the command line

/// A subcommand: its options ("--name=" takes a value, "--name" is a flag; --brokers and -X are
/// everyone's) and its usage text.
struct subcommand {
    std::string_view command, name;  // "topics", "create"; name "" for `cluster`
    std::string_view options;
    std::string_view usage;
};

constexpr std::string_view reset_flags = "--to-earliest, --to-latest, --to-timestamp, --to-offset, --shift-by";

// The options every acls subcommand shares, named as kafka-acls.sh names them.
constexpr std::string_view acl_options =
    "--topic= --group= --cluster --transactional-id= --user= --resource-pattern-type= --principal= --host= "
    "--operation= --allow --deny";

constexpr std::array<subcommand, 14> subcommands{{
    {"topics", "list", "--internal",
     "usage: kasio-cli topics list --brokers B [--internal]\n"
     "  one {\"name\",\"topic_id\",\"internal\"} per topic, sorted by name\n"
     "  --internal              list __consumer_offsets and __transaction_state too\n"},
    {"topics", "create", "--topic= --partitions= --replication= --config= --validate-only",
     "usage: kasio-cli topics create --brokers B --topic T [options]\n"
     "  one {\"name\",\"topic_id\",\"num_partitions\",\"replication_factor\"} per topic created\n"
     "  -t, --topic T           the topic (repeatable: each with the same settings)\n"
     "  --partitions P          partition count (default: the broker's num.partitions)\n"
     "  --replication R         replicas per partition (default: default.replication.factor)\n"
     "  --config k=v            a topic configuration (repeatable)\n"
     "  --validate-only         let the controller check the request; create nothing\n"},
    {"topics", "delete", "--topic=",
     "usage: kasio-cli topics delete --brokers B --topic T [--topic T2]...\n"
     "  one {\"name\"} per topic deleted\n"
     "  -t, --topic T           a topic to delete (repeatable)\n"},
    {"topics", "describe", "--topic=",
     "usage: kasio-cli topics describe --brokers B --topic T [--topic T2]...\n"
     "  one {\"name\",\"topic_id\",\"internal\",\"partitions\":[{\"partition\",\"leader\",\"leader_epoch\",\n"
     "  \"replicas\",\"isr\",\"offline_replicas\"}]} per topic\n"
     "  -t, --topic T           a topic to describe (repeatable)\n"},
    {"configs", "get", "--type= --name= --synonyms",
     "usage: kasio-cli configs get --brokers B --type topic|broker --name N [--synonyms]\n"
     "  one {\"resource_type\",\"name\",\"entries\":[{\"name\",\"value\",\"source\",\"read_only\",\n"
     "  \"sensitive\",\"default\"}]}: the resource's configuration, entries sorted by name\n"
     "  --type topic|broker     what N names\n"
     "  --name N                a topic, or a broker id (\"\": the cluster-wide broker default)\n"
     "  --synonyms              each entry's lower-precedence values too (\"synonyms\")\n"},
    {"configs", "set", "--type= --name= --set= --delete= --validate-only",
     "usage: kasio-cli configs set --brokers B --type topic|broker --name N [--set k=v]... [--delete k]...\n"
     "  one {\"resource_type\",\"name\"} once the changes are applied together\n"
     "  --type topic|broker     what N names\n"
     "  --name N                a topic, or a broker id (\"\": every broker)\n"
     "  --set k=v               set a configuration (repeatable)\n"
     "  --delete k              back to its default (repeatable)\n"
     "  --validate-only         let the broker check the changes; apply nothing\n"},
    {"groups", "list", "",
     "usage: kasio-cli groups list --brokers B\n"
     "  one {\"group_id\",\"protocol_type\",\"state\",\"type\",\"coordinator\"} per group, sorted by id\n"},
    {"groups", "describe", "--group=",
     "usage: kasio-cli groups describe --brokers B --group G [--group G2]...\n"
     "  one {\"group_id\",\"type\",\"state\",\"protocol_type\",\"assignor\",\"coordinator\",\"group_epoch\",\n"
     "  \"assignment_epoch\",\"members\":[{\"member_id\",\"group_instance_id\",\"client_id\",\"host\",\n"
     "  \"assignment\":[{\"topic\",\"partition\"}],\"member_epoch\"}]} per group\n"
     "  -g, --group G           a group to describe (repeatable)\n"},
    {"groups", "delete", "--group=",
     "usage: kasio-cli groups delete --brokers B --group G [--group G2]...\n"
     "  one {\"group_id\"} per group deleted with its offsets (non_empty_group while it has members)\n"
     "  -g, --group G           a group to delete (repeatable)\n"},
    {"offsets", "reset",
     "--group= --topic= --partition= --to-earliest --to-latest --to-timestamp= --to-offset= --shift-by= --execute",
     "usage: kasio-cli offsets reset --brokers B --group G --topic T [--partition P]... <target> [--execute]\n"
     "  moves the group's committed offsets; the group must have no active member. Prints the plan,\n"
     "  one {\"topic\",\"partition\",\"current\",\"new\"} per partition (current null: none committed),\n"
     "  and applies it only with --execute (a dry run otherwise)\n"
     "  -g, --group G           the group (required)\n"
     "  -t, --topic T           the topic (required)\n"
     "  -p, --partition P       only partition P (repeatable; default: every partition of T)\n"
     "  target, exactly one of:\n"
     "  --to-earliest           the log start offset\n"
     "  --to-latest             the end offset\n"
     "  --to-timestamp MS       the first record at or after MS (ms since the epoch; none: the end)\n"
     "  --to-offset N           offset N, kept within [earliest, latest]\n"
     "  --shift-by N            the committed offset plus N (may be negative), kept within\n"
     "                          [earliest, latest]; a partition with none committed fails\n"
     "  --execute               commit the new offsets (alter_consumer_group_offsets)\n"},
    {"acls", "list", acl_options,
     "usage: kasio-cli acls list --brokers B [filter options]\n"
     "  one {\"resource_type\",\"resource_name\",\"pattern_type\",\"principal\",\"host\",\"operation\",\n"
     "  \"permission\"} per ACL matching the filter, sorted; every option left out matches anything\n"
     "  --topic T | --group G | --cluster | --transactional-id I | --user U\n"
     "                          the resource (at most one; default: any)\n"
     "  --resource-pattern-type literal|prefixed|any|match\n"
     "                          literal (the default with a resource) or prefixed: ACLs of that\n"
     "                          pattern and name; any: both; match: every ACL that applies to the name\n"
     "  --principal P           e.g. User:alice\n"
     "  --host H                the host of the ACL (\"*\": those for any host)\n"
     "  --operation O           any, or one of the operations of acls create\n"
     "  --allow | --deny        only ALLOW or only DENY ACLs\n"},
    {"acls", "create", acl_options,
     "usage: kasio-cli acls create --brokers B <resource> --principal P --operation O (--allow|--deny)\n"
     "  one {\"resource_type\",\"resource_name\",\"pattern_type\",\"principal\",\"host\",\"operation\",\n"
     "  \"permission\"} for the ACL created\n"
     "  --topic T | --group G | --cluster | --transactional-id I | --user U\n"
     "                          the resource (exactly one)\n"
     "  --resource-pattern-type literal|prefixed\n"
     "                          literal (the default): the name itself; prefixed: every name\n"
     "                          starting with it\n"
     "  --principal P           who, e.g. User:alice (required)\n"
     "  --host H                from where (default: *, any host)\n"
     "  --operation O           what (required): one of\n"
     "                          all, read, write, create, delete, alter, describe, cluster_action,\n"
     "                          describe_configs, alter_configs, idempotent_write, create_tokens,\n"
     "                          describe_tokens, two_phase_commit\n"
     "  --allow | --deny        allow or deny it (exactly one)\n"},
    {"acls", "delete", acl_options,
     "usage: kasio-cli acls delete --brokers B <resource> [filter options]\n"
     "  deletes the ACLs matching the filter; one {\"resource_type\",\"resource_name\",\"pattern_type\",\n"
     "  \"principal\",\"host\",\"operation\",\"permission\"} per ACL deleted\n"
     "  --topic T | --group G | --cluster | --transactional-id I | --user U\n"
     "                          the resource (exactly one, as kafka-acls.sh --remove asks)\n"
     "  --resource-pattern-type literal|prefixed|any|match\n"
     "                          as for acls list (default: literal); match deletes every ACL that\n"
     "                          applies to the name, prefixed and wildcard ones included: use with care\n"
     "  --principal P, --host H, --operation O, --allow | --deny\n"
     "                          only the ACLs with these (default: any)\n"},
    {"cluster", "", "",
     "usage: kasio-cli cluster --brokers B\n"
     "  one {\"cluster_id\",\"controller_id\",\"brokers\":[{\"node_id\",\"host\",\"port\",\"rack\"}]}\n"},
}};

// How offsets reset picks the new offsets.
enum class reset_target { none, earliest, latest, timestamp, offset, shift };

struct admin_options {
    const subcommand* sub = nullptr;
    std::vector<std::string> brokers;
    std::vector<property> properties;
    std::vector<std::string> topics, groups, deletes;
    std::vector<std::pair<std::string, std::string>> configs, sets;
    std::vector<std::int32_t> partitions;
    std::optional<std::int32_t> num_partitions;
    std::optional<std::int16_t> replication;
    config_resource_type type = config_resource_type::unknown;
    std::optional<std::string> name;
    bool internal = false, validate_only = false, synonyms = false, execute = false;
    reset_target reset = reset_target::none;
    std::string reset_flag;  // the flag that chose it, for error messages
    std::int64_t reset_value = 0;
    // acls: the fields of the ACL (create) or filter (list, delete) the options gave; unset
    // ones are the subcommand's defaults.
    std::optional<acl_resource_type> acl_resource;
    std::string acl_resource_name, acl_resource_flag;  // the flag that named it, for errors
    std::optional<acl_pattern_type> acl_pattern;
    std::optional<std::string> principal, host;
    std::optional<acl_operation> operation;
    std::optional<acl_permission> permission;
    std::string permission_flag;
};

// Kafka's names of the ACL enums' values (Java's enum constants, lowercase), indexed by value.
constexpr std::array<std::string_view, 8> acl_resource_names{
    "unknown", "any", "topic", "group", "cluster", "transactional_id", "delegation_token", "user"};
constexpr std::array<std::string_view, 5> acl_pattern_names{"unknown", "any", "match", "literal", "prefixed"};
constexpr std::array<std::string_view, 16> acl_operation_names{
    "unknown",         "any",          "all",           "read",           "write",           "create",
    "delete",          "alter",        "describe",      "cluster_action", "describe_configs", "alter_configs",
    "idempotent_write", "create_tokens", "describe_tokens", "two_phase_commit"};
constexpr std::array<std::string_view, 4> acl_permission_names{"unknown", "any", "deny", "allow"};

// The name of an enum value; "unknown" for a value a newer broker may send that kasio lacks.
template <class Enum, std::size_t N>
std::string_view acl_name(Enum e, const std::array<std::string_view, N>& names) {
    const int i = static_cast<int>(e);
    return i >= 0 && static_cast<std::size_t>(i) < N ? names[static_cast<std::size_t>(i)] : "unknown";
}

// The value `text` names, as listed or as kafka-acls.sh spells it (ClusterAction, LITERAL):
// case, '_' and '-' do not matter. Never "unknown" (index 0), which only a broker answers.
template <std::size_t N>
std::optional<std::size_t> acl_value(const std::array<std::string_view, N>& names, std::string_view text) {
    const auto squash = [](std::string_view in) {
        std::string out;
        for (char c : in)
            if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    };
    const std::string wanted = squash(text);
    for (std::size_t i = 1; i < N; ++i)
        if (squash(names[i]) == wanted) return i;
    return std::nullopt;
}

bool is_command(std::string_view c) {
    return c == "topics" || c == "configs" || c == "groups" || c == "offsets" || c == "acls" || c == "cluster";
}

// The usage of a command with subcommands: each subcommand's first line.
std::string command_usage(std::string_view command) {
    std::string text = "usage: kasio-cli " + std::string(command) + " <subcommand> [options]   (kasio-cli " +
                       std::string(command) + " <subcommand> --help: its options)\n";
    for (const subcommand& s : subcommands)
        if (s.command == command) {
            // The first usage line without its "usage: kasio-cli " (17 characters).
            text += "  " + std::string(s.usage.substr(17, s.usage.find('\n') - 17)) + "\n";
        }
    return text + "\noptions of every subcommand:\n" + std::string(common_options) + std::string(footer);
}

std::string subcommand_usage(const subcommand& s) {
    return std::string(s.usage) + std::string(common_options) + std::string(footer);
}

// Whether `arg` is one of the subcommand's options, and whether it takes a value.
bool find_option(const subcommand& s, std::string_view arg, bool& takes_value) {
    for (std::string_view rest = s.options; !rest.empty();) {
        const auto space = rest.find(' ');
        std::string_view word = rest.substr(0, space);
        rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
        takes_value = word.ends_with('=');
        if (takes_value) word.remove_suffix(1);
        if (word == arg) return true;
    }
    return false;
}

bool split_pair(const std::string& value, std::vector<std::pair<std::string, std::string>>& out) {
    const auto eq = value.find('=');
    if (eq == std::string::npos || eq == 0) return false;
    out.emplace_back(value.substr(0, eq), value.substr(eq + 1));
    return true;
}

enum class parsed { run, help, bad };

// One option of an acls subcommand into `opt`; false, with `error` saying why, for a bad value,
// a repeated option or a second resource (an ACL protects one resource).
bool parse_acl_option(const std::string& arg, const std::string& value, admin_options& opt, std::string& error) {
    const auto bad_value = [&](std::string_view expected) {
        error = "bad value '" + value + "' for " + arg + " (expected " + std::string(expected) + ")";
        return false;
    };
    const auto once = [&](bool given) {
        if (given) error = arg + " given twice";
        return !given;
    };
    using rt = acl_resource_type;
    const std::optional<rt> resource = arg == "--topic"              ? rt::topic
                                       : arg == "--group"            ? rt::group
                                       : arg == "--cluster"          ? rt::cluster
                                       : arg == "--transactional-id" ? rt::transactional_id
                                       : arg == "--user"             ? rt::user
                                                                     : std::optional<rt>{};
    if (resource) {
        if (opt.acl_resource) {
            error = arg + " conflicts with " + opt.acl_resource_flag + ": give one resource";
            return false;
        }
        if (*resource != rt::cluster && value.empty()) return bad_value("a name");
        opt.acl_resource = resource;
        // The cluster resource has one name, which Kafka requires spelled out.
        opt.acl_resource_name = *resource == rt::cluster ? "kafka-cluster" : value;
        opt.acl_resource_flag = arg;
    } else if (arg == "--resource-pattern-type") {
        if (!once(opt.acl_pattern.has_value())) return false;
        const auto i = acl_value(acl_pattern_names, value);
        if (!i) return bad_value("literal, prefixed, any or match");
        opt.acl_pattern = static_cast<acl_pattern_type>(*i);
    } else if (arg == "--principal") {
        if (!once(opt.principal.has_value())) return false;
        // Checked here because the broker's answer to a bare name is a terse invalid_request.
        const auto colon = value.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == value.size())
            return bad_value("Type:name, e.g. User:alice");
        opt.principal = value;
    } else if (arg == "--host") {
        if (!once(opt.host.has_value())) return false;
        if (value.empty()) return bad_value("a host, or * for any");
        opt.host = value;
    } else if (arg == "--operation") {
        if (!once(opt.operation.has_value())) return false;
        const auto i = acl_value(acl_operation_names, value);
        if (!i) {
            std::string names;
            for (std::size_t n = 1; n < acl_operation_names.size(); ++n)
                names += (n > 1 ? ", " : "") + std::string(acl_operation_names[n]);
            return bad_value("one of " + names);
        }
        opt.operation = static_cast<acl_operation>(*i);
    } else {  // --allow, --deny
        const acl_permission p = arg == "--allow" ? acl_permission::allow : acl_permission::deny;
        if (opt.permission && *opt.permission != p) {
            error = arg + " conflicts with " + opt.permission_flag + ": give one of --allow, --deny";
            return false;
        }
        opt.permission = p;
        opt.permission_flag = arg;
    }
    return true;
}

// On `bad`, `error` says why and `usage` is the text to print after it; on `help`, `usage` is
// the text asked for.
parsed parse(int argc, char** argv, admin_options& opt, std::string& error, std::string& usage) {
    const std::string_view command = argv[1];
    int next = 2;
    usage = command_usage(command);
    if (command == "cluster") {
        opt.sub = &subcommands.back();
    } else {
        if (argc < 3) {
            error = "missing subcommand for " + std::string(command);
            return parsed::bad;
        }
        const std::string_view name = argv[2];
        if (is_help(name)) return parsed::help;
        for (const subcommand& s : subcommands)
            if (s.command == command && s.name == name) opt.sub = &s;
        if (!opt.sub) {
            error = "unknown subcommand " + std::string(name) + " for " + std::string(command);
            return parsed::bad;
        }
        next = 3;
    }
    const subcommand& sub = *opt.sub;
    const std::string what = std::string(sub.command) + (sub.name.empty() ? "" : " ") + std::string(sub.name);
    usage = subcommand_usage(sub);
    for (int i = next; i < argc; ++i) {
        std::string arg = argv[i];
        if (is_help(arg)) return parsed::help;
        // The short forms of the options several subcommands share.
        if (arg == "-t") arg = "--topic";
        if (arg == "-g") arg = "--group";
        if (arg == "-p") arg = "--partition";
        bool takes_value = true;
        const bool common = arg == "--brokers" || arg == "-b" || arg == "-X";
        if (!common && !find_option(sub, arg, takes_value)) {
            error = "unknown option " + arg + " for " + what;
            return parsed::bad;
        }
        std::string value;
        if (takes_value) {
            if (i + 1 >= argc) {
                error = "missing value after " + arg;
                return parsed::bad;
            }
            value = argv[++i];
        }
        bool ok = true;
        const auto set_reset = [&](reset_target t) {
            if (opt.reset != reset_target::none) {
                error = arg + " conflicts with " + opt.reset_flag + ": give one of " + std::string(reset_flags);
                return false;
            }
            opt.reset = t;
            opt.reset_flag = arg;
            return true;
        };
        if (arg == "--brokers" || arg == "-b") {
            for (auto& b : split_brokers(value)) opt.brokers.push_back(std::move(b));
        } else if (arg == "-X") {
            const auto eq = value.find('=');
            if (eq == std::string::npos || eq == 0) {
                error = "-X takes name=value, got " + value;
                return parsed::bad;
            }
            opt.properties.push_back({value.substr(0, eq), value.substr(eq + 1), "-X " + value});
        } else if (sub.command == "acls") {
            // Its --topic and --group name the ACL's resource, not the topics and groups to act on.
            if (!parse_acl_option(arg, value, opt, error)) return parsed::bad;
        } else if (arg == "--topic") {
            ok = !value.empty();
            opt.topics.push_back(value);
        } else if (arg == "--group") {
            ok = !value.empty();
            opt.groups.push_back(value);
        } else if (arg == "--partition") {
            std::int32_t p = 0;
            ok = parse_int(value, p) && p >= 0;
            opt.partitions.push_back(p);
        } else if (arg == "--partitions") {
            std::int32_t p = 0;
            ok = parse_int(value, p) && p > 0;
            opt.num_partitions = p;
        } else if (arg == "--replication") {
            std::int16_t r = 0;
            ok = parse_int(value, r) && r > 0;
            opt.replication = r;
        } else if (arg == "--config") {
            ok = split_pair(value, opt.configs);
        } else if (arg == "--set") {
            ok = split_pair(value, opt.sets);
        } else if (arg == "--delete") {
            ok = !value.empty();
            opt.deletes.push_back(value);
        } else if (arg == "--type") {
            ok = value == "topic" || value == "broker";
            opt.type = value == "broker" ? config_resource_type::broker : config_resource_type::topic;
        } else if (arg == "--name") {
            opt.name = value;
        } else if (arg == "--internal") {
            opt.internal = true;
        } else if (arg == "--validate-only") {
            opt.validate_only = true;
        } else if (arg == "--synonyms") {
            opt.synonyms = true;
        } else if (arg == "--execute") {
            opt.execute = true;
        } else if (arg == "--to-earliest") {
            if (!set_reset(reset_target::earliest)) return parsed::bad;
        } else if (arg == "--to-latest") {
            if (!set_reset(reset_target::latest)) return parsed::bad;
        } else {  // --to-timestamp, --to-offset, --shift-by: a number each
            const reset_target t = arg == "--to-timestamp" ? reset_target::timestamp
                                   : arg == "--to-offset"  ? reset_target::offset
                                                           : reset_target::shift;
            if (!set_reset(t)) return parsed::bad;
            ok = parse_int(value, opt.reset_value) && (t == reset_target::shift || opt.reset_value >= 0);
        }
        if (!ok) {
            error = "bad value '" + value + "' for " + arg;
            return parsed::bad;
        }
    }

    // What each subcommand cannot do without.
    const auto missing = [&](const std::string& m) {
        error = m;
        return parsed::bad;
    };
    if (opt.brokers.empty()) return missing("--brokers is required");
    if (sub.command == "acls") {
        if (sub.name != "list" && !opt.acl_resource)
            return missing(what + " needs a resource: --topic, --group, --cluster, --transactional-id or "
                                  "--user");
        if (sub.name == "create") {
            if (opt.acl_pattern && *opt.acl_pattern != acl_pattern_type::literal &&
                *opt.acl_pattern != acl_pattern_type::prefixed)
                return missing("acls create takes --resource-pattern-type literal or prefixed (any and "
                               "match only filter)");
            if (!opt.principal) return missing("--principal is required");
            if (!opt.operation) return missing("--operation is required");
            if (*opt.operation == acl_operation::any) return missing("acls create needs an operation, not any");
            if (!opt.permission) return missing("acls create needs --allow or --deny");
        }
        return parsed::run;
    }
    if (sub.options.find("--topic=") != std::string_view::npos && opt.topics.empty())
        return missing("--topic is required");
    if (sub.options.find("--group=") != std::string_view::npos && opt.groups.empty())
        return missing("--group is required");
    if (sub.command == "configs") {
        if (opt.type == config_resource_type::unknown) return missing("--type is required");
        if (!opt.name) return missing("--name is required");
        if (opt.type == config_resource_type::topic && opt.name->empty())
            return missing("--name of a topic cannot be empty");
        if (sub.name == "set" && opt.sets.empty() && opt.deletes.empty())
            return missing("configs set needs at least one --set or --delete");
    }
    if (sub.command == "offsets") {
        if (opt.groups.size() > 1 || opt.topics.size() > 1)
            return missing("offsets reset takes one --group and one --topic");
        if (opt.reset == reset_target::none) return missing("offsets reset needs one of " + std::string(reset_flags));
    }
    return parsed::run;
}

// ---- output

// The Kafka name of an error: what its message says before the first ':'
// ("topic_already_exists: Topic 't' already exists." -> "topic_already_exists").
std::string error_name(const error_code& ec) {
    const std::string m = ec.message();
    return m.substr(0, m.find(':'));
}

// One item's line under construction: `{"a":1,"b":"x"` until finish() closes it.
class json_line {
public:
    json_line& field(std::string_view name, std::string_view text) {
        key(name);
        append_json_string(out_, text);
        return *this;
    }
    json_line& number(std::string_view name, std::int64_t n) {
        key(name);
        out_ += std::to_string(n);
        return *this;
    }
    json_line& flag(std::string_view name, bool b) { return raw(name, b ? "true" : "false"); }
    json_line& raw(std::string_view name, std::string_view json) {
        key(name);
        out_ += json;
        return *this;
    }
    json_line& optional(std::string_view name, const std::optional<std::string>& text) {
        return text ? field(name, *text) : raw(name, "null");
    }
    json_line& id(std::string_view name, const uuid& id) {
        return id.is_nil() ? raw(name, "null") : field(name, id.to_string());
    }
    // Adds the item's error and, on stderr, a line naming `item`; returns whether it failed.
    bool outcome(const error_code& ec, const std::string& message, std::string_view item) {
        if (!ec) return false;
        field("error", error_name(ec)).field("message", message);
        std::cerr << "kasio-cli: " << item << ": " << ec.message()
                  << (message.empty() ? "" : " (" + message + ")") << "\n";
        return true;
    }
    std::string finish() { return out_ + "}"; }

private:
    void key(std::string_view name) {
        out_ += out_.size() == 1 ? "" : ",";
        append_json_string(out_, name);
        out_ += ':';
    }
    std::string out_ = "{";
};

std::string int_list(const std::vector<std::int32_t>& ids) {
    std::string out = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
    return out + "]";
}

std::string partitions_json(const std::vector<topic_partition>& parts) {
    std::string out = "[";
    for (std::size_t i = 0; i < parts.size(); ++i)
        out += (i ? "," : "") +
               json_line().field("topic", parts[i].topic).number("partition", parts[i].partition).finish();
    return out + "]";
}

void print(json_line& line) {
    const std::string text = line.finish() + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
}

// An operation that failed as a whole (no items: the cluster did not answer, a bad request).
int operation_failed(std::string_view what, const admin& a) {
    std::cerr << "kasio-cli: " << what << ": " << a.last_error().describe() << "\n";
    return exit_runtime;
}

template <class T>
using items = std::tuple<error_code, std::vector<T>>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string resource_type_name(config_resource_type t) {
    return t == config_resource_type::broker ? "broker" : "topic";
}

// ---- topics

asio::awaitable<int> topics_list(admin& a, const admin_options& opt) {
    auto [ec, topics] = co_await a.async_list_topics(list_topics_options{opt.internal}, use_tuple);
    if (ec) co_return operation_failed("topics list", a);
    for (const topic_listing& t : topics) {
        json_line line;
        line.field("name", t.name).id("topic_id", t.topic_id).flag("internal", t.internal);
        print(line);
    }
    co_return exit_ok;
}

asio::awaitable<int> topics_create(admin& a, const admin_options& opt) {
    std::vector<new_topic> topics;
    for (const std::string& name : opt.topics) {
        new_topic t;
        t.name = name;
        t.num_partitions = opt.num_partitions.value_or(-1);
        t.replication_factor = opt.replication.value_or(-1);
        t.configs = opt.configs;
        topics.push_back(std::move(t));
    }
    auto [ec, created] =
        co_await a.async_create_topics(std::move(topics), create_options{opt.validate_only}, use_tuple);
    if (ec && created.empty()) co_return operation_failed("topics create", a);
    int rc = exit_ok;
    for (const created_topic& t : created) {
        json_line line;
        line.field("name", t.name);
        if (line.outcome(t.error, t.message, "topic " + t.name)) {
            rc = exit_runtime;
        } else {
            line.id("topic_id", t.topic_id).number("num_partitions", t.num_partitions);
            line.number("replication_factor", t.replication_factor);
        }
        print(line);
    }
    co_return rc;
}

asio::awaitable<int> topics_delete(admin& a, const admin_options& opt) {
    auto [ec, deleted] = co_await a.async_delete_topics(opt.topics, use_tuple);
    if (ec && deleted.empty()) co_return operation_failed("topics delete", a);
    int rc = exit_ok;
    for (const topic_outcome& t : deleted) {
        json_line line;
        line.field("name", t.name);
        if (line.outcome(t.error, t.message, "topic " + t.name)) rc = exit_runtime;
        print(line);
    }
    co_return rc;
}

asio::awaitable<int> topics_describe(admin& a, const admin_options& opt) {
    auto [ec, described] = co_await a.async_describe_topics(opt.topics, use_tuple);
    if (ec && described.empty()) co_return operation_failed("topics describe", a);
    int rc = exit_ok;
    for (const topic_description& t : described) {
        json_line line;
        line.field("name", t.name);
        if (line.outcome(t.error, "", "topic " + t.name)) {
            rc = exit_runtime;
            print(line);
            continue;
        }
        std::string parts = "[";
        for (const partition_description& p : t.partitions) {
            json_line pl;
            pl.number("partition", p.partition).number("leader", p.leader).number("leader_epoch", p.leader_epoch);
            pl.raw("replicas", int_list(p.replicas)).raw("isr", int_list(p.isr));
            pl.raw("offline_replicas", int_list(p.offline_replicas));
            // A partition's own error (no leader while one is elected) is information, not a failure.
            if (p.error) pl.field("error", error_name(p.error));
            parts += (parts.size() > 1 ? "," : "") + pl.finish();
        }
        line.id("topic_id", t.topic_id).flag("internal", t.is_internal).raw("partitions", parts + "]");
        print(line);
    }
    co_return rc;
}

// ---- configs

asio::awaitable<int> configs_get(admin& a, const admin_options& opt) {
    const config_resource resource{opt.type, *opt.name};
    describe_configs_options options;
    options.include_synonyms = opt.synonyms;
    std::vector<config_resource> resources{resource};  // named: g++ 12 loses initializer lists across co_await
    auto [ec, described] = co_await a.async_describe_configs(std::move(resources), options, use_tuple);
    if (ec && described.empty()) co_return operation_failed("configs get", a);
    int rc = exit_ok;
    for (const config_description& d : described) {
        json_line line;
        line.field("resource_type", resource_type_name(d.resource.type)).field("name", d.resource.name);
        if (line.outcome(d.error, d.message, resource_type_name(d.resource.type) + " " + d.resource.name)) {
            rc = exit_runtime;
            print(line);
            continue;
        }
        std::string entries = "[";
        for (const config_entry& e : d.entries) {
            json_line el;
            el.field("name", e.name).optional("value", e.value).field("source", to_string(e.source));
            el.flag("read_only", e.read_only).flag("sensitive", e.sensitive).flag("default", e.is_default());
            if (opt.synonyms) {
                std::string synonyms = "[";
                for (const config_synonym& s : e.synonyms) {
                    json_line sl;
                    sl.field("name", s.name).optional("value", s.value).field("source", to_string(s.source));
                    synonyms += (synonyms.size() > 1 ? "," : "") + sl.finish();
                }
                el.raw("synonyms", synonyms + "]");
            }
            entries += (entries.size() > 1 ? "," : "") + el.finish();
        }
        line.raw("entries", entries + "]");
        print(line);
    }
    co_return rc;
}

asio::awaitable<int> configs_set(admin& a, const admin_options& opt) {
    config_alteration change{config_resource{opt.type, *opt.name}, {}};
    for (const auto& [k, v] : opt.sets) change.ops.push_back({k, v, alter_config_op_type::set});
    for (const std::string& k : opt.deletes) change.ops.push_back({k, std::nullopt, alter_config_op_type::remove});
    std::vector<config_alteration> changes{std::move(change)};
    auto [ec, altered] =
        co_await a.async_incremental_alter_configs(std::move(changes), create_options{opt.validate_only}, use_tuple);
    if (ec && altered.empty()) co_return operation_failed("configs set", a);
    int rc = exit_ok;
    for (const config_outcome& o : altered) {
        json_line line;
        line.field("resource_type", resource_type_name(o.resource.type)).field("name", o.resource.name);
        if (line.outcome(o.error, o.message, resource_type_name(o.resource.type) + " " + o.resource.name))
            rc = exit_runtime;
        print(line);
    }
    co_return rc;
}

// ---- groups

asio::awaitable<int> groups_list(admin& a, const admin_options&) {
    auto [ec, groups] = co_await a.async_list_groups(use_tuple);
    if (ec) co_return operation_failed("groups list", a);
    for (const group_listing& g : groups) {
        json_line line;
        line.field("group_id", g.group_id).field("protocol_type", g.protocol_type).field("state", g.state);
        line.field("type", to_string(g.type)).number("coordinator", g.coordinator);
        print(line);
    }
    co_return exit_ok;
}

asio::awaitable<int> groups_describe(admin& a, const admin_options& opt) {
    auto [ec, described] = co_await a.async_describe_groups(opt.groups, use_tuple);
    if (ec && described.empty()) co_return operation_failed("groups describe", a);
    int rc = exit_ok;
    for (const group_description& g : described) {
        json_line line;
        line.field("group_id", g.group_id);
        if (line.outcome(g.error, g.message, "group " + g.group_id)) {
            rc = exit_runtime;
            print(line);
            continue;
        }
        line.field("type", to_string(g.type)).field("state", g.state).field("protocol_type", g.protocol_type);
        line.field("assignor", g.assignor).number("coordinator", g.coordinator);
        line.number("group_epoch", g.group_epoch).number("assignment_epoch", g.assignment_epoch);
        std::string members = "[";
        for (const member_description& m : g.members) {
            json_line ml;
            ml.field("member_id", m.member_id).optional("group_instance_id", m.group_instance_id);
            ml.field("client_id", m.client_id).field("host", m.host).raw("assignment", partitions_json(m.assignment));
            ml.number("member_epoch", m.member_epoch);
            members += (members.size() > 1 ? "," : "") + ml.finish();
        }
        line.raw("members", members + "]");
        print(line);
    }
    co_return rc;
}

asio::awaitable<int> groups_delete(admin& a, const admin_options& opt) {
    auto [ec, deleted] = co_await a.async_delete_groups(opt.groups, use_tuple);
    if (ec && deleted.empty()) co_return operation_failed("groups delete", a);
    int rc = exit_ok;
    for (const group_outcome& g : deleted) {
        json_line line;
        line.field("group_id", g.group_id);
        if (line.outcome(g.error, g.message, "group " + g.group_id)) rc = exit_runtime;
        print(line);
    }
    co_return rc;
}

// ---- offsets reset

// One partition of the plan.
struct planned {
    topic_partition partition;
    std::int64_t current = -1;  // committed; -1: none
    std::int64_t earliest = -1, latest = -1, found = -1;
    std::int64_t target = -1;
    error_code error;
    std::string message;
};

// Looks up one offset spec for every partition of the plan into the member `into`; a failed
// lookup becomes the partition's error. False when the operation failed as a whole.
asio::awaitable<bool> look_up(admin& a, std::vector<planned>& plan, offset_spec spec, std::int64_t planned::*into) {
    std::vector<offset_query> queries;
    for (const planned& p : plan) queries.push_back({p.partition, spec});
    auto [ec, found] = co_await a.async_list_offsets(std::move(queries), use_tuple);
    if (ec && found.empty()) co_return false;
    for (std::size_t i = 0; i < plan.size() && i < found.size(); ++i) {
        plan[i].*into = found[i].offset;
        if (found[i].error && !plan[i].error) {
            plan[i].error = found[i].error;
            plan[i].message = found[i].message;
        }
    }
    co_return true;
}

asio::awaitable<int> offsets_reset(admin& a, const admin_options& opt) {
    const std::string& group = opt.groups.front();
    const std::string& topic = opt.topics.front();
    std::vector<planned> plan;
    if (opt.partitions.empty()) {
        std::vector<std::string> names{topic};  // named: g++ 12 cannot keep an initializer list alive across co_await
        auto [ec, described] = co_await a.async_describe_topics(std::move(names), use_tuple);
        if (ec && described.empty()) co_return operation_failed("offsets reset: describe " + topic, a);
        if (ec) {
            std::cerr << "kasio-cli: topic " << topic << ": " << ec.message() << "\n";
            co_return exit_runtime;
        }
        for (const partition_description& p : described.front().partitions)
            plan.emplace_back().partition = {topic, p.partition};
    } else {
        for (std::int32_t p : opt.partitions) plan.emplace_back().partition = {topic, p};
    }

    // Where the group is now, and the bounds every target is kept within (as
    // kafka-consumer-groups.sh does: an offset outside the log is moved to its nearest end).
    std::vector<topic_partition> parts;
    for (const planned& p : plan) parts.push_back(p.partition);
    auto [cec, committed] = co_await a.async_list_consumer_group_offsets(group, parts, use_tuple);
    if (cec && committed.empty()) co_return operation_failed("offsets reset: committed offsets of " + group, a);
    for (const committed_offset& c : committed) {
        auto it = std::find_if(plan.begin(), plan.end(),
                               [&](const planned& p) { return p.partition == c.partition; });
        if (it == plan.end()) continue;
        it->current = c.offset;
        if (c.error && !it->error) {
            it->error = c.error;
            it->message = c.message;
        }
    }
    if (!co_await look_up(a, plan, offset_spec::earliest(), &planned::earliest) ||
        !co_await look_up(a, plan, offset_spec::latest(), &planned::latest))
        co_return operation_failed("offsets reset: list offsets of " + topic, a);
    if (opt.reset == reset_target::timestamp &&
        !co_await look_up(a, plan, offset_spec::for_timestamp(opt.reset_value), &planned::found))
        co_return operation_failed("offsets reset: offsets for the timestamp", a);

    bool failed = false;
    for (planned& p : plan) {
        if (!p.error) {
            switch (opt.reset) {
            case reset_target::earliest: p.target = p.earliest; break;
            case reset_target::latest: p.target = p.latest; break;
            case reset_target::timestamp:  // no record at or after it: the end
                p.target = p.found < 0 ? p.latest : p.found;
                break;
            case reset_target::offset: p.target = std::clamp(opt.reset_value, p.earliest, p.latest); break;
            case reset_target::shift:
                if (p.current < 0) {
                    // As kafka-consumer-groups.sh, which refuses to shift from nothing.
                    p.message = "the group has no committed offset on this partition to shift from";
                } else {
                    p.target = std::clamp(p.current + opt.reset_value, p.earliest, p.latest);
                }
                break;
            case reset_target::none: break;
            }
        }
        failed = failed || p.error || p.target < 0;
    }

    // Applied only when every partition has its new offset: half a reset is worse than none.
    std::vector<partition_outcome> outcomes;
    if (opt.execute && !failed) {
        std::vector<partition_offset> offsets;
        for (const planned& p : plan) offsets.push_back({p.partition.topic, p.partition.partition, p.target, {}});
        auto [aec, altered] = co_await a.async_alter_consumer_group_offsets(group, std::move(offsets), use_tuple);
        if (aec && altered.empty()) co_return operation_failed("offsets reset: alter offsets of " + group, a);
        outcomes = std::move(altered);
    }
    for (planned& p : plan) {
        for (const partition_outcome& o : outcomes)
            if (o.partition == p.partition && o.error) {
                p.error = o.error;
                p.message = o.message;
                failed = true;
            }
        json_line line;
        line.field("topic", p.partition.topic).number("partition", p.partition.partition);
        line.raw("current", p.current < 0 ? "null" : std::to_string(p.current));
        line.raw("new", p.target < 0 ? "null" : std::to_string(p.target));
        const std::string item = "partition " + p.partition.topic + "-" + std::to_string(p.partition.partition);
        if (!p.error && p.target < 0) {
            line.field("error", "no_committed_offset").field("message", p.message);
            std::cerr << "kasio-cli: " << item << ": no_committed_offset: " << p.message << "\n";
        } else {
            line.outcome(p.error, p.message, item);
        }
        print(line);
    }
    if (failed && opt.execute && outcomes.empty()) std::cerr << "kasio-cli: nothing applied\n";
    if (!opt.execute && !failed) std::cerr << "kasio-cli: dry run: nothing applied (--execute applies the plan)\n";
    co_return failed ? exit_runtime : exit_ok;
}

// ---- acls

// An ACL's fields, named and spelled as kafka-acls.sh's and the Java Admin's (lowercase).
void acl_fields(json_line& line, const acl_binding& b) {
    line.field("resource_type", acl_name(b.resource_type, acl_resource_names));
    line.field("resource_name", b.resource_name);
    line.field("pattern_type", acl_name(b.pattern, acl_pattern_names)).field("principal", b.principal);
    line.field("host", b.host).field("operation", acl_name(b.operation, acl_operation_names));
    line.field("permission", acl_name(b.permission, acl_permission_names));
}

// The ACL for stderr lines: "topic orders (literal) User:alice * read allow".
std::string acl_text(const acl_binding& b) {
    return std::string(acl_name(b.resource_type, acl_resource_names)) + " " + b.resource_name + " (" +
           std::string(acl_name(b.pattern, acl_pattern_names)) + ") " + b.principal + " " + b.host + " " +
           std::string(acl_name(b.operation, acl_operation_names)) + " " +
           std::string(acl_name(b.permission, acl_permission_names));
}

// The filter the options give to acls list and delete: what they leave out matches anything.
acl_filter filter_of(const admin_options& opt) {
    acl_filter f;
    if (opt.acl_resource) {
        f.resource_type = *opt.acl_resource;
        f.resource_name = opt.acl_resource_name;
    }
    // As kafka-acls.sh: a named resource means its literal ACLs unless the pattern type says
    // otherwise, so that deleting a topic's ACLs leaves the prefixed ones covering it alone.
    f.pattern = opt.acl_pattern.value_or(opt.acl_resource ? acl_pattern_type::literal : acl_pattern_type::any);
    f.principal = opt.principal;
    f.host = opt.host;
    f.operation = opt.operation.value_or(acl_operation::any);
    f.permission = opt.permission.value_or(acl_permission::any);
    return f;
}

asio::awaitable<int> acls_list(admin& a, const admin_options& opt) {
    auto [ec, acls] = co_await a.async_describe_acls(filter_of(opt), use_tuple);
    if (ec) co_return operation_failed("acls list", a);
    for (const acl_binding& b : acls) {
        json_line line;
        acl_fields(line, b);
        print(line);
    }
    co_return exit_ok;
}

asio::awaitable<int> acls_create(admin& a, const admin_options& opt) {
    acl_binding b;  // parse() made sure of the resource, principal, operation and permission
    b.resource_type = *opt.acl_resource;
    b.resource_name = opt.acl_resource_name;
    b.pattern = opt.acl_pattern.value_or(acl_pattern_type::literal);
    b.principal = *opt.principal;
    b.host = opt.host.value_or("*");
    b.operation = *opt.operation;
    b.permission = *opt.permission;
    std::vector<acl_binding> acls{std::move(b)};
    auto [ec, created] = co_await a.async_create_acls(std::move(acls), use_tuple);
    if (ec && created.empty()) co_return operation_failed("acls create", a);
    int rc = exit_ok;
    for (const acl_outcome& o : created) {
        json_line line;
        acl_fields(line, o.acl);
        if (line.outcome(o.error, o.message, "acl " + acl_text(o.acl))) rc = exit_runtime;
        print(line);
    }
    co_return rc;
}

asio::awaitable<int> acls_delete(admin& a, const admin_options& opt) {
    std::vector<acl_filter> filters{filter_of(opt)};
    auto [ec, results] = co_await a.async_delete_acls(std::move(filters), use_tuple);
    if (ec && results.empty()) co_return operation_failed("acls delete", a);
    int rc = exit_ok;
    for (const deleted_acls& r : results) {
        if (r.error) {
            // The filter failed as a whole: its line has the filter's fields, null for "any name".
            const acl_filter& f = r.filter;
            json_line line;
            line.field("resource_type", acl_name(f.resource_type, acl_resource_names));
            line.optional("resource_name", f.resource_name);
            line.field("pattern_type", acl_name(f.pattern, acl_pattern_names));
            line.optional("principal", f.principal).optional("host", f.host);
            line.field("operation", acl_name(f.operation, acl_operation_names));
            line.field("permission", acl_name(f.permission, acl_permission_names));
            line.outcome(r.error, r.message, "acls delete");
            rc = exit_runtime;
            print(line);
            continue;
        }
        for (const acl_outcome& o : r.deleted) {
            json_line line;
            acl_fields(line, o.acl);
            if (line.outcome(o.error, o.message, "acl " + acl_text(o.acl))) rc = exit_runtime;
            print(line);
        }
        // Not a failure (kafka-acls.sh --remove neither), but a script's typo shows.
        if (r.deleted.empty()) std::cerr << "kasio-cli: acls delete: no ACL matched the filter\n";
    }
    co_return rc;
}

// ---- cluster

asio::awaitable<int> cluster(admin& a, const admin_options&) {
    auto [ec, c] = co_await a.async_describe_cluster(use_tuple);
    if (ec) co_return operation_failed("cluster", a);
    std::string brokers = "[";
    for (const broker_description& b : c.brokers) {
        json_line bl;
        bl.number("node_id", b.node_id).field("host", b.host).number("port", b.port).optional("rack", b.rack);
        brokers += (brokers.size() > 1 ? "," : "") + bl.finish();
    }
    json_line line;
    line.field("cluster_id", c.cluster_id).number("controller_id", c.controller_id).raw("brokers", brokers + "]");
    print(line);
    co_return exit_ok;
}

using command_fn = asio::awaitable<int> (*)(admin&, const admin_options&);

command_fn command_of(const subcommand& s) {
    const std::string key = std::string(s.command) + " " + std::string(s.name);
    if (key == "topics list") return topics_list;
    if (key == "topics create") return topics_create;
    if (key == "topics delete") return topics_delete;
    if (key == "topics describe") return topics_describe;
    if (key == "configs get") return configs_get;
    if (key == "configs set") return configs_set;
    if (key == "groups list") return groups_list;
    if (key == "groups describe") return groups_describe;
    if (key == "groups delete") return groups_delete;
    if (key == "offsets reset") return offsets_reset;
    if (key == "acls list") return acls_list;
    if (key == "acls create") return acls_create;
    if (key == "acls delete") return acls_delete;
    return cluster;
}

}  // namespace

bool is_admin_command(std::string_view command) { return is_command(command); }

std::string_view admin_commands_summary() {
    return "  topics     list, create, delete, describe topics\n"
           "  configs    get, set a topic's or broker's configuration\n"
           "  groups     list, describe, delete consumer groups\n"
           "  offsets    reset a group's committed offsets (a dry run without --execute)\n"
           "  acls       list, create, delete ACLs\n"
           "  cluster    the cluster id, controller and brokers\n";
}

int run_admin_command(int argc, char** argv) {
    admin_options opt;
    std::string error, usage;
    switch (parse(argc, argv, opt, error, usage)) {
    case parsed::help: std::cout << usage; return exit_ok;
    case parsed::bad: std::cerr << "kasio-cli: " << error << "\n\n" << usage; return exit_usage;
    case parsed::run: break;
    }
    admin_config cfg;
    cfg.bootstrap_servers = opt.brokers;
    if (!configure(cfg, cfg.connection, opt.properties)) return exit_usage;
    asio::io_context io;
    int rc = exit_runtime;
    try {
        admin a(io.get_executor(), cfg);  // throws config_error for a refused configuration
        asio::co_spawn(io, command_of(*opt.sub)(a, opt), [&](std::exception_ptr e, int r) {
            if (e) std::rethrow_exception(e);  // out of io.run(), to main's report()
            rc = r;
            io.stop();  // the admin's background work (metadata refresh, idle connections) never ends
        });
        io.run();
    } catch (const config_error& ex) {
        std::cerr << "kasio-cli: " << ex.what() << "\n";
        return exit_usage;
    }
    return rc;
}

}  // namespace kasio_cli
