package kasio.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.AbstractOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DeleteTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ElectLeadersOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListPartitionReassignmentsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.AlterPartitionReassignmentsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Topic-level admin commands, plus the helpers shared with AdminCluster. */
final class AdminTopics {
    private AdminTopics() {}

    static Admin open(Args a) {
        // Every call below passes its own timeout (see opts()), bounded by --timeout-ms.
        return Admin.create(a.clientProps());
    }

    /** Per-call timeout: what is left of the deadline, capped so retry loops can go round. */
    static <T extends AbstractOptions<T>> T opts(T o, Args a, long capMs) {
        return o.timeoutMs((int) Math.max(1, Math.min(capMs, a.remainingMs())));
    }

    static <T> T get(KafkaFuture<T> f, Args a, String what) throws ExecutionException, InterruptedException {
        try {
            return f.get(Math.max(1, a.remainingMs()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw a.timeout(what);
        }
    }

    static boolean causedBy(Throwable t, Class<? extends Throwable> cls) {
        for (int i = 0; t != null && i < 8; i++, t = t.getCause()) {
            if (cls.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static TopicDescription describe(Admin admin, String topic, Args a) throws Exception {
        return get(admin.describeTopics(List.of(topic), opts(new DescribeTopicsOptions(), a, 10000))
            .allTopicNames(), a, "describing topic " + topic).get(topic);
    }

    static List<Integer> nodeIds(List<Node> nodes) {
        List<Integer> out = new ArrayList<>();
        for (Node n : nodes) {
            out.add(n.id());
        }
        return out;
    }

    static Map<String, Object> partitionJson(TopicPartitionInfo p) {
        return Json.obj("partition", p.partition(),
            "leader", p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id(),
            "replicas", nodeIds(p.replicas()),
            "isr", nodeIds(p.isr()));
    }

    static void createTopic(Args a) throws Exception {
        String topic = a.req("topic");
        int partitions = a.intOpt("partitions", -1);
        int replication = a.intOpt("replication", -1);
        if (partitions <= 0 || replication <= 0) {
            throw new PeerException("--partitions and --replication are required and must be positive");
        }
        try (Admin admin = open(a)) {
            NewTopic nt = new NewTopic(topic, partitions, (short) replication).configs(a.keyValues("topic-config"));
            boolean created = true;
            try {
                get(admin.createTopics(List.of(nt), opts(new CreateTopicsOptions(), a, Long.MAX_VALUE)).all(),
                    a, "creating topic " + topic);
            } catch (ExecutionException e) {
                if (!a.flag("if-not-exists") || !causedBy(e, TopicExistsException.class)) {
                    throw e;
                }
                created = false;
            }
            // Wait until every partition has a leader.
            while (true) {
                String problem;
                try {
                    TopicDescription d = describe(admin, topic, a);
                    problem = null;
                    for (TopicPartitionInfo p : d.partitions()) {
                        if (p.leader() == null || p.leader().isEmpty()) {
                            problem = "partition " + p.partition() + " has no leader";
                        }
                    }
                    if (problem == null) {
                        Json.emit(Json.obj("topic", topic, "created", created,
                            "partitions", d.partitions().size()));
                        return;
                    }
                } catch (ExecutionException e) {
                    if (!causedBy(e, UnknownTopicOrPartitionException.class)) {
                        throw e;
                    }
                    problem = "topic not visible yet";
                }
                if (a.expired()) {
                    throw a.timeout("waiting for leaders of " + topic + ": " + problem);
                }
                Clients.sleep(100);
            }
        }
    }

    static void deleteTopic(Args a) throws Exception {
        String topic = a.req("topic");
        try (Admin admin = open(a)) {
            boolean deleted = true;
            try {
                get(admin.deleteTopics(List.of(topic), opts(new DeleteTopicsOptions(), a, Long.MAX_VALUE)).all(),
                    a, "deleting topic " + topic);
            } catch (ExecutionException e) {
                if (!a.flag("if-exists") || !causedBy(e, UnknownTopicOrPartitionException.class)) {
                    throw e;
                }
                deleted = false;
            }
            while (get(admin.listTopics(opts(new ListTopicsOptions().listInternal(true), a, 10000)).names(),
                       a, "listing topics").contains(topic)) {
                if (a.expired()) {
                    throw a.timeout("topic " + topic + " still listed after deletion");
                }
                Clients.sleep(100);
            }
            Json.emit(Json.obj("topic", topic, "deleted", deleted));
        }
    }

    static void describeTopic(Args a) throws Exception {
        String topic = a.req("topic");
        try (Admin admin = open(a)) {
            for (TopicPartitionInfo p : describe(admin, topic, a).partitions()) {
                Json.emit(partitionJson(p));
            }
        }
    }

    static void listOffsets(Args a) throws Exception {
        String topic = a.req("topic");
        IsolationLevel level = "read_committed".equals(a.config("isolation.level"))
            ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED;
        try (Admin admin = open(a)) {
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            List<TopicPartition> tps = new ArrayList<>();
            for (TopicPartitionInfo p : describe(admin, topic, a).partitions()) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                tps.add(tp);
                earliest.put(tp, OffsetSpec.earliest());
                latest.put(tp, OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResultInfo> e = get(admin.listOffsets(earliest,
                opts(new ListOffsetsOptions(level), a, Long.MAX_VALUE)).all(), a, "listing earliest offsets");
            Map<TopicPartition, ListOffsetsResultInfo> l = get(admin.listOffsets(latest,
                opts(new ListOffsetsOptions(level), a, Long.MAX_VALUE)).all(), a, "listing latest offsets");
            for (TopicPartition tp : tps) {
                Json.emit(Json.obj("partition", tp.partition(),
                    "earliest", e.get(tp).offset(), "latest", l.get(tp).offset()));
            }
        }
    }

    static void electLeaders(Args a) throws Exception {
        String topic = a.req("topic");
        try (Admin admin = open(a)) {
            Set<TopicPartition> pending = new HashSet<>();
            List<Integer> wanted = a.intList("partitions");
            if (wanted == null) {
                wanted = new ArrayList<>();
                for (TopicPartitionInfo p : describe(admin, topic, a).partitions()) {
                    wanted.add(p.partition());
                }
            }
            for (int p : wanted) {
                pending.add(new TopicPartition(topic, p));
            }
            List<Integer> elected = new ArrayList<>();
            List<Integer> notNeeded = new ArrayList<>();
            String lastError = null;
            while (!pending.isEmpty()) {
                Map<TopicPartition, Optional<Throwable>> res;
                try {
                    res = get(admin.electLeaders(ElectionType.PREFERRED, pending,
                        opts(new ElectLeadersOptions(), a, 10000)).partitions(), a, "electing leaders");
                } catch (ExecutionException e) {
                    res = Map.of();
                    lastError = Main.describe(e);
                }
                for (Map.Entry<TopicPartition, Optional<Throwable>> e : res.entrySet()) {
                    Optional<Throwable> err = e.getValue();
                    if (err.isEmpty() || err.get() instanceof ElectionNotNeededException) {
                        (err.isEmpty() ? elected : notNeeded).add(e.getKey().partition());
                        pending.remove(e.getKey());
                    } else {
                        lastError = "partition " + e.getKey().partition() + ": " + Main.describe(err.get());
                    }
                }
                if (!pending.isEmpty()) {
                    if (a.expired()) {
                        throw a.timeout("preferred leader election incomplete; last error: " + lastError);
                    }
                    Clients.sleep(250);
                }
            }
            elected.sort(null);
            notNeeded.sort(null);
            Json.emit(Json.obj("elected", elected, "not_needed", notNeeded));
        }
    }

    static void reassign(Args a) throws Exception {
        String topic = a.req("topic");
        int partition = a.intOpt("partition", -1);
        List<Integer> replicas = a.intList("replicas");
        if (partition < 0 || replicas == null) {
            throw new PeerException("--partition and --replicas are required");
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        try (Admin admin = open(a)) {
            get(admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(replicas))),
                opts(new AlterPartitionReassignmentsOptions(), a, Long.MAX_VALUE)).all(), a, "submitting reassignment");
            String state = "submitted";
            while (true) {
                Map<TopicPartition, PartitionReassignment> ongoing = get(admin.listPartitionReassignments(
                    Set.of(tp), opts(new ListPartitionReassignmentsOptions(), a, 10000)).reassignments(),
                    a, "listing reassignments");
                if (ongoing.containsKey(tp)) {
                    PartitionReassignment r = ongoing.get(tp);
                    state = "in progress: replicas " + r.replicas() + " adding " + r.addingReplicas()
                        + " removing " + r.removingReplicas();
                } else {
                    TopicPartitionInfo info = describe(admin, topic, a).partitions().stream()
                        .filter(p -> p.partition() == partition).findFirst()
                        .orElseThrow(() -> new PeerException("partition " + partition + " not found"));
                    if (nodeIds(info.replicas()).equals(replicas)) {
                        Json.emit(partitionJson(info));
                        return;
                    }
                    state = "replicas are " + nodeIds(info.replicas());
                }
                if (a.expired()) {
                    throw a.timeout("reassignment of " + tp + " not complete (" + state + ")");
                }
                Clients.sleep(200);
            }
        }
    }
}
