package kasio.peer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;

/** consume and verify-seq: group-less readers using assign(). */
final class Consume {
    private Consume() {}

    /** Assigns the requested (default: all) partitions of a topic and seeks. */
    static List<TopicPartition> assign(KafkaConsumer<byte[], byte[]> c, Args a, String topic,
                                               List<Integer> wanted, boolean fromEnd) {
        List<Integer> ids = wanted != null ? wanted : Clients.partitions(c, topic, a);
        List<TopicPartition> tps = new ArrayList<>();
        for (int p : ids) {
            tps.add(new TopicPartition(topic, p));
        }
        c.assign(tps);
        if (fromEnd) {
            c.seekToEnd(tps);
        } else {
            c.seekToBeginning(tps);
        }
        return tps;
    }

    /** Partitions whose position is still below the captured end offset. */
    static int unfinished(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> ends,
                                  Set<TopicPartition> done, Args a) {
        int left = 0;
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (done.contains(e.getKey())) {
                continue;
            }
            long pos = c.position(e.getKey(), Duration.ofMillis(Math.max(1, a.remainingMs())));
            if (pos >= e.getValue()) {
                done.add(e.getKey());
            } else {
                left++;
            }
        }
        return left;
    }

    private static String timestampType(TimestampType t) {
        return switch (t) {
            case CREATE_TIME -> "CreateTime";
            case LOG_APPEND_TIME -> "LogAppendTime";
            default -> "NoTimestampType";
        };
    }

    /**
     * consume --topic T [--partitions ..] [--count N] [--from beginning|end] [--until-end]
     * [--isolation read_uncommitted|read_committed]. With read_committed, --until-end stops at
     * the last stable offset (endOffsets follows the consumer's isolation level) and aborted
     * records are skipped; the default stays read_uncommitted, the Java consumer's.
     */
    static void consume(Args a) throws Exception {
        String topic = a.req("topic");
        String isolation = a.opt("isolation", "read_uncommitted");
        if (!isolation.equals("read_committed") && !isolation.equals("read_uncommitted")) {
            throw new PeerException("--isolation must be read_committed or read_uncommitted");
        }
        long count = a.longOpt("count", -1);
        boolean untilEnd = a.flag("until-end") || count < 0;
        String from = a.opt("from", "beginning");
        if (!from.equals("beginning") && !from.equals("end")) {
            throw new PeerException("--from must be beginning or end");
        }
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(a,
                Map.of("enable.auto.commit", "false", "isolation.level", isolation))) {
            List<TopicPartition> tps = assign(c, a, topic, a.intList("partitions"), from.equals("end"));
            Map<TopicPartition, Long> ends = null;
            Set<TopicPartition> done = new HashSet<>();
            if (untilEnd) {
                ends = c.endOffsets(tps, Duration.ofMillis(Math.max(1, a.remainingMs())));
            }
            outer:
            while (true) {
                if (count >= 0 && read >= count) {
                    break;
                }
                if (untilEnd && unfinished(c, ends, done, a) == 0) {
                    break;
                }
                if (a.expired()) {
                    String what = "read " + read + " records";
                    if (count >= 0) {
                        what += " of the " + count + " requested";
                    }
                    if (untilEnd) {
                        what += ", " + unfinished(c, ends, done, a) + " partition(s) short of their end offset";
                    }
                    throw a.timeout(what);
                }
                ConsumerRecords<byte[], byte[]> recs =
                    c.poll(Duration.ofMillis(Math.max(1, Math.min(200, a.remainingMs()))));
                for (ConsumerRecord<byte[], byte[]> r : recs) {
                    if (ends != null && r.offset() >= ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;  // produced after we captured the end offsets
                    }
                    List<Object> headers = new ArrayList<>();
                    for (Header h : r.headers()) {
                        headers.add(Arrays.asList(h.key(), Json.b64(h.value())));
                    }
                    Json.emit(Json.obj(
                        "topic", r.topic(),
                        "partition", r.partition(),
                        "offset", r.offset(),
                        "timestamp", r.timestamp(),
                        "timestamp_type", timestampType(r.timestampType()),
                        "key", Json.b64(r.key()),
                        "value", Json.b64(r.value()),
                        "headers", headers));
                    read++;
                    if (count >= 0 && read >= count) {
                        break outer;
                    }
                }
            }
        }
    }

    /** Leading ASCII decimal digits of a value; -1 if none or too long; -2 for a null value. */
    static long leadingNumber(byte[] v) {
        if (v == null) {
            return -2;
        }
        long n = 0;
        int i = 0;
        for (; i < v.length; i++) {
            int d = v[i] - '0';
            if (d < 0 || d > 9) {
                break;
            }
            if (i >= 18) {
                return -1;
            }
            n = n * 10 + d;
        }
        return i == 0 ? -1 : n;
    }

    /** verify-seq --topic T --expect N: loss/duplication/reordering report for produce-seq data. */
    static void verifySeq(Args a) throws Exception {
        String topic = a.req("topic");
        long expect = a.longOpt("expect", -1);
        if (expect < 0 || expect > Integer.MAX_VALUE - 1) {
            throw new PeerException("--expect must be between 0 and " + (Integer.MAX_VALUE - 1));
        }
        int n = (int) expect;
        BitSet seen = new BitSet(n);
        Set<Long> extraSeen = new HashSet<>();  // out-of-range values: rare, boxed is fine
        long records = 0;
        long distinct = 0;
        long outOfRange = 0;
        long reordered = 0;
        String firstReorder = null;
        Map<String, Object> defaults = Map.of(
            "enable.auto.commit", "false",
            "isolation.level", "read_committed",
            "max.poll.records", "20000",
            "max.partition.fetch.bytes", String.valueOf(8 << 20),
            "fetch.max.bytes", String.valueOf(64 << 20),
            "receive.buffer.bytes", String.valueOf(1 << 20));
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(a, defaults)) {
            List<TopicPartition> tps = assign(c, a, topic, null, false);
            int maxPart = 0;
            for (TopicPartition tp : tps) {
                maxPart = Math.max(maxPart, tp.partition());
            }
            long[] last = new long[maxPart + 1];
            Arrays.fill(last, -1);
            Map<TopicPartition, Long> ends = c.endOffsets(tps, Duration.ofMillis(Math.max(1, a.remainingMs())));
            long[] endOf = new long[maxPart + 1];
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                endOf[e.getKey().partition()] = e.getValue();
            }
            Set<TopicPartition> done = new HashSet<>();
            while (unfinished(c, ends, done, a) > 0) {
                if (a.expired()) {
                    throw a.timeout("read " + records + " records, " + unfinished(c, ends, done, a)
                        + " partition(s) short of their end offset");
                }
                ConsumerRecords<byte[], byte[]> recs =
                    c.poll(Duration.ofMillis(Math.max(1, Math.min(200, a.remainingMs()))));
                for (ConsumerRecord<byte[], byte[]> r : recs) {
                    int p = r.partition();
                    if (r.offset() >= endOf[p]) {
                        continue;  // produced after we captured the end offsets
                    }
                    records++;
                    long v = leadingNumber(r.value());
                    if (v < 0) {
                        outOfRange++;
                        distinct++;  // unparseable: counted as its own value
                        continue;
                    }
                    if (v < n) {
                        if (!seen.get((int) v)) {
                            seen.set((int) v);
                            distinct++;
                        }
                    } else {
                        outOfRange++;
                        if (extraSeen.add(v)) {
                            distinct++;
                        }
                    }
                    if (last[p] >= 0 && v < last[p]) {
                        reordered++;
                        if (firstReorder == null) {
                            firstReorder = "p" + p + " after " + last[p] + " came " + v;
                        }
                    }
                    last[p] = v;
                }
            }
        }
        long lost = n - seen.cardinality();
        Json.emit(Json.obj(
            "records", records,
            "distinct", distinct,
            "lost", lost,
            "duplicated", records - distinct,
            "reordered", reordered,
            "out_of_range", outOfRange,
            "first_reorder", firstReorder));
    }
}
