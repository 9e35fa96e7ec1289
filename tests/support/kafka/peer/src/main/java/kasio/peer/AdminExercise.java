package kasio.peer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

/**
 * admin-exercise --prefix P: calls (almost) every Admin API once against a single broker, so that
 * kasio-capture-java-frames can record the frames the Java client writes and the broker's answers.
 * Producers and consumers run first where an admin call needs state (records, committed offsets,
 * a transaction, live groups). Each step is independent: a failure (an error answer, an API the
 * capped broker no longer offers) is reported on stdout and the next step runs, because a step
 * that fails still leaves golden frames behind. Exit 0 whatever the steps did.
 */
final class AdminExercise {
    private AdminExercise() {}

    /** Per-call limit: long enough for a group to form, short enough that a capped API that
     *  makes the client retry does not stall the whole run. */
    private static final int CALL_MS = 15000;

    interface Step {
        Object run() throws Exception;
    }

    private static int failures;

    /** Runs one step; stdout gets {"step","ok":true,"result"} or {"step","ok":false,"error"}. */
    private static void step(String name, Step s) {
        try {
            Object result = s.run();
            Json.emit(Json.obj("step", name, "ok", true, "result", result == null ? "" : String.valueOf(result)));
        } catch (Throwable t) {
            failures++;
            Json.emit(Json.obj("step", name, "ok", false, "error", Main.describe(t)));
        }
    }

