// kasio_prometheus behind prometheus-cpp's Exposer on a loopback port, scraped over HTTP: the
// text exposition has HELP/TYPE lines, counters' values, and histograms whose buckets are
// cumulative up to +Inf with _count and _sum.
#include <kasio/exporters/prometheus.hpp>

#include <prometheus/exposer.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <gtest/gtest.h>

#include <sstream>

namespace kasio::exporters {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

// GET http://127.0.0.1:port/metrics; the exposer answers from its own threads.
std::string scrape(int port) {
    asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    http::request<http::empty_body> req{http::verb::get, "/metrics", 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    EXPECT_EQ(res.result_int(), 200);
    return res.body();
}

std::vector<std::string> lines_starting(const std::string& text, std::string_view prefix) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.starts_with(prefix)) out.push_back(line);
    return out;
}

producer_stats sample() {
    producer_stats s;
    s.records_sent = 12;
    for (const std::uint64_t v : {50, 300, 300, 20'000}) s.queue_time_us.record(v);
    return s;
}

TEST(prometheus_exporter, scrape_shows_counters_and_cumulative_histograms) {
    auto sources = std::make_shared<metric_sources>();
    sources->add_producer({"app", "p1", 0}, [] { return std::optional(sample()); });
    auto collector = std::make_shared<prometheus_collector>(sources);
    ::prometheus::Exposer exposer("127.0.0.1:0");
    exposer.RegisterCollectable(collector);
    const auto ports = exposer.GetListeningPorts();
    ASSERT_EQ(ports.size(), 1u);
    ASSERT_NE(ports[0], 0);

    const std::string text = scrape(ports[0]);
    EXPECT_EQ(lines_starting(text, "# TYPE kasio_producer_record_send_total ").at(0),
              "# TYPE kasio_producer_record_send_total counter");
    EXPECT_EQ(lines_starting(text, "# HELP kasio_producer_record_send_total ").size(), 1u);
    EXPECT_EQ(lines_starting(text, "kasio_producer_record_send_total{").at(0),
              R"(kasio_producer_record_send_total{client_id="app",client_name="p1"} 12)");

    EXPECT_EQ(lines_starting(text, "# TYPE kasio_producer_record_queue_time_seconds ").at(0),
              "# TYPE kasio_producer_record_queue_time_seconds histogram");
    const auto buckets = lines_starting(text, "kasio_producer_record_queue_time_seconds_bucket{");
    ASSERT_EQ(buckets.size(), latency_bounds().size() + 1);
    std::uint64_t previous = 0;
    for (const auto& line : buckets) {  // cumulative: never decreasing
        const auto n = std::stoull(line.substr(line.rfind(' ') + 1));
        EXPECT_GE(n, previous) << line;
        previous = n;
    }
    EXPECT_EQ(buckets.front(), R"(kasio_producer_record_queue_time_seconds_bucket{client_id="app",client_name="p1",le="0.0001"} 1)");
    EXPECT_NE(buckets[2].find(R"(le="0.0005"} 3)"), std::string::npos) << buckets[2];
    EXPECT_NE(buckets.back().find(R"(le="+Inf"} 4)"), std::string::npos) << buckets.back();
    EXPECT_EQ(lines_starting(text, "kasio_producer_record_queue_time_seconds_count{").at(0),
              R"(kasio_producer_record_queue_time_seconds_count{client_id="app",client_name="p1"} 4)");
    const auto sum = lines_starting(text, "kasio_producer_record_queue_time_seconds_sum{").at(0);
    EXPECT_DOUBLE_EQ(std::stod(sum.substr(sum.rfind(' ') + 1)), 0.02065);
}

}  // namespace
}  // namespace kasio::exporters
