package kasio.peer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Builds producers/consumers: built-in defaults first, then every --config on top. */
final class Clients {
    private Clients() {}

    static Properties props(Args a, Map<String, Object> defaults) {
        Properties p = new Properties();
        p.putAll(defaults);
        p.putAll(a.clientProps());
        return p;
    }

    static KafkaProducer<byte[], byte[]> producer(Args a, Map<String, Object> defaults) {
        Properties p = props(a, defaults);
        p.putIfAbsent("max.block.ms", String.valueOf(Math.max(1000, a.remainingMs())));
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    static KafkaConsumer<byte[], byte[]> consumer(Args a, Map<String, Object> defaults) {
        Properties p = props(a, defaults);
        p.putIfAbsent("default.api.timeout.ms", String.valueOf(Math.max(1000, a.remainingMs())));
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /** Sorted partition ids of a topic; fails if the topic is unknown. */
    static List<Integer> partitions(KafkaConsumer<?, ?> c, String topic, Args a) {
        long end = System.nanoTime() + a.remainingMs() * 1_000_000L;
        while (true) {
            List<PartitionInfo> infos =
                c.partitionsFor(topic, Duration.ofMillis(Math.max(1, a.remainingMs())));
            if (infos != null && !infos.isEmpty()) {
                List<Integer> out = new ArrayList<>();
                for (PartitionInfo i : infos) {
                    out.add(i.partition());
                }
                out.sort(null);
                return out;
            }
            if (System.nanoTime() >= end) {
                throw a.timeout("topic '" + topic + "' has no partitions (does it exist?)");
            }
            sleep(200);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerException("interrupted");
        }
    }
}