    static void run(Args a) throws Exception {
        String p = a.req("prefix");
        String topicA = p + "-a";            // configs, partitions, records, groups
        String topicB = p + "-b";            // explicit replica assignment
        String classic = p + "-classic";     // group.protocol=classic
        String modern = p + "-consumer";     // group.protocol=consumer (KIP-848)
        String txnId = p + "-txn";
        String user = p + "-user";
        TopicPartition a0 = new TopicPartition(topicA, 0);

        java.util.Properties props = a.clientProps();
        props.put("client.id", "kasio-golden-java");
        props.putIfAbsent("default.api.timeout.ms", String.valueOf(CALL_MS));
        props.putIfAbsent("request.timeout.ms", String.valueOf(CALL_MS));
        try (Admin admin = Admin.create(props)) {
            int[] node = {1};
            step("describeCluster", () -> {
                Collection<Node> nodes = admin.describeCluster().nodes().get();
                node[0] = nodes.iterator().next().id();
                return "nodes " + nodes.size() + ", controller " + admin.describeCluster().controller().get();
            });
            step("createTopics", () -> {
                NewTopic withConfigs = new NewTopic(topicA, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "delete", "retention.ms", "-1", "segment.bytes", "1048576"));
                NewTopic assigned = new NewTopic(topicB, Map.of(0, List.of(node[0]), 1, List.of(node[0])));
                admin.createTopics(List.of(withConfigs, assigned)).all().get();
                return "created";
            });
            step("createPartitions", () -> {
                admin.createPartitions(Map.of(topicA, NewPartitions.increaseTo(2))).all().get();
                return "2 partitions";
            });
            step("listTopics", () -> admin.listTopics().names().get().size() + " topics");
            step("describeTopics", () -> admin.describeTopics(List.of(topicA, topicB)).allTopicNames().get().size());
            step("describeTopicsById", () -> {
                var id = admin.describeTopics(List.of(topicA)).allTopicNames().get().get(topicA).topicId();
                return admin.describeTopics(TopicCollection.ofTopicIds(List.of(id))).allTopicIds().get().size();
            });
            ConfigResource topicRes = new ConfigResource(ConfigResource.Type.TOPIC, topicA);
            step("describeConfigs", () -> {
                ConfigResource brokerRes = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(node[0]));
                return admin.describeConfigs(List.of(topicRes, brokerRes)).all().get().size();
            });
            step("incrementalAlterConfigs", () -> {
                admin.incrementalAlterConfigs(Map.of(topicRes, List.of(
                    new AlterConfigOp(new ConfigEntry("retention.ms", "604800000"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("segment.bytes", ""), AlterConfigOp.OpType.DELETE)))).all().get();
                return "altered";
            });

            // Records for deleteRecords, listOffsets, the consumers and describeProducers
            // (idempotent by default: the partition gets a producer state).
            step("produce", () -> {
                try (KafkaProducer<byte[], byte[]> producer = Clients.producer(a, Map.of(
                        "client.id", "kasio-golden-java-producer", "acks", "all", "linger.ms", "0"))) {
                    for (int i = 0; i < 4; i++) {
                        producer.send(new ProducerRecord<>(topicA, 0, 1700000000000L + i,
                            ("k" + i).getBytes(), ("v" + i).getBytes())).get();
                    }
                }
                return "4 records";
            });
            step("transaction", () -> {
                try (KafkaProducer<byte[], byte[]> producer = Clients.producer(a, Map.of(
                        "client.id", "kasio-golden-java-txn", "transactional.id", txnId,
                        "transaction.timeout.ms", "60000", "linger.ms", "0"))) {
                    producer.initTransactions();
                    producer.beginTransaction();
                    producer.send(new ProducerRecord<>(topicA, 1, "tk".getBytes(), "tv".getBytes())).get();
                    producer.sendOffsetsToTransaction(Map.of(a0, new OffsetAndMetadata(1)),
                        new org.apache.kafka.clients.consumer.ConsumerGroupMetadata(classic));
                    producer.commitTransaction();
                }
                return "committed";
            });

            // Both groups stay joined (heartbeats run in the clients' own threads) while they are
            // described, then close before the calls that need them empty.
            List<KafkaConsumer<byte[], byte[]>> members = new ArrayList<>();
            try {
                step("classicGroup", () -> members.add(joinAndCommit(a, classic, "classic", topicA)));
                step("consumerGroup", () -> members.add(joinAndCommit(a, modern, "consumer", topicA)));
                step("listConsumerGroups", () -> admin.listConsumerGroups().all().get().size());
                step("listGroups", () -> admin.listGroups(new ListGroupsOptions()).all().get().size());
                step("describeConsumerGroups", () ->
                    admin.describeConsumerGroups(List.of(classic, modern)).all().get().size());
                step("describeClassicGroups", () -> admin.describeClassicGroups(List.of(classic)).all().get().size());
                step("listConsumerGroupOffsets", () ->
                    admin.listConsumerGroupOffsets(classic).partitionsToOffsetAndMetadata().get().size());
            } finally {
                for (KafkaConsumer<byte[], byte[]> c : members) {
                    c.close(Duration.ofMillis(CALL_MS));
                }
            }
            step("alterConsumerGroupOffsets", () -> {
                admin.alterConsumerGroupOffsets(classic, Map.of(a0, new OffsetAndMetadata(2, "golden"))).all().get();
                return "altered";
            });
            step("deleteConsumerGroupOffsets", () -> {
                admin.deleteConsumerGroupOffsets(classic, Set.of(a0)).all().get();
                return "deleted";
            });
            step("deleteConsumerGroups", () -> {
                admin.deleteConsumerGroups(List.of(classic, modern)).all().get();
                return "deleted";
            });

            step("deleteRecords", () -> admin.deleteRecords(Map.of(a0, RecordsToDelete.beforeOffset(1)))
                .lowWatermarks().get(a0).get().lowWatermark());
            step("listOffsets", () -> {
                TopicPartition a1 = new TopicPartition(topicA, 1);
                TopicPartition b0 = new TopicPartition(topicB, 0);
                TopicPartition b1 = new TopicPartition(topicB, 1);
                return admin.listOffsets(Map.of(a0, OffsetSpec.earliest(), a1, OffsetSpec.latest(),
                    b0, OffsetSpec.maxTimestamp(), b1, OffsetSpec.forTimestamp(1700000000001L))).all().get().size();
            });

            ResourcePattern pattern = new ResourcePattern(ResourceType.TOPIC, p + "-", PatternType.PREFIXED);
            AclBinding acl = new AclBinding(pattern,
                new AccessControlEntry("User:" + user, "*", AclOperation.READ, AclPermissionType.ALLOW));
            AclBindingFilter aclFilter = new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.TOPIC, p + "-", PatternType.PREFIXED),
                new AccessControlEntryFilter("User:" + user, null, AclOperation.ANY, AclPermissionType.ANY));
            step("createAcls", () -> {
                admin.createAcls(List.of(acl)).all().get();
                return "created";
            });
            step("describeAcls", () -> admin.describeAcls(aclFilter).values().get().size());
            step("deleteAcls", () -> admin.deleteAcls(List.of(aclFilter)).all().get().size());

            // The only replica is already the preferred leader: ELECTION_NOT_NEEDED is the answer.
            step("electLeaders", () -> admin.electLeaders(ElectionType.PREFERRED, Set.of(a0)).partitions().get());
            step("alterPartitionReassignments", () -> {
                admin.alterPartitionReassignments(Map.of(a0,
                    Optional.of(new NewPartitionReassignment(List.of(node[0]))))).all().get();
                return "reassigned";
            });
            step("listPartitionReassignments", () -> admin.listPartitionReassignments().reassignments().get().size());
            step("describeLogDirs", () -> admin.describeLogDirs(List.of(node[0])).allDescriptions().get().size());
            long[] producerId = {-1};
            short[] producerEpoch = {-1};
            step("describeProducers", () -> {
                PartitionProducerState state = admin.describeProducers(List.of(a0)).partitionResult(a0).get();
                for (ProducerState s : state.activeProducers()) {
                    producerId[0] = s.producerId();
                    producerEpoch[0] = (short) s.producerEpoch();
                }
                return state.activeProducers().size() + " producers";
            });
            step("listTransactions", () -> admin.listTransactions().all().get().size());
            step("describeTransactions", () -> admin.describeTransactions(List.of(txnId)).all().get().size());
            // No transaction is open for that producer: the broker answers with an error, still
            // a WriteTxnMarkers exchange the client started.
            step("abortTransaction", () -> {
                admin.abortTransaction(new AbortTransactionSpec(a0, producerId[0], producerEpoch[0], 0)).all().get();
                return "aborted";
            });
            step("fenceProducers", () -> {
                admin.fenceProducers(List.of(txnId)).all().get();
                return "fenced";
            });

            step("alterUserScramCredentials", () -> {
                admin.alterUserScramCredentials(List.of(
                    new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192),
                        "golden-secret"),
                    // One alteration per user and request (else DuplicateResourceException), and
                    // deleting a credential that does not exist fails: a second user.
                    new UserScramCredentialUpsertion(user + "2", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                        "golden-secret"))).all().get();
                return "altered";
            });
            step("describeUserScramCredentials", () ->
                admin.describeUserScramCredentials(List.of(user, user + "2")).all().get().size());

            ClientQuotaEntity quotaEntity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, p + "-client"));
            step("alterClientQuotas", () -> {
                admin.alterClientQuotas(List.of(new ClientQuotaAlteration(quotaEntity,
                    List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 1048576.0))))).all().get();
                return "altered";
            });
            step("describeClientQuotas", () -> admin.describeClientQuotas(ClientQuotaFilter.all()).entities().get().size());
            step("describeFeatures", () -> admin.describeFeatures().featureMetadata().get().finalizedFeatures().size());
            step("describeMetadataQuorum", () -> admin.describeMetadataQuorum().quorumInfo().get().leaderId());
            step("listConfigResources", () -> admin.listConfigResources().all().get().size());
            // ListConfigResources v0 (ListClientMetricsResources before KIP-1142) lists client
            // metrics resources only: the call above needs v1.
            step("listClientMetricsResources", () -> admin.listConfigResources(
                Set.of(ConfigResource.Type.CLIENT_METRICS), new org.apache.kafka.clients.admin.ListConfigResourcesOptions())
                .all().get().size());

            step("deleteTopics", () -> {
                admin.deleteTopics(List.of(topicA, topicB)).all().get();
                return "deleted";
            });
        }
        Json.emit(Json.obj("failures", failures));
    }

    /** Joins `group` with the given group.protocol, reads a record and commits synchronously. */
    private static KafkaConsumer<byte[], byte[]> joinAndCommit(Args a, String group, String protocol, String topic) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
            "client.id", "kasio-golden-java-" + protocol, "group.id", group, "group.protocol", protocol,
            "auto.offset.reset", "earliest", "enable.auto.commit", "false",
            "default.api.timeout.ms", String.valueOf(CALL_MS)));
        if (protocol.equals("classic")) {
            config.put("heartbeat.interval.ms", "300");  // a Heartbeat while the group is described
        }
        KafkaConsumer<byte[], byte[]> c = Clients.consumer(a, config);
        try {
            c.subscribe(List.of(topic));
            long end = System.nanoTime() + CALL_MS * 1_000_000L;
            int read = 0;
            while (read == 0 && System.nanoTime() < end) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(200));
                read = records.count();
            }
            if (read == 0) {
                throw new PeerException("group " + group + " read no record in " + CALL_MS + " ms");
            }
            c.commitSync();
            return c;
        } catch (RuntimeException e) {
            c.close(Duration.ofMillis(CALL_MS));
            throw e;
        }
    }
}
