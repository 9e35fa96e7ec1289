package kasio.peer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * group-member: a subscribing consumer that reports rebalance events, records and
 * commits as JSON lines. Runs until stdin reaches EOF or --max-ms elapses.
 */
final class GroupMember {
    private GroupMember() {}

    private static final long CLOSE_TIMEOUT_MS = 10000;

    private static List<Integer> ids(Collection<TopicPartition> tps) {
        List<Integer> out = new ArrayList<>();
        for (TopicPartition tp : tps) {
            out.add(tp.partition());
        }
        out.sort(null);
        return out;
    }

    private static String assignorClass(String name) {
        return switch (name) {
            case "range" -> RangeAssignor.class.getName();
            case "roundrobin" -> RoundRobinAssignor.class.getName();
            case "cooperative-sticky" -> CooperativeStickyAssignor.class.getName();
            default -> throw new PeerException("--assignor must be range, roundrobin or cooperative-sticky");
        };
    }

    private static CloseOptions.GroupMembershipOperation leaveOp(String v) {
        return switch (v) {
            case "default" -> CloseOptions.GroupMembershipOperation.DEFAULT;
            case "leave" -> CloseOptions.GroupMembershipOperation.LEAVE_GROUP;
            case "remain" -> CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP;
            default -> throw new PeerException("--leave-group must be default, leave or remain");
        };
    }

    static void run(Args a) throws Exception {
        String topic = a.req("topic");
        String group = a.req("group");
        String commit = a.opt("commit", "sync");
        if (!commit.equals("sync") && !commit.equals("none")) {
            throw new PeerException("--commit must be sync or none");
        }
        CloseOptions.GroupMembershipOperation leave = leaveOp(a.opt("leave-group", "default"));
        boolean newProtocol = "consumer".equalsIgnoreCase(a.config("group.protocol"));
        Map<String, Object> defaults = new HashMap<>();
        defaults.put("group.id", group);
        defaults.put("enable.auto.commit", "false");
        defaults.put("auto.offset.reset", "earliest");
        String assignor = a.opt("assignor", null);
        if (assignor != null) {
            String cls = assignorClass(assignor);
            if (newProtocol) {
                System.err.println("kasio-peer group-member: warning: --assignor is ignored with"
                    + " group.protocol=consumer; use --config group.remote.assignor=uniform|range");
            } else {
                defaults.put("partition.assignment.strategy", cls);
            }
        }
        if (a.has("instance-id")) {
            defaults.put("group.instance.id", a.req("instance-id"));
        }
        long maxMs = a.longOpt("max-ms", -1);
        long limitMs = maxMs >= 0 ? maxMs : a.timeoutMs;
        long startNs = System.nanoTime();

        KafkaConsumer<byte[], byte[]> c = Clients.consumer(a, defaults);
        // Stdin EOF is the "stop" signal: watch it on its own thread and wake the poll loop.
        final boolean[] stop = {false};
        Thread stdinWatcher = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                InputStream in = System.in;
                while (in.read(buf) >= 0) {
                    // discard input; only EOF matters
                }
            } catch (IOException e) {
                // treat a broken stdin like EOF
            }
            synchronized (stop) {
                stop[0] = true;
            }
            c.wakeup();
        }, "kasio-peer-stdin");
        stdinWatcher.setDaemon(true);
        stdinWatcher.start();

        boolean limitReached = false;
        try {
            c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> tps) {
                    Json.emit(Json.obj("event", "assigned", "partitions", ids(tps)));
                }

                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> tps) {
                    Json.emit(Json.obj("event", "revoked", "partitions", ids(tps)));
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> tps) {
                    Json.emit(Json.obj("event", "lost", "partitions", ids(tps)));
                }
            });
            while (true) {
                synchronized (stop) {
                    if (stop[0]) {
                        break;
                    }
                }
                long left = limitMs - (System.nanoTime() - startNs) / 1_000_000L;
                if (left <= 0) {
                    limitReached = true;
                    break;
                }
                ConsumerRecords<byte[], byte[]> recs;
                try {
                    recs = c.poll(Duration.ofMillis(Math.min(left, 500)));
                } catch (WakeupException e) {
                    continue;  // loop re-checks the stop flag
                }
                if (recs.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : recs) {
                    Json.emit(Json.obj("event", "record", "partition", r.partition(), "offset", r.offset(),
                        "value", r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8)));
                    offsets.put(new TopicPartition(r.topic(), r.partition()),
                        new OffsetAndMetadata(r.offset() + 1, r.leaderEpoch(), ""));
                }
                if (commit.equals("sync")) {
                    commitSync(c, offsets);
                }
            }
        } finally {
            try {
                c.close(CloseOptions.timeout(Duration.ofMillis(CLOSE_TIMEOUT_MS))
                    .withGroupMembershipOperation(leave));
            } finally {
                Json.emit(Json.obj("event", "closed"));
            }
        }
        if (limitReached && maxMs < 0) {
            throw a.timeout("stdin did not reach EOF (pass --max-ms for a timed run)");
        }
    }

    private static void commitSync(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (int attempt = 0; ; attempt++) {
            try {
                c.commitSync(offsets);
                Map<String, Object> printed = new TreeMap<>((x, y) -> Integer.compare(
                    Integer.parseInt(x), Integer.parseInt(y)));
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                    printed.put(String.valueOf(e.getKey().partition()), e.getValue().offset());
                }
                Json.emit(Json.obj("event", "committed", "offsets", printed));
                return;
            } catch (WakeupException e) {
                // stdin closed while committing: the wakeup is consumed, retry once
                if (attempt > 0) {
                    return;
                }
            } catch (KafkaException e) {
                // CommitFailedException, RebalanceInProgressException, fenced instance, ...
                Json.emit(Json.obj("event", "commit_failed", "error", Main.describe(e)));
                return;
            }
        }
    }
}
