package dev.surprisal.embedded;

import dev.surprisal.kafka.Directories;
import dev.surprisal.kafka.TopicSetup;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) in this process,
 * listening on loopback only. Used by {@code demo} and by the integration tests.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final Path logDir;
    private final boolean temporary;
    private final int port;
    private final KafkaRaftServer server;

    private EmbeddedKafkaBroker(Path logDir, boolean temporary, int port, KafkaRaftServer server) {
        this.logDir = logDir;
        this.temporary = temporary;
        this.port = port;
        this.server = server;
    }

    /** Starts a broker with a temporary data directory, deleted on close. */
    public static EmbeddedKafkaBroker start(int port) throws IOException {
        return start(port, null);
    }

    /**
     * Starts a broker on {@code port} (0 picks a free one) and waits until it serves requests.
     * With a {@code dataDir}, topics and their data outlive the process: a later start on the same
     * directory finds them again.
     */
    public static EmbeddedKafkaBroker start(int port, Path dataDir) throws IOException {
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        Path logDir = dataDir != null ? Files.createDirectories(dataDir) : Files.createTempDirectory("surprisal-kafka-");
        requireUnused(logDir);
        Properties props = properties(logDir, brokerPort, controllerPort);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(logDir, props);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(logDir, dataDir == null, brokerPort, server);
        try {
            server.startup();
            broker.awaitReady();
            return broker;
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /**
     * Creates topics (existing ones are left alone) and waits until every partition has a leader:
     * producing before that can lose the first batch (KAFKA-15591).
     */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = admin()) {
            TopicSetup.ensure(admin, List.copyOf(topics), true);
            awaitLeaders(admin, topics.stream().map(NewTopic::name).toList());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    private static void awaitLeaders(Admin admin, List<String> names) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
                boolean ready = described.values().stream().flatMap(d -> d.partitions().stream())
                        .map(TopicPartitionInfo::leader).allMatch(l -> l != null && !l.isEmpty());
                if (ready) {
                    return;
                }
            } catch (ExecutionException e) {
                // metadata not propagated yet: retry until the deadline
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + names + " have no leader after " + READY_TIMEOUT);
            }
            Thread.sleep(20);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get().isEmpty()) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // not serving yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("embedded broker did not start within " + READY_TIMEOUT);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the broker", e);
        }
    }

    private static Properties properties(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        // Controlled shutdown hands leadership to other brokers; a single node has none, and waiting for
        // it stalls exit from a JVM shutdown hook.
        p.put("controlled.shutdown.enable", "false");
        p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        p.put("message.max.bytes", String.valueOf(16 * 1024 * 1024));
        return p;
    }

    private static void format(Path logDir, Properties props) throws IOException {
        Path config = Files.createTempFile("surprisal-kafka-", ".properties");
        try (var out = Files.newOutputStream(config)) {
            props.store(out, "embedded surprisal broker");
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int code;
        try (PrintStream print = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            code = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(),
                    "-c", config.toString()}, print);
        }
        Files.delete(config);
        if (code != 0) {
            throw new IllegalStateException("formatting the broker's storage failed: " + log.toString(StandardCharsets.UTF_8));
        }
    }

    /**
     * A directory another broker holds (a second demo on the same data directory) is refused at once,
     * in one line, instead of failing Kafka's own lock after its start-up.
     */
    private static void requireUnused(Path logDir) throws IOException {
        try (FileChannel lock = FileChannel.open(logDir.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock held = lock.tryLock();
            if (held == null) {
                throw new IllegalArgumentException(inUse(logDir));
            }
            held.release();
        } catch (OverlappingFileLockException e) {
            throw new IllegalArgumentException(inUse(logDir), e);
        }
    }

    private static String inUse(Path logDir) {
        return "the broker directory " + logDir + " is in use by another process (another demo?): stop it, or give "
                + "--data-dir another directory";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            if (temporary) {
                Directories.deleteRecursively(logDir);
            }
        }
    }

}
