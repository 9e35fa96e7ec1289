package kasio.peer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterClientQuotasOptions;
import org.apache.kafka.clients.admin.AlterUserScramCredentialsOptions;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClientQuotasOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeFeaturesOptions;
import org.apache.kafka.clients.admin.DescribeUserScramCredentialsOptions;
import org.apache.kafka.clients.admin.FeatureUpdate;
import org.apache.kafka.clients.admin.FinalizedVersionRange;
import org.apache.kafka.clients.admin.UpdateFeaturesOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;

import static kasio.peer.AdminTopics.get;
import static kasio.peer.AdminTopics.open;
import static kasio.peer.AdminTopics.opts;

/** Cluster-, group-, quota- and credential-level admin commands. */
final class AdminCluster {
    private AdminCluster() {}

    /** wait-brokers --count N: polls describeCluster until at least N brokers are registered. */
    static void waitBrokers(Args a) throws Exception {
        int want = a.intOpt("count", -1);
        if (want <= 0) {
            throw new PeerException("--count must be positive");
        }
        try (Admin admin = open(a)) {
            String last = "no answer yet";
            while (true) {
                try {
                    Collection<Node> nodes = get(admin.describeCluster(
                        opts(new DescribeClusterOptions(), a, 3000)).nodes(), a, "describing cluster");
                    List<Integer> ids = new ArrayList<>();
                    for (Node n : nodes) {
                        ids.add(n.id());
                    }
                    ids.sort(null);
                    if (ids.size() >= want) {
                        Json.emit(Json.obj("brokers", ids));
                        return;
                    }
                    last = "brokers " + ids;
                } catch (java.util.concurrent.ExecutionException e) {
                    last = Main.describe(e);
                }
                if (a.expired()) {
                    throw a.timeout("waiting for " + want + " brokers (" + last + ")");
                }
                Clients.sleep(250);
            }
        }
    }

    /**
     * set-feature --feature F --level N: finalizes feature F at level N (an upgrade or a safe
     * downgrade), then waits until the brokers describe it at N.
     */
    static void setFeature(Args a) throws Exception {
        String feature = a.req("feature");
        short level = (short) a.intOpt("level", -1);
        if (level < 0) {
            throw new PeerException("--level must be 0 or more");
        }
        try (Admin admin = open(a)) {
            short current = finalizedLevel(admin, a, feature);
            if (current != level) {
                FeatureUpdate.UpgradeType type =
                    level < current ? FeatureUpdate.UpgradeType.SAFE_DOWNGRADE : FeatureUpdate.UpgradeType.UPGRADE;
                get(admin.updateFeatures(Map.of(feature, new FeatureUpdate(level, type)),
                    opts(new UpdateFeaturesOptions(), a, 10000)).all(), a, "updating feature " + feature);
            }
            // Each broker applies the new level from the metadata log: ask until one says so
            // several times in a row (the calls reach different brokers).
            int agreeing = 0;
            while (agreeing < 6) {
                agreeing = finalizedLevel(admin, a, feature) == level ? agreeing + 1 : 0;
                if (a.expired()) {
                    throw a.timeout("waiting for " + feature + " at level " + level);
                }
                Clients.sleep(100);
            }
            Json.emit(Json.obj("feature", feature, "level", (int) level, "was", (int) current));
        }
    }

    static short finalizedLevel(Admin admin, Args a, String feature) throws Exception {
        Map<String, FinalizedVersionRange> finalized = get(admin.describeFeatures(
            opts(new DescribeFeaturesOptions(), a, 3000)).featureMetadata(), a, "describing features").finalizedFeatures();
        FinalizedVersionRange r = finalized.get(feature);
        return r == null ? 0 : r.maxVersionLevel();
    }

