package kasio.peer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.clients.admin.AlterConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.AlterConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DeleteConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.DeleteConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.DeleteConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DeleteConsumerGroupsResult;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsResult;
import org.apache.kafka.clients.admin.DescribeProducersOptions;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.DescribeTransactionsOptions;
import org.apache.kafka.clients.admin.DescribeTransactionsResult;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.MemberAssignment;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;

import static kasio.peer.AdminQuery.Outcome;
import static kasio.peer.AdminQuery.TP_ORDER;
import static kasio.peer.AdminQuery.await;
import static kasio.peer.AdminQuery.call;
import static kasio.peer.AdminQuery.lc;
import static kasio.peer.AdminQuery.names;
import static kasio.peer.AdminQuery.operations;
import static kasio.peer.AdminQuery.parseEnum;
import static kasio.peer.AdminQuery.parseInt;
import static kasio.peer.AdminQuery.parseLong;
import static kasio.peer.AdminQuery.requiredNames;
import static kasio.peer.AdminQuery.topicPartitions;
import static kasio.peer.AdminQuery.tpList;
import static kasio.peer.AdminQuery.withAdmin;
import static kasio.peer.AdminQuery.withError;
import static kasio.peer.AdminTopics.get;

/** admin-* commands about groups, their offsets, producers and transactions (see AdminQuery). */
final class AdminGroups {
    private AdminGroups() {}

    static void listGroups(Args a) throws Exception {
        ListGroupsOptions o = new ListGroupsOptions();
        if (a.has("types")) {
            Set<GroupType> types = new HashSet<>();
            for (String t : names(a, "types")) {
                types.add(parseEnum(GroupType.class, t, "--types"));
            }
            o = o.withTypes(types);
        }
        if (a.has("states")) {
            Set<GroupState> states = new HashSet<>();
            for (String s : names(a, "states")) {
                states.add(parseEnum(GroupState.class, s, "--states"));
            }
            o = o.inGroupStates(states);
        }
        if (a.has("protocol-types")) {
            o = o.withProtocolTypes(new HashSet<>(names(a, "protocol-types")));
        }
        ListGroupsOptions options = o;
        withAdmin(a, admin -> {
            List<GroupListing> groups = new ArrayList<>(get(admin.listGroups(call(options, a)).all(),
                a, "listing groups"));
            groups.sort(Comparator.comparing(GroupListing::groupId));
            for (GroupListing g : groups) {
                Json.emit(Json.obj("group_id", g.groupId(), "type", lc(g.type().orElse(null)),
                    "state", lc(g.groupState().orElse(null)), "protocol_type", g.protocol()));
            }
        });
    }

    static List<Object> assignmentJson(MemberAssignment m) {
        return m == null ? null : tpList(m.topicPartitions());
    }

    static void describeGroups(Args a) throws Exception {
        TreeSet<String> groups = new TreeSet<>(requiredNames(a, "groups"));
        boolean withOps = a.flag("authorized-operations");
        withAdmin(a, admin -> {
            DescribeConsumerGroupsResult r = admin.describeConsumerGroups(groups, call(
                new DescribeConsumerGroupsOptions().includeAuthorizedOperations(withOps), a));
            for (String g : groups) {
                Outcome<ConsumerGroupDescription> o = await(r.describedGroups().get(g), a, "describing group " + g);
                if (!o.ok()) {
                    Json.emit(withError(Json.obj("group_id", g), o.error()));
                    continue;
                }
                ConsumerGroupDescription d = o.value();
                List<MemberDescription> ms = new ArrayList<>(d.members());
                ms.sort(Comparator.comparing(MemberDescription::consumerId));
                List<Object> members = new ArrayList<>();
                for (MemberDescription m : ms) {
                    members.add(Json.obj("member_id", m.consumerId(), "instance_id", m.groupInstanceId().orElse(null),
                        "client_id", m.clientId(), "host", m.host(), "assignment", assignmentJson(m.assignment()),
                        "target_assignment", assignmentJson(m.targetAssignment().orElse(null)),
                        "member_epoch", m.memberEpoch().orElse(null)));
                }
                Map<String, Object> out = Json.obj("group_id", d.groupId(), "type", lc(d.type()),
                    "state", lc(d.groupState()),
                    // ConsumerGroupDescription carries no protocol type: "" for a simple (offsets-only)
                    // group, "consumer" otherwise.
                    "protocol_type", d.isSimpleConsumerGroup() ? "" : "consumer",
                    "assignor", d.partitionAssignor(),
                    "coordinator", d.coordinator() == null ? null : d.coordinator().id(),
                    "group_epoch", d.groupEpoch().orElse(null),
                    "target_assignment_epoch", d.targetAssignmentEpoch().orElse(null),
                    "members", members);
                if (withOps) {
                    out.put("authorized_operations", operations(d.authorizedOperations()));
                }
                Json.emit(out);
            }
        });
    }

