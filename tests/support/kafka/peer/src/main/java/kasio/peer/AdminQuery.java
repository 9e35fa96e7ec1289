package kasio.peer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.AbstractOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.AlterConfigsResult;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreatePartitionsResult;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DeleteRecordsOptions;
import org.apache.kafka.clients.admin.DeleteRecordsResult;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeLogDirsOptions;
import org.apache.kafka.clients.admin.DescribeLogDirsResult;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.DescribeUserScramCredentialsOptions;
import org.apache.kafka.clients.admin.DescribeUserScramCredentialsResult;
import org.apache.kafka.clients.admin.ElectLeadersOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.ListPartitionReassignmentsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TopicListing;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

import static kasio.peer.AdminTopics.get;

/**
 * The admin-* commands: the Java Admin's answers printed canonically (sorted arrays, snake_case
 * keys, Kafka error names) so that kasio's admin client can be compared with them field by field.
 * Cluster, topic, config, offset, record, log dir, reassignment and SCRAM calls live here, with
 * the helpers shared by AdminGroups and AdminAcls.
 */
final class AdminQuery {
    private AdminQuery() {}

    // ------------------------------------------------------------------
    // Shared helpers
    // ------------------------------------------------------------------

    interface Body {
        void run(Admin admin) throws Exception;
    }

