package kasio.peer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** produce and produce-seq. */
final class Produce {
    private Produce() {}

    private static final Set<String> RECORD_FIELDS =
        Set.of("partition", "key", "value", "headers", "timestamp");

    /** produce --topic T: JSON records on stdin, one result line per record, in input order. */
    static void produce(Args a) throws Exception {
        String topic = a.req("topic");
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        KafkaProducer<byte[], byte[]> producer =
            Clients.producer(a, Map.of("acks", "all", "linger.ms", "5"));
        boolean clean = false;
        try {
            BlockingQueue<String> lines = stdinLines();
            int lineNo = 0;
            while (true) {
                String line = lines.poll(Math.max(1, a.remainingMs()), TimeUnit.MILLISECONDS);
                if (line == null) {
                    throw a.timeout("stdin not closed (" + futures.size() + " records sent so far)");
                }
                if (line == EOF) {
                    break;
                }
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                ProducerRecord<byte[], byte[]> rec;
                try {
                    rec = parseRecord(topic, line);
                } catch (PeerException e) {
                    throw new PeerException("stdin line " + lineNo + ": " + e.getMessage());
                }
                Future<RecordMetadata> f = producer.send(rec);
                futures.add(f);
                if (f.isDone()) {
                    // Failed inside send() (unknown partition, record too large, metadata timeout, ...).
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        throw new PeerException("record " + (futures.size() - 1) + " (stdin line " + lineNo
                            + "): " + Main.describe(e));
                    }
                }
                a.checkDeadline("reading records from stdin (" + futures.size() + " sent so far)");
            }
            // No flush(): it has no timeout. linger.ms sends the tail; we wait with a deadline below.
            int failed = 0;
            String firstError = null;
            List<Object> results = new ArrayList<>(futures.size());
            for (int i = 0; i < futures.size(); i++) {
                try {
                    RecordMetadata md = futures.get(i).get(Math.max(1, a.remainingMs()), TimeUnit.MILLISECONDS);
                    results.add(Json.obj("partition", md.partition(), "offset", md.offset(),
                        "timestamp", md.timestamp()));
                } catch (TimeoutException e) {
                    throw a.timeout("waiting for acknowledgements (" + i + " of " + futures.size()
                        + " acknowledged)");
                } catch (ExecutionException e) {
                    failed++;
                    String msg = Main.describe(e);
                    if (firstError == null) {
                        firstError = "record " + i + ": " + msg;
                    }
                    results.add(Json.obj("error", msg));
                }
            }
            for (Object r : results) {
                Json.emit(r);
            }
            if (failed > 0) {
                throw new PeerException(failed + " of " + futures.size() + " records failed; first: " + firstError);
            }
            clean = true;
        } finally {
            producer.close(clean ? Duration.ofMillis(Math.min(5000, Math.max(1, a.remainingMs())))
                                 : Duration.ZERO);
        }
    }

    /** Marks the end of stdin in the queue filled by stdinLines(); compared by identity. */
    private static final String EOF = new String("<eof>");

    /** Reads stdin on a daemon thread so the main thread can wait with a deadline. */
    private static BlockingQueue<String> stdinLines() {
        BlockingQueue<String> q = new LinkedBlockingQueue<>(10000);
        Thread t = new Thread(() -> {
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    q.put(line);
                }
            } catch (IOException | InterruptedException e) {
                System.err.println("kasio-peer produce: stdin read failed: " + e);
            }
            try {
                q.put(EOF);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kasio-peer-stdin");
        t.setDaemon(true);
        t.start();
        return q;
    }

    @SuppressWarnings("unchecked")
    static ProducerRecord<byte[], byte[]> parseRecord(String topic, String line) {
        Object parsed = Json.parse(line);
        if (!(parsed instanceof Map)) {
            throw new PeerException("each line must be a JSON object");
        }
        Map<String, Object> m = (Map<String, Object>) parsed;
        for (String k : m.keySet()) {
            if (!RECORD_FIELDS.contains(k)) {
                throw new PeerException("unknown field \"" + k + "\" (allowed: " + RECORD_FIELDS + ")");
            }
        }
        Long partition = Json.optLong(m, "partition");
        Long timestamp = Json.optLong(m, "timestamp");
        byte[] key = Json.unb64(m.get("key"), "key");
        byte[] value = Json.unb64(m.get("value"), "value");
        RecordHeaders headers = new RecordHeaders();
        Object hs = m.get("headers");
        if (hs != null) {
            if (!(hs instanceof List)) {
                throw new PeerException("headers must be an array of [name, base64-or-null] pairs");
            }
            for (Object h : (List<Object>) hs) {
                if (!(h instanceof List<?> pair) || pair.size() != 2 || !(pair.get(0) instanceof String)) {
                    throw new PeerException("each header must be [\"name\", base64-or-null]");
                }
                headers.add((String) pair.get(0), Json.unb64(pair.get(1), "header value"));
            }
        }
        return new ProducerRecord<>(topic, partition == null ? null : partition.intValue(),
            timestamp, key, value, headers);
    }

    /** produce-seq: value of record n is the decimal n padded with 'x' to --size bytes. */
    static void produceSeq(Args a) throws Exception {
        String topic = a.req("topic");
        long count = a.longOpt("count", -1);
        if (count < 0) {
            throw new PeerException("missing or negative --count");
        }
        int size = a.intOpt("size", 0);
        AtomicLong done = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        KafkaProducer<byte[], byte[]> producer = Clients.producer(a,
            Map.of("acks", "all", "linger.ms", "5", "enable.idempotence", "true"));
        boolean clean = false;
        try {
            int parts = a.intOpt("partitions", 0);
            if (parts <= 0) {
                List<PartitionInfo> infos = producer.partitionsFor(topic);
                parts = infos.size();
                if (parts == 0) {
                    throw new PeerException("topic '" + topic + "' has no partitions");
                }
            }
            for (long n = 0; n < count; n++) {
                byte[] digits = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
                byte[] value = digits;
                if (size > digits.length) {
                    value = Arrays.copyOf(digits, size);
                    Arrays.fill(value, digits.length, size, (byte) 'x');
                }
                ProducerRecord<byte[], byte[]> rec =
                    new ProducerRecord<>(topic, (int) (n % parts), null, value);
                try {
                    producer.send(rec, (md, ex) -> {
                        if (ex != null) {
                            errors.incrementAndGet();
                            firstError.compareAndSet(null, Main.describe(ex));
                        }
                        done.incrementAndGet();
                    });
                } catch (RuntimeException ex) {
                    // send() itself failed (e.g. buffer full past max.block.ms): no callback follows.
                    errors.incrementAndGet();
                    firstError.compareAndSet(null, Main.describe(ex));
                    done.incrementAndGet();
                }
                if ((n & 1023) == 0) {
                    a.checkDeadline("sending (" + n + " of " + count + " sent, " + done.get() + " completed)");
                }
            }
            // No flush(): it has no timeout. linger.ms sends the tail; we wait with a deadline below.
            while (done.get() < count) {
                a.checkDeadline("waiting for acknowledgements (" + done.get() + " of " + count + " completed)");
                Clients.sleep(5);
            }
            Map<String, Object> out = Json.obj("sent", count, "errors", errors.get());
            if (firstError.get() != null) {
                out.put("first_error", firstError.get());
            }
            Json.emit(out);
            clean = true;
        } finally {
            producer.close(clean ? Duration.ofMillis(Math.min(5000, Math.max(1, a.remainingMs())))
                                 : Duration.ZERO);
        }
    }
}
