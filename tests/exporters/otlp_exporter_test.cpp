// kasio_otlp against a small HTTP server on loopback: the POST goes to /v1/metrics as JSON
// that follows OTLP's JSON mapping (64-bit integers as strings, enums as numbers, histogram
// buckets one more than bounds and summing to count), and every failure (refused connection,
// silent collector, error status, bad endpoint) completes with an error, within the timeout.
#include <kasio/exporters/otlp.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/src.hpp>

#include <gtest/gtest.h>

#include <numeric>
#include <optional>

namespace kasio::exporters {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

struct received {
    std::string method;
    std::string target;
    std::string content_type;
    std::string body;
};

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
// Answers every request with `status`, one connection after the other, recording each.
asio::awaitable<void> serve(tcp::acceptor& acceptor, http::status status, std::vector<received>& got) {
    for (;;) {
        tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
        boost::beast::flat_buffer buffer;
        http::request<http::string_body> req;
        co_await http::async_read(socket, buffer, req, asio::use_awaitable);
        got.push_back({std::string(req.method_string()), std::string(req.target()),
                       std::string(req[http::field::content_type]), req.body()});
        http::response<http::string_body> res{status, 11};
        res.body() = status == http::status::ok ? "{}" : "collector says no";
        res.prepare_payload();
        co_await http::async_write(socket, res, asio::use_awaitable);
    }
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

producer_stats sample() {
    producer_stats s;
    s.records_sent = 12;
    s.bytes = 50;
    s.uncompressed_bytes = 100;
    s.throttled_ms = 250;
    for (const std::uint64_t v : {50, 300, 300, 20'000}) s.queue_time_us.record(v);
    broker_metrics b;
    b.node_id = 3;
    b.address = "b3:9092";
    b.requests = 4;
    b.latency_us.record(700);
    s.brokers = {b};
    return s;
}

class otlp_exporter_test : public ::testing::Test {
protected:
    otlp_exporter_test() { sources->add_producer({"app", "p1", 0}, [] { return std::optional(sample()); }); }

    // Starts the server; returns the endpoint URL.
    std::string listen(http::status status) {
        acceptor.open(tcp::v4());
        acceptor.bind({asio::ip::make_address("127.0.0.1"), 0});
        acceptor.listen();
        asio::co_spawn(io, serve(acceptor, status, got), [](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const boost::system::system_error& x) {  // the io_context's end closes it
                if (x.code() != asio::error::operation_aborted) ADD_FAILURE() << "server: " << x.what();
            } catch (const std::exception& x) {
                ADD_FAILURE() << "server: " << x.what();
            }
        });
        return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/v1/metrics";
    }

    otlp_options options(std::string endpoint) {
        otlp_options o;
        o.endpoint = std::move(endpoint);
        o.timeout = std::chrono::milliseconds(300);
        o.resource = {{"service.name", "orders"}, {"service.instance.id", "i-1"}};
        o.log = {log_level::warning, [this](log_level, std::string_view line) { logged.emplace_back(line); }};
        return o;
    }

    // One async_export, running the io_context until it completes.
    error_code export_once(otlp_exporter& e) {
        std::optional<error_code> result;
        e.async_export([&](error_code ec) { result = ec; });
        for (int steps = 0; !result && steps < 10000 && io.run_one(); ++steps) {
        }
        EXPECT_TRUE(result.has_value());
        return result.value_or(client_errc::internal_error);
    }

    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::vector<received> got;
    std::vector<std::string> logged;
    std::shared_ptr<metric_sources> sources = std::make_shared<metric_sources>();
};

// Checks OTLP's JSON rules on one attribute list.
void check_attributes(const json::value& v) {
    for (const auto& a : v.as_array()) {
        ASSERT_TRUE(a.at("key").is_string());
        const auto& value = a.at("value").as_object();
        ASSERT_EQ(value.size(), 1u);
        if (value.contains("intValue"))
            EXPECT_TRUE(value.at("intValue").is_string()) << "intValue must be a JSON string";
        else
            EXPECT_TRUE(value.at("stringValue").is_string());
    }
}

bool is_decimal_string(const json::value& v) {
    if (!v.is_string() || v.as_string().empty()) return false;
    const auto& s = v.as_string();
    return std::all_of(s.begin() + (s[0] == '-' ? 1 : 0), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Checks one data point against OTLP's JSON rules.
void check_point(const json::object& p, std::string_view kind) {
    check_attributes(p.at("attributes"));
    EXPECT_TRUE(is_decimal_string(p.at("timeUnixNano")));
    EXPECT_TRUE(is_decimal_string(p.at("startTimeUnixNano")));
    if (kind == "histogram") {
        EXPECT_TRUE(is_decimal_string(p.at("count")));
        EXPECT_TRUE(p.at("sum").is_number());
        const auto& counts = p.at("bucketCounts").as_array();
        const auto& bounds = p.at("explicitBounds").as_array();
        EXPECT_EQ(counts.size(), bounds.size() + 1);
        std::uint64_t total = 0;
        for (const auto& c : counts) {
            EXPECT_TRUE(is_decimal_string(c));
            total += std::stoull(std::string(c.as_string()));
        }
        EXPECT_EQ(total, std::stoull(std::string(p.at("count").as_string())));
        for (const auto& b : bounds) EXPECT_TRUE(b.is_number());
        if (p.contains("min")) {
            EXPECT_TRUE(p.at("min").is_number());
        }
        return;
    }
    if (p.contains("asInt"))
        EXPECT_TRUE(is_decimal_string(p.at("asInt")));
    else
        EXPECT_TRUE(p.at("asDouble").is_number());
}

TEST_F(otlp_exporter_test, post_to_v1_metrics_follows_otlp_json_mapping) {
    otlp_exporter e(io.get_executor(), sources, options(listen(http::status::ok)));
    ASSERT_EQ(export_once(e), error_code{});
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].method, "POST");
    EXPECT_EQ(got[0].target, "/v1/metrics");
    EXPECT_EQ(got[0].content_type, "application/json");

    const auto root = json::parse(got[0].body);
    const auto& rm = root.at("resourceMetrics").as_array();
    ASSERT_EQ(rm.size(), 1u);
    const auto& attributes = rm[0].at("resource").at("attributes");
    check_attributes(attributes);
    EXPECT_EQ(attributes.as_array()[0].at("key").as_string(), "service.name");
    EXPECT_EQ(attributes.as_array()[0].at("value").at("stringValue").as_string(), "orders");
    const auto& sm = rm[0].at("scopeMetrics").as_array();
    ASSERT_EQ(sm.size(), 1u);
    EXPECT_EQ(sm[0].at("scope").at("name").as_string(), "kasio");
    EXPECT_TRUE(sm[0].at("scope").at("version").is_string());

    std::map<std::string, int> kinds;
    bool saw_send_total = false, saw_node_id = false;
    for (const auto& mv : sm[0].at("metrics").as_array()) {
        const auto& m = mv.as_object();
        const std::string name(m.at("name").as_string());
        EXPECT_TRUE(name.starts_with("kasio.")) << name;
        EXPECT_TRUE(m.at("unit").is_string());
        int present = 0;
        for (const std::string_view kind : {"sum", "gauge", "histogram"}) {
            if (!m.contains(kind)) continue;
            ++present;
            ++kinds[std::string(kind)];
            const auto& data = m.at(kind).as_object();
            if (kind != "gauge") {
                EXPECT_EQ(data.at("aggregationTemporality").as_int64(), 2) << name;
            }
            if (kind == "sum") {
                EXPECT_EQ(data.at("isMonotonic").as_bool(), true) << name;
            }
            for (const auto& p : data.at("dataPoints").as_array()) check_point(p.as_object(), kind);
        }
        EXPECT_EQ(present, 1) << name;
        if (name == "kasio.producer.record-send-total") {
            saw_send_total = true;
            EXPECT_EQ(m.at("sum").at("dataPoints").at(0).at("asInt").as_string(), "12");
        }
        if (name == "kasio.broker.request-total") {
            const auto& node = m.at("sum").at("dataPoints").at(0).at("attributes").at(2);
            EXPECT_EQ(node.at("key").as_string(), "node_id");
            EXPECT_EQ(node.at("value").at("intValue").as_string(), "3");
            saw_node_id = true;
        }
        if (name == "kasio.producer.record-queue-time") {
            const auto& p = m.at("histogram").at("dataPoints").at(0);
            EXPECT_EQ(p.at("count").as_string(), "4");
            EXPECT_DOUBLE_EQ(p.at("sum").to_number<double>(), 0.02065);
            EXPECT_DOUBLE_EQ(p.at("max").to_number<double>(), 0.02);
        }
    }
    EXPECT_TRUE(saw_send_total);
    EXPECT_TRUE(saw_node_id);
    EXPECT_GT(kinds["sum"], 0);
    EXPECT_GT(kinds["gauge"], 0);
    EXPECT_GT(kinds["histogram"], 0);
    EXPECT_EQ(e.failures(), 0u);
}

TEST_F(otlp_exporter_test, error_status_completes_with_http_status_and_logs_it) {
    otlp_exporter e(io.get_executor(), sources, options(listen(http::status::internal_server_error)));
    EXPECT_EQ(export_once(e), otlp_errc::http_status);
    EXPECT_EQ(e.failures(), 1u);
    EXPECT_EQ(e.last_error(), otlp_errc::http_status);
    ASSERT_FALSE(logged.empty());
    EXPECT_NE(logged[0].find("HTTP 500"), std::string::npos) << logged[0];
}

TEST_F(otlp_exporter_test, refused_connection_completes_with_its_error) {
    tcp::acceptor closed(io, {asio::ip::make_address("127.0.0.1"), 0});
    const auto port = closed.local_endpoint().port();
    closed.close();  // nothing listens there now
    otlp_exporter e(io.get_executor(), sources, options("http://127.0.0.1:" + std::to_string(port)));
    EXPECT_EQ(export_once(e), asio::error::connection_refused);
    EXPECT_EQ(e.failures(), 1u);
}

TEST_F(otlp_exporter_test, silent_collector_times_out) {
    // Listening, never accepting: the kernel completes the connect, nobody answers.
    tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
    otlp_exporter e(io.get_executor(), sources,
                    options("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port())));
    EXPECT_EQ(export_once(e), client_errc::timed_out);
}

TEST_F(otlp_exporter_test, invalid_endpoint_fails_each_export) {
    otlp_exporter e(io.get_executor(), sources, options("https://127.0.0.1:4318"));
    EXPECT_EQ(export_once(e), otlp_errc::invalid_endpoint);
    EXPECT_EQ(std::string(make_error_code(otlp_errc::invalid_endpoint).category().name()), "kasio.otlp");
}

TEST_F(otlp_exporter_test, deferred_export_outlives_its_exporter) {
    auto e = std::make_unique<otlp_exporter>(io.get_executor(), sources, options(listen(http::status::ok)));
    auto op = e->async_export();  // asio::deferred: nothing starts yet
    e.reset();
    std::optional<error_code> result;
    std::move(op)([&](error_code ec) { result = ec; });
    for (int steps = 0; !result && steps < 10000 && io.run_one(); ++steps) {
    }
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(*result, error_code{});
    EXPECT_EQ(got.size(), 1u);
}

TEST_F(otlp_exporter_test, start_exports_every_interval_until_stopped) {
    auto o = options(listen(http::status::ok));
    o.interval = std::chrono::milliseconds(1);
    otlp_exporter e(io.get_executor(), sources, o);
    e.start();
    for (int steps = 0; got.size() < 2 && steps < 100000 && io.run_one(); ++steps) {
    }
    ASSERT_GE(got.size(), 2u);
    e.stop();
    EXPECT_EQ(e.failures(), 0u);
}

}  // namespace
}  // namespace kasio::exporters
