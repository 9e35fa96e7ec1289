package kasio.peer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * produce-txn and count-values: the Java side of kasio's exactly-once checks. produce-txn
 * writes a known mix of committed and aborted transactions; count-values reads a topic as a
 * read_committed (or read_uncommitted) consumer would and says which integers it holds, so a
 * check can compare what kasio wrote or read against an independent reader.
 */
final class Transactions {
    private Transactions() {}

    /**
     * produce-txn --topic T --transactional-id ID --count N [--per-txn K] [--abort-every A]:
     * record i has key "k<i>" and value "i"; transaction n holds records n*K .. n*K+K-1 and is
     * aborted when A > 0 and (n+1) is a multiple of A, committed otherwise.
     */
    static void produceTxn(Args a) throws Exception {
        String topic = a.req("topic");
        String id = a.req("transactional-id");
        long count = a.longOpt("count", -1);
        long perTxn = a.longOpt("per-txn", 100);
        long abortEvery = a.longOpt("abort-every", 0);
        if (count < 0) {
            throw new PeerException("missing or negative --count");
        }
        if (perTxn <= 0) {
            throw new PeerException("--per-txn must be positive");
        }
        if (abortEvery < 0) {
            throw new PeerException("--abort-every must be 0 (never) or positive");
        }
        // transaction.timeout.ms stays the client's default: the command's deadline, not the
        // coordinator's timer, is what bounds a run here.
        KafkaProducer<byte[], byte[]> producer = Clients.producer(a, Map.of(
            "acks", "all", "linger.ms", "5", "enable.idempotence", "true", "transactional.id", id));
        long txns = 0;
        long committed = 0;
        long aborted = 0;
        long recordsCommitted = 0;
        long recordsAborted = 0;
        boolean clean = false;
        try {
            producer.initTransactions();
            for (long first = 0; first < count; first += perTxn) {
                a.checkDeadline("transaction " + txns + " (" + first + " of " + count + " records written)");
                long last = Math.min(count, first + perTxn) - 1;
                boolean abort = abortEvery > 0 && (txns + 1) % abortEvery == 0;
                producer.beginTransaction();
                for (long i = first; i <= last; i++) {
                    producer.send(new ProducerRecord<>(topic, ("k" + i).getBytes(StandardCharsets.UTF_8),
                        Long.toString(i).getBytes(StandardCharsets.UTF_8)));
                }
                // A record that failed makes commitTransaction throw; the command then fails, which
                // is what a check wants: the transaction's outcome would be unknown otherwise.
                if (abort) {
                    // abortTransaction() alone drops the batches not sent yet; flushing first puts
                    // every aborted record in the log, where only a read_uncommitted reader sees it.
                    producer.flush();
                    producer.abortTransaction();
                    aborted++;
                    recordsAborted += last - first + 1;
                } else {
                    producer.commitTransaction();
                    committed++;
                    recordsCommitted += last - first + 1;
                }
                Json.emit(Json.obj("txn", txns, "committed", !abort, "first", first, "last", last));
                txns++;
            }
            Json.emit(Json.obj("transactions", txns, "committed", committed, "aborted", aborted,
                "records_committed", recordsCommitted, "records_aborted", recordsAborted));
            clean = true;
        } finally {
            producer.close(clean ? Duration.ofMillis(Math.min(5000, Math.max(1, a.remainingMs())))
                                 : Duration.ZERO);
        }
    }

    /** A record value as a decimal integer (an optional '-' and digits, nothing else); null otherwise. */
    private static Long parseInteger(byte[] v) {
        if (v == null || v.length == 0 || v.length > 19) {
            return null;
        }
        String s = new String(v, StandardCharsets.US_ASCII);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(i == 0 && c == '-' && s.length() > 1)) {
                return null;
            }
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * count-values --topic T --isolation read_committed|read_uncommitted [--expect N]: reads every
     * partition from the beginning to the end offset captured at the start (for read_committed the
     * last stable offset: Java's endOffsets follows the consumer's isolation level), then prints
     * one line about the values read as integers. With --expect, also how many of 0..N-1 are
     * missing and whether the topic holds exactly 0..N-1 once each ("exact").
     */
    static void countValues(Args a) throws Exception {
        String topic = a.req("topic");
        String isolation = a.req("isolation");
        if (!isolation.equals("read_committed") && !isolation.equals("read_uncommitted")) {
            throw new PeerException("--isolation must be read_committed or read_uncommitted");
        }
        long expect = a.longOpt("expect", -1);
        Set<Long> seen = new HashSet<>();
        long records = 0;
        long integers = 0;
        long other = 0;
        Long min = null;
        Long max = null;
        Map<String, Object> defaults = Map.of(
            "enable.auto.commit", "false",
            "isolation.level", isolation,
            "max.poll.records", "20000");
        try (KafkaConsumer<byte[], byte[]> c = Clients.consumer(a, defaults)) {
            List<TopicPartition> tps = Consume.assign(c, a, topic, null, false);
            Map<TopicPartition, Long> ends = c.endOffsets(tps, Duration.ofMillis(Math.max(1, a.remainingMs())));
            Set<TopicPartition> done = new HashSet<>();
            while (Consume.unfinished(c, ends, done, a) > 0) {
                if (a.expired()) {
                    throw a.timeout("read " + records + " records, " + Consume.unfinished(c, ends, done, a)
                        + " partition(s) short of their end offset");
                }
                ConsumerRecords<byte[], byte[]> recs =
                    c.poll(Duration.ofMillis(Math.max(1, Math.min(200, a.remainingMs()))));
                for (ConsumerRecord<byte[], byte[]> r : recs) {
                    if (r.offset() >= ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue;  // written after the end offsets were captured
                    }
                    records++;
                    Long v = parseInteger(r.value());
                    if (v == null) {
                        other++;
                        continue;
                    }
                    integers++;
                    seen.add(v);
                    min = min == null ? v : Math.min(min, v);
                    max = max == null ? v : Math.max(max, v);
                }
            }
        }
        Map<String, Object> out = Json.obj(
            "records", records,
            "distinct", (long) seen.size(),
            "duplicates", integers - seen.size(),
            "min", min,
            "max", max,
            "other", other);
        if (expect >= 0) {
            long missing = 0;
            long outside = 0;
            for (long i = 0; i < expect; i++) {
                if (!seen.contains(i)) {
                    missing++;
                }
            }
            for (long v : seen) {
                if (v < 0 || v >= expect) {
                    outside++;
                }
            }
            out.put("expect", expect);
            out.put("missing", missing);
            out.put("exact", missing == 0 && outside == 0 && other == 0 && integers == seen.size());
        }
        Json.emit(out);
    }
}
