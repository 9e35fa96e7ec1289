package kasio.peer;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Java reference peer for kasio's tests.
 *
 * Usage: java -cp CP kasio.peer.Main COMMAND --bootstrap host:port [--config k=v ...]
 *        [--timeout-ms N] [command options]
 *
 * JSON lines go to stdout (flushed per line), diagnostics to stderr. Exit code 0
 * on success, 1 on any error (with a one-line "kasio-peer COMMAND: error: ..."
 * message on stderr).
 */
public final class Main {
    private Main() {}

    interface Command {
        void run(Args a) throws Exception;
    }

    private record Spec(Command cmd, List<String> options, String usage) {}

    private static final List<String> COMMON = List.of("bootstrap", "config", "timeout-ms");
    private static final Map<String, Spec> COMMANDS = new LinkedHashMap<>();

    private static void def(String name, Command c, String usage, String... options) {
        COMMANDS.put(name, new Spec(c, List.of(options), usage));
    }

    static {
        def("produce", Produce::produce, "--topic T  (records as JSON lines on stdin)", "topic");
        def("produce-seq", Produce::produceSeq, "--topic T --count N [--size S] [--partitions P]",
            "topic", "count", "size", "partitions");
        def("consume", Consume::consume,
            "--topic T [--partitions 0,1] [--count N] [--from beginning|end] [--until-end]"
                + " [--isolation read_uncommitted|read_committed]",
            "topic", "partitions", "count", "from", "until-end", "isolation");
        def("produce-txn", Transactions::produceTxn,
            "--topic T --transactional-id ID --count N [--per-txn K (default 100)] [--abort-every A (0: never)]",
            "topic", "transactional-id", "count", "per-txn", "abort-every");
        def("count-values", Transactions::countValues,
            "--topic T --isolation read_committed|read_uncommitted [--expect N]", "topic", "isolation", "expect");
        def("verify-seq", Consume::verifySeq, "--topic T --expect N", "topic", "expect");
        def("group-member", GroupMember::run,
            "--topic T --group G [--assignor range|roundrobin|cooperative-sticky] [--instance-id ID]"
                + " [--max-ms M] [--commit sync|none] [--leave-group default|leave|remain]",
            "topic", "group", "assignor", "instance-id", "max-ms", "commit", "leave-group");
        def("create-topic", AdminTopics::createTopic,
            "--topic T --partitions P --replication R [--topic-config k=v ...] [--if-not-exists]",
            "topic", "partitions", "replication", "topic-config", "if-not-exists");
        def("delete-topic", AdminTopics::deleteTopic, "--topic T [--if-exists]", "topic", "if-exists");
        def("describe-topic", AdminTopics::describeTopic, "--topic T", "topic");
        def("list-offsets", AdminTopics::listOffsets, "--topic T", "topic");
        def("elect-leaders", AdminTopics::electLeaders, "--topic T [--partitions 0,1]", "topic", "partitions");
        def("reassign", AdminTopics::reassign, "--topic T --partition P --replicas 2,3,1",
            "topic", "partition", "replicas");
        def("wait-brokers", AdminCluster::waitBrokers, "--count N", "count");
        def("set-quota", AdminCluster::setQuota,
            "(--client-id C | --user U) [--producer-byte-rate N] [--consumer-byte-rate N]"
                + "  (a negative rate removes the quota)",
            "client-id", "user", "producer-byte-rate", "consumer-byte-rate");
        def("set-feature", AdminCluster::setFeature, "--feature F --level N", "feature", "level");
        def("describe-group", AdminCluster::describeGroup, "--group G", "group");
        def("group-offsets", AdminCluster::groupOffsets, "--group G", "group");
        def("create-scram", AdminCluster::createScram,
            "--user U --password P [--mechanism SCRAM-SHA-256|SCRAM-SHA-512] [--iterations N]",
            "user", "password", "mechanism", "iterations");

        // The Java Admin's answers, printed canonically for kasio's admin client tests (AdminQuery,
        // AdminGroups, AdminAcls; README.md describes the output).
        def("admin-describe-cluster", AdminQuery::describeCluster, "[--authorized-operations] [--include-fenced]",
            "authorized-operations", "include-fenced");
        def("admin-list-topics", AdminQuery::listTopics, "[--internal]", "internal");
        def("admin-describe-topics", AdminQuery::describeTopics, "--topics a,b [--authorized-operations]",
            "topics", "authorized-operations");
        def("admin-describe-configs", AdminQuery::describeConfigs,
            "--type topic|broker|broker-logger|group|client-metrics --name N [--keys k1,k2] [--synonyms]",
            "type", "name", "keys", "synonyms");
        def("admin-alter-configs", AdminQuery::alterConfigs,
            "--type T --name N [--set k=v ...] [--delete k ...] [--append k=v ...] [--subtract k=v ...]"
                + " [--validate-only]",
            "type", "name", "set", "delete", "append", "subtract", "validate-only");
        def("admin-create-topics", AdminQuery::createTopics,
            "--topic T ... [--partitions P] [--replication R] [--assignments 0:1,2;1:2,3] [--topic-config k=v ...]"
                + " [--validate-only]",
            "topic", "partitions", "replication", "assignments", "topic-config", "validate-only");
        def("admin-create-partitions", AdminQuery::createPartitions,
            "--topic T --total N [--assignments 1,2;2,3] [--validate-only]",
            "topic", "total", "assignments", "validate-only");
        def("admin-list-offsets", AdminQuery::listOffsets,
            "--topic T --spec earliest|latest|max-timestamp|earliest-local|latest-tiered|timestamp:MS"
                + " [--partitions 0,1] [--isolation read_uncommitted|read_committed]",
            "topic", "spec", "partitions", "isolation");
        def("admin-delete-records", AdminQuery::deleteRecords, "--topic T --before p:o,...", "topic", "before");
        def("admin-describe-log-dirs", AdminQuery::describeLogDirs, "[--brokers 1,2] [--topics a,b]",
            "brokers", "topics");
        def("admin-list-reassignments", AdminQuery::listReassignments, "[--partitions t:p,...]", "partitions");
        def("admin-elect-leaders", AdminQuery::electLeaders,
            "--type preferred|unclean [--partitions t:p,...]  (none: every partition)", "type", "partitions");
        def("admin-describe-scram", AdminQuery::describeScram, "[--users u1,u2]", "users");
        def("admin-list-groups", AdminGroups::listGroups,
            "[--types classic,consumer,share,streams] [--states stable,empty,...] [--protocol-types consumer,...]",
            "types", "states", "protocol-types");
        def("admin-describe-groups", AdminGroups::describeGroups, "--groups g1,g2 [--authorized-operations]",
            "groups", "authorized-operations");
        def("admin-list-group-offsets", AdminGroups::listGroupOffsets,
            "--group G [--partitions t:p,...] [--require-stable]", "group", "partitions", "require-stable");
        def("admin-alter-group-offsets", AdminGroups::alterGroupOffsets,
            "--group G --offsets t:p:o[:leader_epoch],... [--metadata M]", "group", "offsets", "metadata");
        def("admin-delete-group-offsets", AdminGroups::deleteGroupOffsets, "--group G --partitions t:p,...",
            "group", "partitions");
        def("admin-delete-groups", AdminGroups::deleteGroups, "--groups g1,g2", "groups");
        def("admin-describe-producers", AdminGroups::describeProducers,
            "--topic T [--partitions 0,1] [--broker-id N] [--timestamps]",
            "topic", "partitions", "broker-id", "timestamps");
        def("admin-list-transactions", AdminGroups::listTransactions,
            "[--states ongoing,...] [--producer-ids 1,2] [--duration-ms D] [--pattern REGEX]",
            "states", "producer-ids", "duration-ms", "pattern");
        def("admin-describe-transactions", AdminGroups::describeTransactions, "--ids a,b [--timestamps]",
            "ids", "timestamps");
        def("admin-describe-acls", AdminAcls::describeAcls,
            "[--filter type:name:pattern:principal:host:operation:permission (fields may be any)]", "filter");
        def("admin-create-acls", AdminAcls::createAcls,
            "--acl type:name:pattern:principal:host:operation:permission ...  (e.g. topic:t:literal:User:kasio:*:write:deny)",
            "acl");
        def("admin-delete-acls", AdminAcls::deleteAcls, "--filter type:name:pattern:principal:host:operation:permission ...",
            "filter");
        def("admin-exercise", AdminExercise::run,
            "--prefix P  (every Admin API once; names start with P; for kasio-capture-java-frames)", "prefix");
    }

