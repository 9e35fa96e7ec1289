#include "kafka_cluster.hpp"

#include <kasio/admin.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <stdexcept>

namespace kasio::test::kafka {
namespace {

std::map<std::string, std::string> read_env_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("no " + path + ": the kafka_cluster fixture did not start the cluster");
    std::map<std::string, std::string> out;
    for (std::string line; std::getline(in, line);) {
        const auto eq = line.find('=');
        if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
}

cluster_info load() {
    const char* dir = std::getenv("KASIO_KAFKA_DIR");
    if (dir == nullptr || *dir == 0) throw std::runtime_error("KASIO_KAFKA_DIR is not set (run through ctest)");
    auto env = read_env_file(std::string(dir) + "/cluster.env");
    cluster_info c;
    c.dir = dir;
    c.bootstrap = env["KASIO_KAFKA_BOOTSTRAP"];
    c.sasl_bootstrap = env["KASIO_KAFKA_SASL_BOOTSTRAP"];
    c.ssl_bootstrap = env["KASIO_KAFKA_SSL_BOOTSTRAP"];
    c.sasl_ssl_bootstrap = env["KASIO_KAFKA_SASL_SSL_BOOTSTRAP"];
    c.ca_file = env["KASIO_KAFKA_CA"];
    c.peer_classpath = env["KASIO_KAFKA_PEER_CP"];
    c.reauth_ms = std::atoi(env["KASIO_KAFKA_REAUTH_MS"].c_str());
    if (c.bootstrap.empty() || c.peer_classpath.empty()) throw std::runtime_error("incomplete cluster.env in " + c.dir);
    return c;
}

std::string cluster_script() { return KASIO_KAFKA_CLUSTER_SCRIPT; }

std::string temp_path(std::string_view what) {
    static std::atomic<int> counter{0};
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp ? tmp : "/tmp") + "/kasio-" + std::string(what) + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter++);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

const cluster_info& cluster() {
    static const cluster_info info = load();
    return info;
}

std::string shell_quote(std::string_view word) {
    std::string out = "'";
    for (const char c : word) {
        if (c == '\'') out += "'\\''";
        else out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

int run_shell(const std::string& command_line) {
    const int rc = std::system(command_line.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

peer_result run_peer(std::string_view command, const std::vector<std::string>& args, std::string_view input) {
    const cluster_info& c = cluster();
    const std::string in_path = temp_path("peer-in"), err_path = temp_path("peer-err");
    {
        std::ofstream in(in_path, std::ios::binary);
        in.write(input.data(), static_cast<std::streamsize>(input.size()));
    }
    std::string cmd = "java -Xshare:auto -cp " + shell_quote(c.peer_classpath) + " kasio.peer.Main " + std::string(command);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    bool has_bootstrap = false;
    for (const auto& a : args) has_bootstrap = has_bootstrap || a == "--bootstrap";
    if (!has_bootstrap) cmd += " --bootstrap " + shell_quote(c.bootstrap);
    cmd += " <" + shell_quote(in_path) + " 2>" + shell_quote(err_path);

    peer_result r;
    FILE* out = ::popen(cmd.c_str(), "r");
    if (out == nullptr) {
        r.errors = "popen failed";
        return r;
    }
    std::string line;
    char buf[65536];
    std::size_t n;
    std::string pending;
    while ((n = std::fread(buf, 1, sizeof buf, out)) > 0) {
        pending.append(buf, n);
        std::size_t start = 0;
        for (std::size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
            auto parsed = parse_json(std::string_view(pending).substr(start, nl - start));
            if (parsed) r.lines.push_back(std::move(*parsed));
            else ++r.unparsed;
        }
        pending.erase(0, start);
    }
    const int rc = ::pclose(out);
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    r.errors = slurp(err_path);
    std::remove(in_path.c_str());
    std::remove(err_path.c_str());
    return r;
}

peer_result peer_ok(std::string_view command, const std::vector<std::string>& args, std::string_view input) {
    peer_result r = run_peer(command, args, input);
    if (r.status != 0) ADD_FAILURE() << "java peer " << command << " exited " << r.status << ": " << r.errors;
    return r;
}

std::string unique_topic(std::string_view prefix) {
    static std::atomic<int> counter{0};
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    return std::string(prefix) + "-" + std::to_string(now) + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter++);
}

void create_topic(const std::string& topic, int partitions, int replication, const std::vector<std::string>& configs) {
    // With kasio's own admin client (issue 17): the tests' setup goes through it too.
    namespace asio = boost::asio;
    asio::io_context io;
    admin_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap};
    admin client(io.get_executor(), cfg);
    new_topic t;
    t.name = topic;
    t.num_partitions = partitions;
    t.replication_factor = static_cast<std::int16_t>(replication);
    for (const auto& c : configs) {
        const auto eq = c.find('=');
        if (eq == std::string::npos) throw std::runtime_error("topic config '" + c + "' is not name=value");
        t.configs.emplace_back(c.substr(0, eq), c.substr(eq + 1));
    }
    // Runs one admin operation to completion on this thread.
    auto run = [&io](auto start) {
        auto f = start();
        // default.api.timeout.ms bounds every operation; 30 s with nothing to run means it hangs.
        while (f.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            io.restart();
            if (io.run_one_for(std::chrono::seconds(30)) == 0) throw std::runtime_error("admin operation did not complete");
        }
        return f.get();
    };
    auto created = run([&] {
        auto p = std::make_shared<std::promise<std::pair<error_code, std::vector<created_topic>>>>();
        client.async_create_topics({t}, [p](error_code ec, std::vector<created_topic> r) { p->set_value({ec, std::move(r)}); });
        return p->get_future();
    });
    if (created.first) throw std::runtime_error("creating topic " + topic + " failed: " + created.first.message() + ": " +
                                                (created.second.empty() ? "" : created.second[0].message));
    // Ready when every broker knows the topic and its partitions have leaders: admin requests
    // that any broker may answer go round robin, so three good rounds in a row are three brokers.
    for (int good = 0, attempt = 0; good < 3; ++attempt) {
        if (attempt == 600) throw std::runtime_error("topic " + topic + " was created but brokers did not learn of it");
        auto configs_known = run([&] {
            auto p = std::make_shared<std::promise<std::pair<error_code, std::vector<config_description>>>>();
            client.async_describe_configs({config_resource{config_resource_type::topic, topic}},
                                          [p](error_code ec, auto r) { p->set_value({ec, std::move(r)}); });
            return p->get_future();
        });
        auto described = run([&] {
            auto p = std::make_shared<std::promise<std::pair<error_code, std::vector<topic_description>>>>();
            client.async_describe_topics({topic}, [p](error_code ec, auto r) { p->set_value({ec, std::move(r)}); });
            return p->get_future();
        });
        bool led = !described.first && described.second.size() == 1 &&
                   described.second[0].partitions.size() == static_cast<std::size_t>(partitions);
        for (const auto& part : led ? described.second[0].partitions : std::vector<partition_description>{})
            led = led && part.leader >= 0;
        good = !configs_known.first && led ? good + 1 : 0;
        if (good < 3) {
            asio::steady_timer pause(io, std::chrono::milliseconds(50));  // the brokers' metadata propagates
            bool paused = false;
            pause.async_wait([&paused](error_code) { paused = true; });
            while (!paused) {
                io.restart();
                io.run_one();
            }
        }
    }
}

std::vector<std::int32_t> leaders_of(const std::string& topic) {
    const peer_result r = run_peer("describe-topic", {"--topic", topic});
    if (r.status != 0) throw std::runtime_error("describe-topic " + topic + " failed: " + r.errors);
    std::vector<std::int32_t> leaders(r.lines.size(), -1);
    for (const json& p : r.lines) {
        const auto i = static_cast<std::size_t>(p["partition"].as_int());
        if (i < leaders.size()) leaders[i] = static_cast<std::int32_t>(p["leader"].as_int());
    }
    return leaders;
}

void broker_action(std::string_view action, int broker) {
    const std::string cmd = shell_quote(cluster_script()) + " " + shell_quote(cluster().dir) + " " +
                            std::string(action) + " " + std::to_string(broker);
    if (run_shell(cmd) != 0) throw std::runtime_error("cluster.sh " + std::string(action) + " " + std::to_string(broker) + " failed");
}

cluster_restorer::~cluster_restorer() {
    for (int b = 1; b <= 3; ++b) {
        const std::string base = shell_quote(cluster_script()) + " " + shell_quote(cluster().dir);
        run_shell(base + " resume " + std::to_string(b) + " 2>/dev/null");
        if (run_shell(base + " start-broker " + std::to_string(b)) != 0)
            ADD_FAILURE() << "could not bring broker " << b << " back";
    }
}

}  // namespace kasio::test::kafka