    static void listGroupOffsets(Args a) throws Exception {
        String group = a.req("group");
        List<TopicPartition> only = topicPartitions(a, "partitions");
        withAdmin(a, admin -> {
            ListConsumerGroupOffsetsSpec spec = new ListConsumerGroupOffsetsSpec();
            if (!only.isEmpty()) {
                spec = spec.topicPartitions(only);
            }
            Map<TopicPartition, OffsetAndMetadata> m = get(admin.listConsumerGroupOffsets(Map.of(group, spec),
                call(new ListConsumerGroupOffsetsOptions().requireStable(a.flag("require-stable")), a))
                .partitionsToOffsetAndMetadata(group), a, "listing group offsets");
            List<TopicPartition> tps = new ArrayList<>(m.keySet());
            tps.sort(TP_ORDER);
            List<Object> offsets = new ArrayList<>();
            for (TopicPartition tp : tps) {
                OffsetAndMetadata o = m.get(tp);   // null: asked for, nothing committed
                offsets.add(Json.obj("topic", tp.topic(), "partition", tp.partition(),
                    "offset", o == null ? -1L : o.offset(),
                    "leader_epoch", o == null ? null : o.leaderEpoch().orElse(null),
                    "metadata", o == null ? null : o.metadata()));
            }
            Json.emit(Json.obj("group_id", group, "offsets", offsets));
        });
    }

    static void alterGroupOffsets(Args a) throws Exception {
        String group = a.req("group");
        String metadata = a.opt("metadata", "");
        Map<TopicPartition, OffsetAndMetadata> want = new TreeMap<>(TP_ORDER);
        for (String item : requiredNames(a, "offsets")) {
            String[] f = item.split(":");
            if (f.length < 3 || f.length > 4) {
                throw new PeerException("--offsets expects topic:partition:offset[:leader_epoch] items, got '" + item + "'");
            }
            Optional<Integer> epoch = f.length == 4 ? Optional.of(parseInt(f[3], "--offsets")) : Optional.empty();
            want.put(new TopicPartition(f[0], parseInt(f[1], "--offsets")),
                new OffsetAndMetadata(parseLong(f[2], "--offsets"), epoch, metadata));
        }
        withAdmin(a, admin -> {
            AlterConsumerGroupOffsetsResult r = admin.alterConsumerGroupOffsets(group, want,
                call(new AlterConsumerGroupOffsetsOptions(), a));
            for (TopicPartition tp : want.keySet()) {
                Outcome<Void> o = await(r.partitionResult(tp), a, "altering group offsets");
                Map<String, Object> line = Json.obj("group_id", group, "topic", tp.topic(), "partition", tp.partition());
                Json.emit(o.ok() ? line : withError(line, o.error()));
            }
        });
    }

    static void deleteGroupOffsets(Args a) throws Exception {
        String group = a.req("group");
        TreeSet<TopicPartition> tps = new TreeSet<>(TP_ORDER);
        tps.addAll(topicPartitions(a, "partitions"));
        if (tps.isEmpty()) {
            throw new PeerException("missing required option --partitions");
        }
        withAdmin(a, admin -> {
            DeleteConsumerGroupOffsetsResult r = admin.deleteConsumerGroupOffsets(group, tps,
                call(new DeleteConsumerGroupOffsetsOptions(), a));
            for (TopicPartition tp : tps) {
                Outcome<Void> o = await(r.partitionResult(tp), a, "deleting group offsets");
                Map<String, Object> line = Json.obj("group_id", group, "topic", tp.topic(), "partition", tp.partition());
                Json.emit(o.ok() ? line : withError(line, o.error()));
            }
        });
    }

    static void deleteGroups(Args a) throws Exception {
        TreeSet<String> groups = new TreeSet<>(requiredNames(a, "groups"));
        withAdmin(a, admin -> {
            DeleteConsumerGroupsResult r = admin.deleteConsumerGroups(groups,
                call(new DeleteConsumerGroupsOptions(), a));
            for (String g : groups) {
                Outcome<Void> o = await(r.deletedGroups().get(g), a, "deleting group " + g);
                Map<String, Object> line = Json.obj("group_id", g);
                Json.emit(o.ok() ? line : withError(line, o.error()));
            }
        });
    }

