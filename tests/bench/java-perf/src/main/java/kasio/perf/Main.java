// java-perf: kasio-perf's twin on the Java client (kafka-clients 4.4), one of the clients
// tests/bench/compare4.sh puts beside kasio. Same command line where it matters, same payload,
// same RESULT line (examples/perf_common.hpp):
//
//   java-perf produce|consume --brokers B --topic T --count N --size S [--key-size K]
//             [--codec C] [--acks A] [--linger-ms L] [--batch-size B] [--max-in-flight M]
//             [--rate R] [-X name=value]...
//
// An option left out keeps the Java client's own default (which are kasio's too: acks=all,
// idempotence, linger.ms=5, batch.size=16384, 5 requests in flight, no compression).
// CPU and peak RSS in the RESULT line are the whole JVM's (every thread, GC and JIT included);
// compare4.sh measures them from outside the process as well.
package kasio.perf;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public final class Main {
    static final class Options {
        String mode, brokers, topic;
        long count;
        int size = 100, keySize;
        long rate;  // records per second; 0: as fast as the window allows
        final Properties props = new Properties();
    }

    static void usage() {
        System.err.println("usage: java-perf produce|consume --brokers B --topic T --count N --size S [--key-size K]\n"
                + "          [--codec none|gzip|snappy|lz4|zstd] [--acks 0|1|all] [--linger-ms L]\n"
                + "          [--batch-size B] [--max-in-flight M] [--rate R] [-X name=value]...");
    }

    static Options parse(String[] args) {
        if (args.length < 1 || !(args[0].equals("produce") || args[0].equals("consume")))
            throw new IllegalArgumentException("missing or unknown mode");
        Options o = new Options();
        o.mode = args[0];
        List<String[]> extra = new ArrayList<>();
        for (int i = 1; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + args[i]);
            String v = args[i + 1];
            switch (args[i]) {
                case "--brokers", "-b" -> o.brokers = v;
                case "--topic", "-t" -> o.topic = v;
                case "--count" -> o.count = Long.parseLong(v);
                case "--size" -> o.size = Integer.parseInt(v);
                case "--key-size" -> o.keySize = Integer.parseInt(v);
                case "--rate" -> o.rate = Long.parseLong(v);
                case "--codec" -> o.props.put("compression.type", v);
                case "--acks" -> {
                    o.props.put("acks", v);
                    // As kasio-perf: an acks other than all turns idempotence off.
                    o.props.put("enable.idempotence", v.equals("all") || v.equals("-1") ? "true" : "false");
                }
                case "--linger-ms" -> o.props.put("linger.ms", v);
                case "--batch-size" -> o.props.put("batch.size", v);
                case "--max-in-flight" -> o.props.put("max.in.flight.requests.per.connection", v);
                case "-X" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("-X takes name=value, got '" + v + "'");
                    extra.add(new String[] {v.substring(0, eq), v.substring(eq + 1)});
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        for (String[] kv : extra) o.props.put(kv[0], kv[1]);
        if (o.brokers == null || o.topic == null || o.count <= 0)
            throw new IllegalArgumentException("--brokers, --topic and --count are required");
        return o;
    }

    /** perf_common.hpp's payload pool: the same xorshift64 seed, words and stride. */
    static final class Payload {
        final byte[] bytes;
        final int size;
        final long span = 1L << 20;
        long state = 0x9e3779b97f4a7c15L;

        long next() {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            return state;
        }

        Payload(int size) {
            this.size = size;
            byte[][] words = new byte[512][];
            for (int i = 0; i < words.length; ++i) {
                int len = (int) (2 + Long.remainderUnsigned(next(), 8));
                words[i] = new byte[len];
                for (int j = 0; j < len; ++j) words[i][j] = (byte) ('a' + Long.remainderUnsigned(next(), 26));
            }
            byte[] b = new byte[(int) span + size + 16];
            int n = 0;
            while (n < span + size) {
                byte[] w = words[(int) Long.remainderUnsigned(next(), words.length)];
                System.arraycopy(w, 0, b, n, w.length);
                n += w.length;
                b[n++] = ' ';
            }
            bytes = b;
        }

        int offset(long i) { return (int) Long.remainderUnsigned(i * 40503L, span); }
    }

    static long window(Options o) {
        long per = o.size + o.keySize + 1;
        return Math.min(o.count, Math.max(1000, (16L << 20) / per));
    }

    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII))
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        } catch (Exception e) {
            // not Linux: no figure
        }
        return 0;
    }

    static double cpuSeconds() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return sun.getProcessCpuTime() / 1e9;
        return 0;
    }

    static void printResult(String mode, long msgs, long ok, double secs, long bytes, double p50, double p99) {
        double cpu = cpuSeconds();
        double s = secs > 0 ? secs : 1e-9;
        System.out.printf(java.util.Locale.ROOT,
                "RESULT mode=%s msgs=%d ok=%d failed=%d secs=%.3f msgs_per_s=%.0f mb_per_s=%.2f "
                        + "cpu_s=%.3f cpu_us_per_msg=%.3f p50_ms=%.3f p99_ms=%.3f rss_mb=%.1f%n",
                mode, msgs, ok, msgs - ok, secs, ok / s, bytes / s / 1e6, cpu, ok > 0 ? cpu * 1e6 / ok : 0.0,
                p50, p99, peakRssMb());
        System.out.flush();
    }

    static double quantileMs(long[] lat, boolean[] ok, double q) {
        long[] v = new long[lat.length];
        int n = 0;
        for (int i = 0; i < lat.length; ++i) if (ok[i]) v[n++] = lat[i];
        if (n == 0) return 0;
        Arrays.sort(v, 0, n);
        return v[(int) (q * (n - 1))] / 1e6;
    }

    static int produce(Options o) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", o.brokers);
        p.putAll(o.props);
        Payload pl = new Payload(o.size);
        long[] lat = new long[(int) o.count];
        boolean[] okf = new boolean[(int) o.count];
        Semaphore slots = new Semaphore((int) window(o));
        AtomicLong delivered = new AtomicLong(), bytes = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        int rc;
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            for (long i = 0; i < o.count; ++i) {
                if (o.rate > 0) {
                    long due = start + i * 1_000_000_000L / o.rate;
                    long d = due - System.nanoTime();
                    if (d > 0) Thread.sleep(d / 1_000_000, (int) (d % 1_000_000));
                }
                slots.acquire();
                byte[] key = null;
                if (o.keySize > 0) {
                    key = new byte[o.keySize];
                    long k = i;
                    for (int j = o.keySize - 1; j >= 0; --j) {
                        key[j] = (byte) ('0' + k % 10);
                        k /= 10;
                    }
                }
                // The value is a copy of its slice of the pool: a byte[] per record, as a Java
                // application hands the client.
                int off = pl.offset(i);
                byte[] value = Arrays.copyOfRange(pl.bytes, off, off + o.size);
                final int id = (int) i;
                final int len = o.size + o.keySize;
                lat[id] = System.nanoTime();
                producer.send(new ProducerRecord<>(o.topic, key, value), (md, e) -> {
                    if (e == null) {
                        lat[id] = System.nanoTime() - lat[id];
                        okf[id] = true;
                        delivered.incrementAndGet();
                        bytes.addAndGet(len);
                    } else if (failed.getAndIncrement() == 0) {
                        System.err.println("java-perf: first delivery error: " + e);
                    }
                    slots.release();
                });
            }
            producer.flush();
            double secs = (System.nanoTime() - start) / 1e9;
            producer.close();
            long ok = delivered.get();
            printResult("produce", o.count, ok, secs, bytes.get(), quantileMs(lat, okf, 0.50), quantileMs(lat, okf, 0.99));
            rc = ok == o.count ? 0 : 1;
        }
        return rc;
    }

    static int consume(Options o) {
        Properties p = new Properties();
        p.put("bootstrap.servers", o.brokers);
        p.put("enable.auto.commit", "false");
        for (var e : o.props.entrySet()) {
            // Producer options on a consume run are ignored, as in kasio-perf.
            String k = (String) e.getKey();
            if (!List.of("acks", "enable.idempotence", "linger.ms", "batch.size", "compression.type",
                    "max.in.flight.requests.per.connection").contains(k))
                p.put(k, e.getValue());
        }
        long ok = 0, bytes = 0;
        double secs;
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo pi : consumer.partitionsFor(o.topic, Duration.ofSeconds(10)))
                parts.add(new TopicPartition(o.topic, pi.partition()));
            long start = System.nanoTime();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long last = start;
            while (ok < o.count) {
                ConsumerRecords<byte[], byte[]> rs = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : rs) {
                    if (ok < o.count) {
                        ++ok;
                        bytes += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                    }
                    last = now;
                }
                if (now - last > 30_000_000_000L) {
                    System.err.println("java-perf: no record for 30 s, giving up");
                    break;
                }
            }
            secs = (System.nanoTime() - start) / 1e9;
        }
        printResult("consume", o.count, ok, secs, bytes, 0, 0);
        return ok == o.count ? 0 : 1;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("java-perf: " + e.getMessage());
            usage();
            System.exit(2);
            return;
        }
        System.exit(o.mode.equals("produce") ? produce(o) : consume(o));
    }
}