    /** set-quota: a negative rate removes that quota. */
    static void setQuota(Args a) throws Exception {
        Map<String, String> entityMap = new LinkedHashMap<>();
        if (a.has("user")) {
            entityMap.put(ClientQuotaEntity.USER, a.req("user"));
        }
        if (a.has("client-id")) {
            entityMap.put(ClientQuotaEntity.CLIENT_ID, a.req("client-id"));
        }
        if (entityMap.isEmpty()) {
            throw new PeerException("set-quota needs --client-id and/or --user");
        }
        Map<String, Double> want = new LinkedHashMap<>();
        List<ClientQuotaAlteration.Op> ops = new ArrayList<>();
        for (String opt : List.of("producer-byte-rate", "consumer-byte-rate")) {
            if (a.has(opt)) {
                long v = a.longOpt(opt, 0);
                String key = opt.replace('-', '_');
                Double value = v < 0 ? null : (double) v;
                ops.add(new ClientQuotaAlteration.Op(key, value));
                want.put(key, value);
            }
        }
        if (ops.isEmpty()) {
            throw new PeerException("set-quota needs --producer-byte-rate and/or --consumer-byte-rate");
        }
        ClientQuotaEntity entity = new ClientQuotaEntity(entityMap);
        try (Admin admin = open(a)) {
            get(admin.alterClientQuotas(List.of(new ClientQuotaAlteration(entity, ops)),
                opts(new AlterClientQuotasOptions(), a, Long.MAX_VALUE)).all(), a, "altering quotas");
            List<ClientQuotaFilterComponent> comps = new ArrayList<>();
            for (Map.Entry<String, String> e : entityMap.entrySet()) {
                comps.add(ClientQuotaFilterComponent.ofEntity(e.getKey(), e.getValue()));
            }
            // Wait until a broker reports the new values.
            while (true) {
                Map<ClientQuotaEntity, Map<String, Double>> all = get(admin.describeClientQuotas(
                    ClientQuotaFilter.containsOnly(comps), opts(new DescribeClientQuotasOptions(), a, 10000))
                    .entities(), a, "describing quotas");
                Map<String, Double> have = all.getOrDefault(entity, Map.of());
                boolean match = true;
                for (Map.Entry<String, Double> e : want.entrySet()) {
                    Double h = have.get(e.getKey());
                    if (e.getValue() == null ? h != null : !e.getValue().equals(h)) {
                        match = false;
                    }
                }
                if (match) {
                    Map<String, Object> quotas = new LinkedHashMap<>();
                    have.forEach((k, v) -> quotas.put(k, v == Math.rint(v) ? (Object) v.longValue() : v));
                    Json.emit(Json.obj("entity", entityMap, "quotas", quotas));
                    return;
                }
                if (a.expired()) {
                    throw a.timeout("quota not visible yet (have " + have + ", want " + want + ")");
                }
                Clients.sleep(100);
            }
        }
    }

    static void describeGroup(Args a) throws Exception {
        String group = a.req("group");
        try (Admin admin = open(a)) {
            ConsumerGroupDescription d = get(admin.describeConsumerGroups(List.of(group),
                opts(new DescribeConsumerGroupsOptions(), a, Long.MAX_VALUE)).all(), a, "describing group").get(group);
            List<Object> members = new ArrayList<>();
            for (MemberDescription m : d.members()) {
                List<Integer> parts = new ArrayList<>();
                for (TopicPartition tp : m.assignment().topicPartitions()) {
                    parts.add(tp.partition());
                }
                parts.sort(null);
                members.add(Json.obj("member_id", m.consumerId(), "client_id", m.clientId(),
                    "instance_id", m.groupInstanceId().orElse(null), "host", m.host(), "partitions", parts));
            }
            Json.emit(Json.obj("state", String.valueOf(d.groupState()),
                "type", String.valueOf(d.type()),
                "assignor", d.partitionAssignor(),
                "coordinator", d.coordinator() == null ? null : d.coordinator().id(),
                "members", members));
        }
    }

    /** One line per committed partition of the group: {"topic","partition","offset"}. */
    static void groupOffsets(Args a) throws Exception {
        String group = a.req("group");
        try (Admin admin = open(a)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = get(admin.listConsumerGroupOffsets(group,
                opts(new ListConsumerGroupOffsetsOptions(), a, Long.MAX_VALUE)).partitionsToOffsetAndMetadata(),
                a, "listing group offsets");
            List<TopicPartition> sorted = new ArrayList<>(offsets.keySet());
            sorted.sort((x, y) -> x.topic().equals(y.topic()) ? Integer.compare(x.partition(), y.partition())
                                                              : x.topic().compareTo(y.topic()));
            for (TopicPartition tp : sorted) {
                OffsetAndMetadata o = offsets.get(tp);
                if (o != null) {
                    Json.emit(Json.obj("topic", tp.topic(), "partition", tp.partition(), "offset", o.offset()));
                }
            }
        }
    }

    static void createScram(Args a) throws Exception {
        String user = a.req("user");
        String password = a.req("password");
        String mechName = a.opt("mechanism", "SCRAM-SHA-256");
        ScramMechanism mech = ScramMechanism.fromMechanismName(mechName);
        if (mech == ScramMechanism.UNKNOWN) {
            throw new PeerException("--mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512");
        }
        int iterations = a.intOpt("iterations", 4096);
        try (Admin admin = open(a)) {
            get(admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
                    user, new ScramCredentialInfo(mech, iterations), password)),
                opts(new AlterUserScramCredentialsOptions(), a, Long.MAX_VALUE)).all(), a, "creating SCRAM credential");
            // Wait until the credential is visible (it propagates through the metadata log).
            while (true) {
                try {
                    Map<String, UserScramCredentialsDescription> d = get(admin.describeUserScramCredentials(
                        List.of(user), opts(new DescribeUserScramCredentialsOptions(), a, 10000)).all(),
                        a, "describing SCRAM credentials");
                    UserScramCredentialsDescription u = d.get(user);
                    if (u != null && u.credentialInfos().stream().anyMatch(i -> i.mechanism() == mech)) {
                        Json.emit(Json.obj("user", user, "mechanism", mech.mechanismName(), "iterations", iterations));
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    // ResourceNotFoundException until the credential has propagated
                }
                if (a.expired()) {
                    throw a.timeout("SCRAM credential for " + user + " not visible yet");
                }
                Clients.sleep(100);
            }
        }
    }
}
