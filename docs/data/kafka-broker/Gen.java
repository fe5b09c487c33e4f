import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.*;
import java.util.*;
public class Gen {
    public static void main(String[] a) throws Exception {
        Map<String,Object> c = Map.of("bootstrap.servers", "localhost:39092");
        try (Admin admin = Admin.create(c)) {
            for (int i = 0; i < 6; i++) {
                admin.createTopics(List.of(new NewTopic(a[0] + "-" + i, 1 + i % 4, (short) 1).configs(Map.of("cleanup.policy", i % 2 == 0 ? "compact" : "delete", "segment.bytes", "1048576")))).all().get();
            }
            admin.createPartitions(Map.of(a[0] + "-1", NewPartitions.increaseTo(6))).all().get();
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, a[0] + "-2"), List.of(new AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry("retention.ms", "60000"), AlterConfigOp.OpType.SET)))).all().get();
            Map<String,Object> p = new HashMap<>(c); p.put("transactional.id", "tx-" + a[0]); p.put("key.serializer", StringSerializer.class); p.put("value.serializer", StringSerializer.class);
            try (KafkaProducer<String,String> prod = new KafkaProducer<>(p)) {
                prod.initTransactions();
                for (int t = 0; t < 20; t++) {
                    prod.beginTransaction();
                    for (int i = 0; i < 2000; i++) prod.send(new ProducerRecord<>(a[0] + "-" + (i % 6), "k" + (i % 50), "value " + t + " " + i + " " + "x".repeat(i % 200)));
                    if (t % 5 == 4) prod.abortTransaction(); else prod.commitTransaction();
                }
            }
            Map<String,Object> cc = new HashMap<>(c); cc.put("group.id", "reader-" + a[0]); cc.put("key.deserializer", StringDeserializer.class); cc.put("value.deserializer", StringDeserializer.class); cc.put("auto.offset.reset", "earliest"); cc.put("isolation.level", "read_committed");
            try (KafkaConsumer<String,String> cons = new KafkaConsumer<>(cc)) {
                cons.subscribe(List.of("stream-0", a[0] + "-1", "stream-3"));
                long n = 0; for (int i = 0; i < 20; i++) n += cons.poll(java.time.Duration.ofMillis(300)).count();
                cons.commitSync();
                System.out.println("read " + n);
            }
            admin.deleteTopics(List.of(a[0] + "-4", a[0] + "-5")).all().get();
            admin.deleteConsumerGroups(List.of("reader-" + a[0])).all().get();
        }
    }
}
