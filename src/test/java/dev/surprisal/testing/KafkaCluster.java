package dev.surprisal.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Three KRaft nodes, each broker and controller, as child JVMs of the packaged jar's own Kafka classes
 * ({@code kafka.Kafka server.properties}), so that a test can SIGKILL one as a lost machine would and start it
 * again on its own log directory. Replication factor 3 and {@code min.insync.replicas=2} by default.
 */
public final class KafkaCluster implements AutoCloseable {

    public static final int NODES = 3;
    private static final Path JAR = Path.of("target", "surprisal.jar");

    private final Path dir;
    private final int[] brokerPorts = new int[NODES];
    private final int[] controllerPorts = new int[NODES];
    private final Process[] processes = new Process[NODES];
    private Path mounted;

    private KafkaCluster(Path dir) {
        this.dir = dir;
    }

    public static KafkaCluster start(Path dir) throws IOException, InterruptedException {
        return start(dir, 0, 0);
    }

    /**
     * Node {@code smallDiskNode}'s log directory on a tmpfs of {@code bytes}, a disk a test can fill (root only:
     * see {@link #canMount}); 0: none.
     */
    public static KafkaCluster start(Path dir, int smallDiskNode, long bytes) throws IOException, InterruptedException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: integration tests run after `package`");
        }
        KafkaCluster cluster = new KafkaCluster(dir);
        if (smallDiskNode > 0) {
            Path data = Files.createDirectories(cluster.dataDir(smallDiskNode));
            run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes, "tmpfs", data.toString()), dir.resolve("mount.log"));
            cluster.mounted = data;
        }
        for (int n = 0; n < NODES; n++) {
            cluster.brokerPorts[n] = FreePorts.any();
            cluster.controllerPorts[n] = FreePorts.any();
        }
        String clusterId = Uuid.randomUuid().toString();
        for (int n = 0; n < NODES; n++) {
            Path properties = cluster.writeProperties(n);
            run(List.of(java(), "-cp", JAR.toString(), "kafka.tools.StorageTool", "format", "-t", clusterId, "-c",
                    properties.toString(), "--ignore-formatted"), dir.resolve("format-" + n + ".log"));
        }
        for (int n = 0; n < NODES; n++) {
            cluster.startNode(n);
        }
        cluster.awaitNodes(NODES, Duration.ofSeconds(120));
        return cluster;
    }

    public String bootstrapServers() {
        StringBuilder out = new StringBuilder();
        for (int n = 0; n < NODES; n++) {
            out.append(n == 0 ? "" : ",").append("127.0.0.1:").append(brokerPorts[n]);
        }
        return out.toString();
    }

    /** SIGKILL the node whose id is {@code id} (1-based, as Kafka numbers them). */
    public void kill(int id) throws InterruptedException {
        Process p = processes[id - 1];
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + id + " survived SIGKILL for 30 s");
        }
    }

    /** Whether this process may mount a tmpfs (root, with the capability), for a disk a test can fill. */
    public static boolean canMount() {
        try {
            Path probe = Files.createTempDirectory("mount-probe");
            Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            boolean ok = mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0;
            if (ok) {
                new ProcessBuilder("umount", probe.toString()).start().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(probe);
            return ok;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Node {@code id}'s log directory. */
    public Path dataDir(int id) {
        return dir.resolve("data-" + id);
    }

    /** Waits until node {@code id}'s process has exited by itself; its exit code. */
    public int awaitExit(int id, Duration limit) throws InterruptedException {
        Process p = processes[id - 1];
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("node " + id + " still running after " + limit);
        }
        return p.exitValue();
    }

    /** SIGTERM: a controlled shutdown, as a rolling restart does it (leadership moves away first). */
    public void stop(int id) throws InterruptedException {
        Process p = processes[id - 1];
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + id + " did not stop within 60 s of SIGTERM");
        }
    }

    /** Waits until every partition of every topic has all its replicas in sync again, as an operator does between nodes. */
    public void awaitInSync(Duration limit) throws InterruptedException {
        List<String> behind = new ArrayList<>();
        try {
            inSync(limit, behind);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; out of sync: " + behind, e);
        }
    }

    private void inSync(Duration limit, List<String> behind) throws InterruptedException {
        Await.until("every replica in sync", limit, () -> {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000))) {
                var names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(5, TimeUnit.SECONDS);
                behind.clear();
                admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS).values().forEach(t ->
                        t.partitions().stream().filter(p -> p.isr().size() < p.replicas().size())
                                .forEach(p -> behind.add(t.name() + "-" + p.partition() + " isr " + p.isr().size())));
                return behind.isEmpty();
            }
        });
    }

    /** Starts a killed node again on its own log directory, and waits until the cluster has it back. */
    public void restart(int id) throws IOException, InterruptedException {
        startNode(id - 1);
        awaitNodes(NODES, Duration.ofSeconds(120));
    }

    private void startNode(int n) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(java(), "-Xmx384m", "-cp", JAR.toString(), "kafka.Kafka",
                dir.resolve("node-" + (n + 1) + ".properties").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node-" + (n + 1) + ".log").toFile()));
        processes[n] = builder.start();
    }

    private Path writeProperties(int n) throws IOException {
        StringBuilder voters = new StringBuilder();
        for (int v = 0; v < NODES; v++) {
            voters.append(v == 0 ? "" : ",").append(v + 1).append("@127.0.0.1:").append(controllerPorts[v]);
        }
        Path file = dir.resolve("node-" + (n + 1) + ".properties");
        Files.createDirectories(dir);
        Files.writeString(file, String.join("\n",
                "process.roles=broker,controller",
                "node.id=" + (n + 1),
                "controller.quorum.voters=" + voters,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPorts[n] + ",CONTROLLER://127.0.0.1:" + controllerPorts[n],
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPorts[n],
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dataDir(n + 1),
                "default.replication.factor=3",
                "min.insync.replicas=2",
                "offsets.topic.replication.factor=3",
                "transaction.state.log.replication.factor=3",
                "transaction.state.log.min.isr=2",
                "num.partitions=4",
                "group.initial.rebalance.delay.ms=0",
                "") + "\n");
        return file;
    }

    private void awaitNodes(int count, Duration limit) throws InterruptedException {
        Await.until(count + " brokers registered", limit, () -> {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000))) {
                return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == count;
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: see " + log);
        }
    }

    @Override
    public void close() throws InterruptedException {
        List<Process> alive = new ArrayList<>();
        for (Process p : processes) {
            if (p != null && p.isAlive()) {
                p.destroy();
                alive.add(p);
            }
        }
        for (Process p : alive) {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (mounted != null) {
            try {
                new ProcessBuilder("umount", mounted.toString()).start().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