    static void describeProducers(Args a) throws Exception {
        String topic = a.req("topic");
        boolean timestamps = a.flag("timestamps");
        withAdmin(a, admin -> {
            List<Integer> parts = AdminQuery.partitionsOf(admin, a, topic);
            List<TopicPartition> tps = new ArrayList<>();
            for (int p : new TreeSet<>(parts)) {
                tps.add(new TopicPartition(topic, p));
            }
            DescribeProducersOptions o = new DescribeProducersOptions();
            if (a.has("broker-id")) {
                o = o.brokerId(a.intOpt("broker-id", -1));
            }
            DescribeProducersResult r = admin.describeProducers(tps, call(o, a));
            for (TopicPartition tp : tps) {
                Outcome<PartitionProducerState> st = await(r.partitionResult(tp), a, "describing producers");
                Map<String, Object> line = Json.obj("topic", tp.topic(), "partition", tp.partition());
                if (!st.ok()) {
                    Json.emit(withError(line, st.error()));
                    continue;
                }
                List<ProducerState> ps = new ArrayList<>(st.value().activeProducers());
                ps.sort(Comparator.comparingLong(ProducerState::producerId));
                List<Object> producers = new ArrayList<>();
                for (ProducerState p : ps) {
                    Map<String, Object> m = Json.obj("producer_id", p.producerId(), "producer_epoch", p.producerEpoch(),
                        "last_sequence", p.lastSequence(),
                        "coordinator_epoch", p.coordinatorEpoch().isPresent() ? p.coordinatorEpoch().getAsInt() : null,
                        "current_txn_start_offset", p.currentTransactionStartOffset().isPresent()
                            ? p.currentTransactionStartOffset().getAsLong() : null);
                    if (timestamps) {
                        m.put("last_timestamp", p.lastTimestamp());
                    }
                    producers.add(m);
                }
                line.put("producers", producers);
                Json.emit(line);
            }
        });
    }

    static void listTransactions(Args a) throws Exception {
        ListTransactionsOptions o = new ListTransactionsOptions();
        if (a.has("states")) {
            List<TransactionState> states = new ArrayList<>();
            for (String s : names(a, "states")) {
                states.add(parseEnum(TransactionState.class, s, "--states"));
            }
            o = o.filterStates(states);
        }
        if (a.has("producer-ids")) {
            List<Long> ids = new ArrayList<>();
            for (String s : names(a, "producer-ids")) {
                ids.add(parseLong(s, "--producer-ids"));
            }
            o = o.filterProducerIds(ids);
        }
        if (a.has("duration-ms")) {
            o = o.filterOnDuration(a.longOpt("duration-ms", 0));
        }
        if (a.has("pattern")) {
            o = o.filterOnTransactionalIdPattern(a.req("pattern"));
        }
        ListTransactionsOptions options = o;
        withAdmin(a, admin -> {
            List<TransactionListing> txns = new ArrayList<>(get(admin.listTransactions(
                call(options, a)).all(), a, "listing transactions"));
            txns.sort(Comparator.comparing(TransactionListing::transactionalId));
            for (TransactionListing t : txns) {
                Json.emit(Json.obj("transactional_id", t.transactionalId(), "producer_id", t.producerId(),
                    "state", lc(t.state())));
            }
        });
    }

    static void describeTransactions(Args a) throws Exception {
        TreeSet<String> ids = new TreeSet<>(requiredNames(a, "ids"));
        boolean timestamps = a.flag("timestamps");
        withAdmin(a, admin -> {
            DescribeTransactionsResult r = admin.describeTransactions(ids,
                call(new DescribeTransactionsOptions(), a));
            for (String id : ids) {
                Outcome<TransactionDescription> o = await(r.description(id), a, "describing transaction " + id);
                Map<String, Object> line = Json.obj("transactional_id", id);
                if (!o.ok()) {
                    Json.emit(withError(line, o.error()));
                    continue;
                }
                TransactionDescription d = o.value();
                line.put("producer_id", d.producerId());
                line.put("producer_epoch", d.producerEpoch());
                line.put("state", lc(d.state()));
                line.put("coordinator", d.coordinatorId());
                line.put("timeout_ms", d.transactionTimeoutMs());
                line.put("partitions", tpList(d.topicPartitions()));
                if (timestamps) {
                    line.put("start_time_ms", d.transactionStartTimeMs().isPresent()
                        ? d.transactionStartTimeMs().getAsLong() : null);
                }
                Json.emit(line);
            }
        });
    }
}
