// Interop: records with keys, headers and timestamps, produced by kasio with each codec to 64
// partitions of librdkafka's mock cluster, read back by librdkafka: every record intact, once,
// in order per partition, on the partition librdkafka's murmur2_random partitioner picks.
//
// Volume: 1,000,000 records per codec (times KASIO_TEST_SCALE; the sanitizer run uses 0.05),
// about 2 MB per partition uncompressed, well under the mock's 5 MiB per-partition limit.
#include "producer_test_support.hpp"

#include <string>

namespace kasio::test {
namespace {

namespace asio = boost::asio;

struct interop_case {
    const char* codec;
    std::size_t records;
};

class producer_interop : public mock_cluster_test, public ::testing::WithParamInterface<interop_case> {};

TEST_P(producer_interop, librdkafka_reads_every_record_intact_in_order_on_murmur2_partition) {
    constexpr std::int32_t partitions = 64;
    const std::string topic = std::string("interop-") + GetParam().codec;
    ASSERT_EQ(cluster().create_topic(topic, partitions, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    const std::size_t n = scaled(GetParam().records);

    io_thread io;
    producer_config cfg;
    cfg.bootstrap_servers = {cluster().bootstrap()};
    ASSERT_FALSE(cfg.set("compression.type", GetParam().codec));
    auto p = std::make_unique<producer>(io.io().get_executor(), cfg);
    delivery_counter counter;
    record_generator gen{topic};
    for (std::size_t i = 0; i < n; ++i) {
        p->async_send(gen.make(i), counter.handler());
        if (i % 1024 == 0) counter.wait_outstanding(i + 1, 100000);  // ~10 MB, under buffer.memory
    }
    p->async_flush(asio::use_future).get();
    EXPECT_EQ(counter.ok.load(), n) << "first error: " << counter.error();
    const producer_stats s = p->stats();
    EXPECT_EQ(s.records_delivered, n);
    EXPECT_EQ(s.records_failed, 0u);
    p.reset();
    io.stop();

    expect_every_record_once_in_order(cluster().bootstrap(), gen, partitions, n);
}

INSTANTIATE_TEST_SUITE_P(codecs, producer_interop,
                         ::testing::Values(interop_case{"none", 1000000}, interop_case{"gzip", 1000000},
                                           interop_case{"snappy", 1000000}, interop_case{"lz4", 1000000},
                                           interop_case{"zstd", 1000000}),
                         [](const ::testing::TestParamInfo<interop_case>& c) { return std::string(c.param.codec); });

}  // namespace
}  // namespace kasio::test