    /**
     * Opens an Admin and runs body. When the whole request fails with an error Kafka names, that
     * error is also printed on stdout as {"error","message"} before the command exits 1, so a test
     * can compare a refused call's error too.
     */
    static void withAdmin(Args a, Body body) throws Exception {
        try (Admin admin = AdminTopics.open(a)) {
            body.run(admin);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof ApiException) {
                Json.emit(withError(new LinkedHashMap<>(), cause));
            }
            throw e;
        }
    }

    /** The value of a future, or the exception it failed with (one item of a batch call). */
    record Outcome<T>(T value, Throwable error) {
        boolean ok() {
            return error == null;
        }
    }

    static <T> Outcome<T> await(KafkaFuture<T> f, Args a, String what) throws InterruptedException {
        try {
            return new Outcome<>(get(f, a, what), null);
        } catch (ExecutionException | CompletionException e) {
            return new Outcome<>(null, unwrap(e));
        }
    }

    /** Slack between the Admin's own timeout and the command's deadline. */
    static final long CALL_SLACK_MS = 3000;

    /**
     * The Admin call's timeout: the command's deadline less a slack, so that the Admin gives up
     * first and its answer (e.g. a per-item timeout error) is printed rather than lost.
     */
    static <T extends AbstractOptions<T>> T call(T o, Args a) {
        return o.timeoutMs((int) Math.max(1, Math.min(Integer.MAX_VALUE, a.remainingMs() - CALL_SLACK_MS)));
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Kafka's name of the error an exception stands for, snake_case (unknown_server_error if none). */
    static String errorName(Throwable t) {
        return Errors.forException(unwrap(t)).name().toLowerCase(Locale.ROOT);
    }

    /** Adds "error" and "message" to m and returns it. */
    static Map<String, Object> withError(Map<String, Object> m, Throwable t) {
        Throwable c = unwrap(t);
        m.put("error", errorName(c));
        String msg = c.getMessage();
        m.put("message", msg != null ? msg : Errors.forException(c).message());
        return m;
    }

    static String lc(Enum<?> e) {
        return e == null ? null : e.name().toLowerCase(Locale.ROOT);
    }

    /** Parses an enum constant from a user's spelling: case and '-' versus '_' do not matter. */
    static <E extends Enum<E>> E parseEnum(Class<E> cls, String v, String what) {
        String n = v.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        try {
            return Enum.valueOf(cls, n);
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E c : cls.getEnumConstants()) {
                names.add(lc(c));
            }
            throw new PeerException(what + ": unknown value '" + v + "' (one of " + names + ")");
        }
    }

    /** Comma separated names of an option (may be repeated), trimmed, without empties. */
    static List<String> names(Args a, String opt) {
        List<String> out = new ArrayList<>();
        for (String v : a.all(opt)) {
            for (String part : v.split(",")) {
                if (!part.trim().isEmpty()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    static List<String> requiredNames(Args a, String opt) {
        List<String> out = names(a, opt);
        if (out.isEmpty()) {
            throw new PeerException("missing required option --" + opt);
        }
        return out;
    }

    static int parseInt(String s, String what) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new PeerException(what + ": not an integer: '" + s + "'");
        }
    }

    static long parseLong(String s, String what) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new PeerException(what + ": not an integer: '" + s + "'");
        }
    }

    /** "t:p,t:p" (topic names hold no ':' or ','), in the given order. */
    static List<TopicPartition> topicPartitions(Args a, String opt) {
        List<TopicPartition> out = new ArrayList<>();
        for (String item : names(a, opt)) {
            int c = item.lastIndexOf(':');
            if (c <= 0) {
                throw new PeerException("--" + opt + " expects topic:partition items, got '" + item + "'");
            }
            out.add(new TopicPartition(item.substring(0, c), parseInt(item.substring(c + 1), "--" + opt)));
        }
        return out;
    }

    static final Comparator<TopicPartition> TP_ORDER =
        Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

    static List<Integer> sortedIds(Collection<Node> nodes) {
        List<Integer> out = AdminTopics.nodeIds(new ArrayList<>(nodes));
        out.sort(null);
        return out;
    }

    /** Sorted snake_case names, or null when the broker did not send them. */
    static List<String> operations(Set<AclOperation> ops) {
        if (ops == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (AclOperation o : ops) {
            out.add(lc(o));
        }
        out.sort(null);
        return out;
    }

    static List<Object> tpList(Collection<TopicPartition> tps) {
        List<TopicPartition> sorted = new ArrayList<>(tps);
        sorted.sort(TP_ORDER);
        List<Object> out = new ArrayList<>();
        for (TopicPartition tp : sorted) {
            out.add(Json.obj("topic", tp.topic(), "partition", tp.partition()));
        }
        return out;
    }

    /** Partition ids of a topic: --partitions when given, else the topic's partitions. */
    static List<Integer> partitionsOf(Admin admin, Args a, String topic) throws Exception {
        List<Integer> given = a.intList("partitions");
        if (given != null) {
            return given;
        }
        List<Integer> out = new ArrayList<>();
        for (TopicPartitionInfo p : AdminTopics.describe(admin, topic, a).partitions()) {
            out.add(p.partition());
        }
        out.sort(null);
        return out;
    }

    static String uuid(Uuid id) {
        return id == null ? null : id.toString();
    }

    // ------------------------------------------------------------------
    // Cluster and topics
    // ------------------------------------------------------------------

    static void describeCluster(Args a) throws Exception {
        boolean withOps = a.flag("authorized-operations");
        boolean fenced = a.flag("include-fenced");
        withAdmin(a, admin -> {
            DescribeClusterResult r = admin.describeCluster(call(new DescribeClusterOptions()
                .includeAuthorizedOperations(withOps).includeFencedBrokers(fenced), a));
            String clusterId = get(r.clusterId(), a, "describing cluster");
            Node controller = get(r.controller(), a, "describing cluster");
            List<Node> nodes = new ArrayList<>(get(r.nodes(), a, "describing cluster"));
            nodes.sort(Comparator.comparingInt(Node::id));
            List<Object> brokers = new ArrayList<>();
            for (Node n : nodes) {
                Map<String, Object> b = Json.obj("id", n.id(), "host", n.host(), "port", n.port(), "rack", n.rack());
                if (fenced) {
                    b.put("fenced", n.isFenced());
                }
                brokers.add(b);
            }
            Map<String, Object> out = Json.obj("cluster_id", clusterId,
                "controller_id", controller == null || controller.isEmpty() ? -1 : controller.id(),
                "brokers", brokers);
            if (withOps) {
                out.put("authorized_operations", operations(get(r.authorizedOperations(), a, "describing cluster")));
            }
            Json.emit(out);
        });
    }

    static void listTopics(Args a) throws Exception {
        withAdmin(a, admin -> {
            List<TopicListing> listings = new ArrayList<>(get(admin.listTopics(call(new ListTopicsOptions()
                .listInternal(a.flag("internal")), a)).listings(), a, "listing topics"));
            listings.sort(Comparator.comparing(TopicListing::name));
            for (TopicListing t : listings) {
                Json.emit(Json.obj("name", t.name(), "topic_id", uuid(t.topicId()), "internal", t.isInternal()));
            }
        });
    }

    static void describeTopics(Args a) throws Exception {
        TreeSet<String> topics = new TreeSet<>(requiredNames(a, "topics"));
        boolean withOps = a.flag("authorized-operations");
        withAdmin(a, admin -> {
            DescribeTopicsResult r = admin.describeTopics(topics,
                call(new DescribeTopicsOptions().includeAuthorizedOperations(withOps), a));
            for (String name : topics) {
                Outcome<TopicDescription> o = await(r.topicNameValues().get(name), a, "describing topic " + name);
                if (!o.ok()) {
                    Json.emit(withError(Json.obj("name", name), o.error()));
                    continue;
                }
                TopicDescription d = o.value();
                List<TopicPartitionInfo> parts = new ArrayList<>(d.partitions());
                parts.sort(Comparator.comparingInt(TopicPartitionInfo::partition));
                List<Object> partitions = new ArrayList<>();
                for (TopicPartitionInfo p : parts) {
                    partitions.add(Json.obj("partition", p.partition(),
                        "leader", p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id(),
                        "replicas", AdminTopics.nodeIds(p.replicas()),
                        "isr", sortedIds(p.isr())));
                }
                Map<String, Object> out = Json.obj("name", d.name(), "topic_id", uuid(d.topicId()),
                    "internal", d.isInternal(), "partitions", partitions);
                if (withOps) {
                    out.put("authorized_operations", operations(d.authorizedOperations()));
                }
                Json.emit(out);
            }
        });
    }

    // ------------------------------------------------------------------
    // Configs
    // ------------------------------------------------------------------

    static ConfigResource resource(Args a) {
        ConfigResource.Type type = parseEnum(ConfigResource.Type.class, a.req("type"), "--type");
        String name = a.opt("name", null);
        if (name == null) {
            throw new PeerException("missing required option --name (\"\" for the cluster-wide broker default)");
        }
        return new ConfigResource(type, name);
    }

    static Map<String, Object> resourceJson(ConfigResource r) {
        return Json.obj("resource_type", lc(r.type()), "name", r.name());
    }

    static void describeConfigs(Args a) throws Exception {
        ConfigResource res = resource(a);
        Set<String> keys = a.has("keys") ? new TreeSet<>(names(a, "keys")) : null;
        boolean synonyms = a.flag("synonyms");
        withAdmin(a, admin -> {
            Outcome<Config> o = await(admin.describeConfigs(List.of(res), call(new DescribeConfigsOptions()
                .includeSynonyms(synonyms), a)).values().get(res), a, "describing configs");
            Map<String, Object> out = resourceJson(res);
            if (!o.ok()) {
                Json.emit(withError(out, o.error()));
                return;
            }
            TreeMap<String, ConfigEntry> entries = new TreeMap<>();
            for (ConfigEntry e : o.value().entries()) {
                if (keys == null || keys.contains(e.name())) {
                    entries.put(e.name(), e);
                }
            }
            List<Object> configs = new ArrayList<>();
            for (ConfigEntry e : entries.values()) {
                Map<String, Object> c = Json.obj("name", e.name(), "value", e.isSensitive() ? null : e.value(),
                    "source", lc(e.source()), "read_only", e.isReadOnly(), "sensitive", e.isSensitive(),
                    "default", e.isDefault());
                if (synonyms) {
                    List<Object> syn = new ArrayList<>();   // precedence order, as the broker sends them
                    for (ConfigEntry.ConfigSynonym s : e.synonyms()) {
                        syn.add(Json.obj("name", s.name(), "value", e.isSensitive() ? null : s.value(),
                            "source", lc(s.source())));
                    }
                    c.put("synonyms", syn);
                }
                configs.add(c);
            }
            out.put("configs", configs);
            Json.emit(out);
        });
    }

    static void alterConfigs(Args a) throws Exception {
        ConfigResource res = resource(a);
        List<AlterConfigOp> ops = new ArrayList<>();
        for (Map.Entry<String, String> e : a.keyValues("set").entrySet()) {
            ops.add(new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET));
        }
        for (String k : names(a, "delete")) {
            ops.add(new AlterConfigOp(new ConfigEntry(k, null), AlterConfigOp.OpType.DELETE));
        }
        for (Map.Entry<String, String> e : a.keyValues("append").entrySet()) {
            ops.add(new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.APPEND));
        }
        for (Map.Entry<String, String> e : a.keyValues("subtract").entrySet()) {
            ops.add(new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SUBTRACT));
        }
        if (ops.isEmpty()) {
            throw new PeerException("nothing to alter: give --set k=v, --delete k, --append k=v or --subtract k=v");
        }
        withAdmin(a, admin -> {
            AlterConfigsResult r = admin.incrementalAlterConfigs(Map.of(res, ops),
                call(new AlterConfigsOptions().validateOnly(a.flag("validate-only")), a));
            Outcome<Void> o = await(r.values().get(res), a, "altering configs");
            Map<String, Object> out = resourceJson(res);
            Json.emit(o.ok() ? out : withError(out, o.error()));
        });
    }

    // ------------------------------------------------------------------
    // Creating topics and partitions
    // ------------------------------------------------------------------

    /** "0:1,2;1:2,3" (partition:replicas) into an ordered map. */
    static Map<Integer, List<Integer>> assignmentsByPartition(String spec) {
        Map<Integer, List<Integer>> out = new LinkedHashMap<>();
        for (String part : spec.split(";")) {
            if (part.trim().isEmpty()) {
                continue;
            }
            int c = part.indexOf(':');
            if (c <= 0) {
                throw new PeerException("--assignments expects partition:broker,broker;... got '" + part + "'");
            }
            out.put(parseInt(part.substring(0, c), "--assignments"), brokerList(part.substring(c + 1)));
        }
        return out;
    }

    static List<Integer> brokerList(String s) {
        List<Integer> out = new ArrayList<>();
        for (String b : s.split(",")) {
            if (!b.trim().isEmpty()) {
                out.add(parseInt(b, "broker id"));
            }
        }
        return out;
    }

    static void createTopics(Args a) throws Exception {
        TreeSet<String> topics = new TreeSet<>(requiredNames(a, "topic"));
        Map<String, String> configs = a.keyValues("topic-config");
        String assignments = a.opt("assignments", null);
        if (assignments != null && (a.has("partitions") || a.has("replication"))) {
            throw new PeerException("--assignments excludes --partitions and --replication");
        }
        List<NewTopic> news = new ArrayList<>();
        for (String t : topics) {
            NewTopic nt = assignments != null ? new NewTopic(t, assignmentsByPartition(assignments))
                : new NewTopic(t,
                    a.has("partitions") ? Optional.of(a.intOpt("partitions", 0)) : Optional.empty(),
                    a.has("replication") ? Optional.of((short) a.intOpt("replication", 0)) : Optional.empty());
            news.add(nt.configs(configs));
        }
        withAdmin(a, admin -> {
            CreateTopicsResult r = admin.createTopics(news,
                call(new CreateTopicsOptions().validateOnly(a.flag("validate-only")), a));
            for (String t : topics) {
                Outcome<Void> o = await(r.values().get(t), a, "creating topic " + t);
                Map<String, Object> out = Json.obj("name", t);
                if (!o.ok()) {
                    Json.emit(withError(out, o.error()));
                    continue;
                }
                // The broker may withhold these (e.g. no DESCRIBE_CONFIGS on the topic): null then.
                out.put("partitions", await(r.numPartitions(t), a, "creating topic " + t).value());
                out.put("replication", await(r.replicationFactor(t), a, "creating topic " + t).value());
                out.put("topic_id", uuid(await(r.topicId(t), a, "creating topic " + t).value()));
                Json.emit(out);
            }
        });
    }

    static void createPartitions(Args a) throws Exception {
        String topic = a.req("topic");
        int total = a.intOpt("total", -1);
        if (total <= 0) {
            throw new PeerException("--total must be positive");
        }
        NewPartitions np;
        if (a.has("assignments")) {
            List<List<Integer>> lists = new ArrayList<>();
            for (String part : a.req("assignments").split(";")) {
                lists.add(brokerList(part));
            }
            np = NewPartitions.increaseTo(total, lists);
        } else {
            np = NewPartitions.increaseTo(total);
        }
        withAdmin(a, admin -> {
            CreatePartitionsResult r = admin.createPartitions(Map.of(topic, np),
                call(new CreatePartitionsOptions().validateOnly(a.flag("validate-only")), a));
            Outcome<Void> o = await(r.values().get(topic), a, "creating partitions");
            Map<String, Object> out = Json.obj("name", topic);
            Json.emit(o.ok() ? out : withError(out, o.error()));
        });
    }

    // ------------------------------------------------------------------
    // Offsets and records
    // ------------------------------------------------------------------

    static OffsetSpec offsetSpec(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("timestamp:")) {
            return OffsetSpec.forTimestamp(parseLong(v.substring("timestamp:".length()), "--spec timestamp"));
        }
        return switch (v) {
            case "earliest" -> OffsetSpec.earliest();
            case "latest" -> OffsetSpec.latest();
            case "max-timestamp" -> OffsetSpec.maxTimestamp();
            case "earliest-local" -> OffsetSpec.earliestLocal();
            case "latest-tiered" -> OffsetSpec.latestTiered();
            default -> throw new PeerException("--spec: earliest, latest, max-timestamp, earliest-local,"
                + " latest-tiered or timestamp:MS, got '" + s + "'");
        };
    }

    static void listOffsets(Args a) throws Exception {
        String topic = a.req("topic");
        OffsetSpec spec = offsetSpec(a.req("spec"));
        IsolationLevel level = parseEnum(IsolationLevel.class, a.opt("isolation", "read_uncommitted"), "--isolation");
        withAdmin(a, admin -> {
            List<Integer> parts = partitionsOf(admin, a, topic);
            Map<TopicPartition, OffsetSpec> req = new LinkedHashMap<>();
            for (int p : parts) {
                req.put(new TopicPartition(topic, p), spec);
            }
            ListOffsetsResult r = admin.listOffsets(req, call(new ListOffsetsOptions(level), a));
            List<Object> out = new ArrayList<>();
            for (int p : new TreeSet<>(parts)) {
                Outcome<ListOffsetsResultInfo> o = await(r.partitionResult(new TopicPartition(topic, p)),
                    a, "listing offsets");
                Map<String, Object> line = Json.obj("partition", p);
                if (o.ok()) {
                    line.put("offset", o.value().offset());
                    line.put("timestamp", o.value().timestamp());
                    line.put("leader_epoch", o.value().leaderEpoch().orElse(null));
                } else {
                    withError(line, o.error());
                }
                out.add(line);
            }
            Json.emit(Json.obj("topic", topic, "partitions", out));
        });
    }

    static void deleteRecords(Args a) throws Exception {
        String topic = a.req("topic");
        TreeMap<Integer, Long> before = new TreeMap<>();
        for (String item : requiredNames(a, "before")) {
            int c = item.indexOf(':');
            if (c <= 0) {
                throw new PeerException("--before expects partition:offset items, got '" + item + "'");
            }
            before.put(parseInt(item.substring(0, c), "--before"), parseLong(item.substring(c + 1), "--before"));
        }
        withAdmin(a, admin -> {
            Map<TopicPartition, RecordsToDelete> req = new LinkedHashMap<>();
            before.forEach((p, o) -> req.put(new TopicPartition(topic, p), RecordsToDelete.beforeOffset(o)));
            DeleteRecordsResult r = admin.deleteRecords(req, call(new DeleteRecordsOptions(), a));
            for (int p : before.keySet()) {
                Outcome<DeletedRecords> o = await(r.lowWatermarks().get(new TopicPartition(topic, p)),
                    a, "deleting records");
                Map<String, Object> line = Json.obj("topic", topic, "partition", p);
                if (o.ok()) {
                    line.put("low_watermark", o.value().lowWatermark());
                } else {
                    withError(line, o.error());
                }
                Json.emit(line);
            }
        });
    }

    // ------------------------------------------------------------------
    // Log dirs, reassignments, leader elections, SCRAM
    // ------------------------------------------------------------------

    static void describeLogDirs(Args a) throws Exception {
        Set<String> topics = a.has("topics") ? new TreeSet<>(names(a, "topics")) : null;
        withAdmin(a, admin -> {
            List<Integer> brokers = a.intList("brokers");
            if (brokers == null) {
                brokers = sortedIds(get(admin.describeCluster(call(new DescribeClusterOptions(), a))
                    .nodes(), a, "describing cluster"));
            }
            brokers = new ArrayList<>(new TreeSet<>(brokers));
            DescribeLogDirsResult r = admin.describeLogDirs(brokers,
                call(new DescribeLogDirsOptions(), a));
            for (int b : brokers) {
                Outcome<Map<String, LogDirDescription>> o = await(r.descriptions().get(b), a, "describing log dirs");
                Map<String, Object> line = Json.obj("broker", b);
                if (!o.ok()) {
                    Json.emit(withError(line, o.error()));
                    continue;
                }
                List<Object> dirs = new ArrayList<>();
                for (Map.Entry<String, LogDirDescription> d : new TreeMap<>(o.value()).entrySet()) {
                    Map<String, Object> dir = Json.obj("path", d.getKey());
                    if (d.getValue().error() != null) {
                        withError(dir, d.getValue().error());
                    }
                    List<TopicPartition> tps = new ArrayList<>(d.getValue().replicaInfos().keySet());
                    tps.sort(TP_ORDER);
                    List<Object> parts = new ArrayList<>();
                    for (TopicPartition tp : tps) {
                        if (topics != null && !topics.contains(tp.topic())) {
                            continue;
                        }
                        ReplicaInfo ri = d.getValue().replicaInfos().get(tp);
                        parts.add(Json.obj("topic", tp.topic(), "partition", tp.partition(), "size", ri.size(),
                            "offset_lag", ri.offsetLag(), "is_future", ri.isFuture()));
                    }
                    dir.put("partitions", parts);
                    dirs.add(dir);
                }
                line.put("dirs", dirs);
                Json.emit(line);
            }
        });
    }

    static void listReassignments(Args a) throws Exception {
        List<TopicPartition> only = topicPartitions(a, "partitions");
        withAdmin(a, admin -> {
            Map<TopicPartition, PartitionReassignment> m = get(admin.listPartitionReassignments(
                only.isEmpty() ? Optional.empty() : Optional.of(Set.copyOf(only)),
                call(new ListPartitionReassignmentsOptions(), a)).reassignments(),
                a, "listing reassignments");
            List<TopicPartition> tps = new ArrayList<>(m.keySet());
            tps.sort(TP_ORDER);
            List<Object> out = new ArrayList<>();
            for (TopicPartition tp : tps) {
                PartitionReassignment r = m.get(tp);
                out.add(Json.obj("topic", tp.topic(), "partition", tp.partition(), "replicas", r.replicas(),
                    "adding", sortedCopy(r.addingReplicas()), "removing", sortedCopy(r.removingReplicas())));
            }
            Json.emit(Json.obj("reassignments", out));
        });
    }

    static List<Integer> sortedCopy(List<Integer> l) {
        List<Integer> out = new ArrayList<>(l);
        out.sort(null);
        return out;
    }

    static void electLeaders(Args a) throws Exception {
        ElectionType type = parseEnum(ElectionType.class, a.req("type"), "--type");
        List<TopicPartition> tps = topicPartitions(a, "partitions");
        withAdmin(a, admin -> {
            Map<TopicPartition, Optional<Throwable>> m = get(admin.electLeaders(type,
                tps.isEmpty() ? null : Set.copyOf(tps), call(new ElectLeadersOptions(), a))
                .partitions(), a, "electing leaders");
            List<TopicPartition> sorted = new ArrayList<>(m.keySet());
            sorted.sort(TP_ORDER);
            for (TopicPartition tp : sorted) {
                Map<String, Object> line = Json.obj("topic", tp.topic(), "partition", tp.partition());
                m.get(tp).ifPresent(t -> withError(line, t));
                Json.emit(line);
            }
        });
    }

    static void describeScram(Args a) throws Exception {
        List<String> users = names(a, "users");
        withAdmin(a, admin -> {
            DescribeUserScramCredentialsResult r = admin.describeUserScramCredentials(
                users.isEmpty() ? null : users, call(new DescribeUserScramCredentialsOptions(), a));
            TreeSet<String> names = new TreeSet<>(users);
            if (users.isEmpty()) {
                names.addAll(get(r.users(), a, "describing SCRAM credentials"));
            }
            for (String u : names) {
                Outcome<UserScramCredentialsDescription> o = await(r.description(u), a, "describing SCRAM credentials");
                Map<String, Object> line = Json.obj("user", u);
                if (!o.ok()) {
                    Json.emit(withError(line, o.error()));
                    continue;
                }
                List<ScramCredentialInfo> infos = new ArrayList<>(o.value().credentialInfos());
                infos.sort(Comparator.comparing(i -> i.mechanism().mechanismName()));
                List<Object> creds = new ArrayList<>();
                for (ScramCredentialInfo i : infos) {
                    creds.add(Json.obj("mechanism", i.mechanism().mechanismName(), "iterations", i.iterations()));
                }
                line.put("credentials", creds);
                Json.emit(line);
            }
        });
    }
}