    /** Extra time past --timeout-ms (or --max-ms) before the watchdog kills the JVM. */
    static final long WATCHDOG_GRACE_MS = 15000;

    public static void main(String[] argv) {
        // Must happen before any Kafka/slf4j class is loaded: WARN and above, to stderr.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
            System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");

        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("help")) {
            usage();
            System.exit(argv.length == 0 ? 1 : 0);
        }
        String name = argv[0];
        int rc = 0;
        try {
            Spec spec = COMMANDS.get(name);
            if (spec == null) {
                throw new PeerException("unknown command '" + name + "' (try --help)");
            }
            Set<String> allowed = new HashSet<>(COMMON);
            allowed.addAll(spec.options());
            Args a = new Args(name, argv, 1, allowed);
            a.req("bootstrap");
            long limit = a.timeoutMs;
            if (name.equals("group-member") && a.has("max-ms")) {
                limit = Math.max(limit, a.longOpt("max-ms", 0));
            }
            startWatchdog(name, limit + WATCHDOG_GRACE_MS);
            spec.cmd().run(a);
        } catch (Throwable t) {
            System.err.println("kasio-peer " + name + ": error: " + describe(t));
            if (System.getenv("KASIO_PEER_TRACE") != null) {
                t.printStackTrace();
            }
            rc = 1;
        }
        System.err.flush();
        // Exit explicitly: stdin readers and client threads must not keep the JVM alive.
        System.exit(rc);
    }

    private static void startWatchdog(String name, long ms) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("kasio-peer " + name + ": error: timeout: command still running after "
                + ms + " ms (watchdog), killing the JVM");
            System.err.flush();
            Runtime.getRuntime().halt(1);
        }, "kasio-peer-watchdog");
        t.setDaemon(true);
        t.start();
    }

    /** One-line description of an exception, unwrapping future wrappers. */
    static String describe(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException)
               && t.getCause() != null) {
            t = t.getCause();
        }
        StringBuilder sb = new StringBuilder();
        if (t instanceof PeerException) {
            sb.append(t.getMessage());
        } else {
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage());
            }
        }
        Throwable c = t.getCause();
        int depth = 0;
        while (c != null && c != t && depth++ < 4) {
            sb.append(" (caused by ").append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                sb.append(": ").append(c.getMessage());
            }
            sb.append(')');
            t = c;
            c = c.getCause();
        }
        return sb.toString().replace('\n', ' ');
    }

    private static void usage() {
        System.err.println("usage: java -cp CP kasio.peer.Main COMMAND --bootstrap host:port[,...]"
            + " [--config key=value ...] [--timeout-ms N (default 60000)] OPTIONS");
        for (Map.Entry<String, Spec> e : COMMANDS.entrySet()) {
            System.err.println("  " + e.getKey() + " " + e.getValue().usage());
        }
    }
}
