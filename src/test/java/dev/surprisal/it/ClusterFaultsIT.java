package dev.surprisal.it;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.it.FaultRuns.Gaps;
import dev.surprisal.it.FaultRuns.ScoreReader;
import dev.surprisal.kafka.TopicSetup;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.registry.SchemaRegistryServer;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerTopics;
import dev.surprisal.testing.Await;
import dev.surprisal.testing.IsolatedScorer;
import dev.surprisal.testing.KafkaCluster;
import dev.surprisal.testing.ScorerProcess;
import dev.surprisal.testing.TestClients;
import dev.surprisal.testing.TinyModelExtension;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.surprisal.it.FaultRuns.WAIT;
import static dev.surprisal.it.FaultRuns.assertScoredOnce;
import static dev.surprisal.it.FaultRuns.traffic;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Faults of a three-node KRaft cluster (each node broker and controller, child JVMs of the jar's own Kafka classes;
 * replication 3, min.insync.replicas 2, the scorer's internal topics at 3) under a running scorer fed 100 events a
 * second: nodes killed, a rolling restart, a broker's disk full. Every event is scored once, with the scores an
 * uninterrupted run gives; each scenario prints the longest wait between scores.
 */
@Tag("integration")
@Timeout(300)
@ExtendWith(TinyModelExtension.class)
class ClusterFaultsIT {

    private static final int SESSIONS = 150;
    private static final short REPLICATION = 3;

    private final LanguageModel model;
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private String bootstrap;
    private SchemaRegistryServer registryServer;
    @TempDir
    Path dir;

    ClusterFaultsIT(LanguageModel shared) {
        this.model = shared;
    }

    @BeforeEach
    void start() throws IOException {
        registryServer = SchemaRegistryServer.start(registry, "127.0.0.1", 0);
        ModelArtifact.save(model, dir.resolve("model"));
    }

    @AfterEach
    void stop() {
        registryServer.close();
    }

    /**
     * A three-node KRaft cluster (replication 3, min.insync.replicas 2, the scorer's internal topics at 3). Under a
     * running scorer fed 100 events a second, one node after another is killed with SIGKILL and started again 15
     * seconds later: the leader
     * of the input's partition 0, the active controller, and the coordinator of the scorer's transactions. Every
     * event is scored once, as if uninterrupted; each kill's stall (the longest wait between new scores) is printed.
     */
    @Test
    void nodesKilledOnAThreeNodeClusterLoseAndRepeatNothing() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("cluster"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            bootstrap = cluster.bootstrapServers();
            ScorerConfig config = config("cluster");
            List<TextEvent> events = traffic(13, SESSIONS, 48); // 7,200 events, published at 100 a second: 72 s of flow
            Map<String, ScoredEvent> scored = new LinkedHashMap<>();
            int duplicates = 0;
            List<String> kills = new ArrayList<>();
            Thread publisher = TestClients.paced(bootstrap, registry, config.inputTopic(), events, 100);
            try (ScorerProcess scorer = scorer(config, "cluster-1"); ScoreReader reader = new ScoreReader(bootstrap, registry, config)) {
                duplicates += reader.readUntil(scored, n -> n >= events.size() / 4, scorer);
                int leader = admin.describeTopics(List.of(config.inputTopic())).allTopicNames().get()
                        .get(config.inputTopic()).partitions().get(0).leader().id();
                duplicates += killAndRestart(cluster, leader, "input leader", reader, scored, events.size(), scorer, kills);
                duplicates += reader.readUntil(scored, n -> n >= events.size() / 2, scorer);
                int controller = admin.describeMetadataQuorum().quorumInfo().get().leaderId();
                duplicates += killAndRestart(cluster, controller, "controller", reader, scored, events.size(), scorer, kills);
                duplicates += reader.readUntil(scored, n -> n >= events.size() * 3 / 4, scorer);
                int coordinator = transactionCoordinator(config.getString(ScorerConfig.APPLICATION_ID));
                duplicates += killAndRestart(cluster, coordinator, "transaction coordinator", reader, scored, events.size(), scorer, kills);
                duplicates += reader.readUntil(scored, n -> n >= events.size(), scorer);
            } finally {
                publisher.interrupt();
                publisher.join(10_000);
            }
            assertScoredOnce("3 nodes", kills, model, events, scored, duplicates);
        }
    }

    /**
     * A rolling restart of the three nodes under a running scorer fed 100 events a second: each stopped with SIGTERM
     * (a controlled shutdown), started again, and the next one only once every replica is back in sync, as an
     * operator upgrading the cluster does it. Every event is scored once, as if uninterrupted.
     */
    @Test
    void aRollingRestartOfTheThreeNodesLosesAndRepeatsNothing() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("cluster"))) {
            bootstrap = cluster.bootstrapServers();
            ScorerConfig config = config("rolling");
            List<TextEvent> events = traffic(29, SESSIONS, 44); // 6,600 events at 100 a second: every restart under flow
            Map<String, ScoredEvent> scored = new LinkedHashMap<>();
            int duplicates = 0;
            List<String> restarts = new ArrayList<>();
            Thread publisher = TestClients.paced(bootstrap, registry, config.inputTopic(), events, 100);
            try (ScorerProcess scorer = scorer(config, "rolling-1"); ScoreReader reader = new ScoreReader(bootstrap, registry, config)) {
                duplicates += reader.readUntil(scored, n -> n >= events.size() / 12, scorer);
                for (int node = 1; node <= KafkaCluster.NODES; node++) {
                    Gaps gaps = new Gaps(scored.size());
                    long start = System.nanoTime();
                    int id = node;
                    CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> {
                        try {
                            cluster.stop(id);
                            cluster.restart(id);
                            cluster.awaitInSync(WAIT);
                        } catch (IOException | InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    duplicates += reader.readUntil(scored, n -> gaps.note(n) && restart.isDone(), scorer);
                    restart.join();
                    restarts.add("node " + node + " back in sync after " + (System.nanoTime() - start) / 1_000_000
                            + " ms, longest wait between scores meanwhile " + gaps.longestMillis() + " ms");
                }
                duplicates += reader.readUntil(scored, n -> n >= events.size(), scorer);
            } finally {
                publisher.interrupt();
                publisher.join(10_000);
            }
            assertScoredOnce("rolling restart", restarts, model, events, scored, duplicates);
        }
    }

    /**
     * A broker's disk full under a running scorer fed 100 events a second: node 3's log directory is a 48 MB tmpfs,
     * filled by another writer. The broker fails its only log directory and stops; the other two carry on
     * (replication 3, min.insync.replicas 2). Space is freed and the node started again. Every event is scored once.
     */
    @Test
    void aBrokersDiskFullUnderARunningScorerLosesAndRepeatsNothing() throws Exception {
        assumeTrue(KafkaCluster.canMount(), "skipped: no tmpfs can be mounted here (not root) for a disk to fill");
        try (KafkaCluster cluster = KafkaCluster.start(dir.resolve("cluster"), 3, 48L << 20)) {
            bootstrap = cluster.bootstrapServers();
            ScorerConfig config = config("disk");
            List<TextEvent> events = traffic(37, SESSIONS, 30); // 4,500 events at 100 a second
            Map<String, ScoredEvent> scored = new LinkedHashMap<>();
            int duplicates = 0;
            List<String> steps = new ArrayList<>();
            Thread publisher = TestClients.paced(bootstrap, registry, config.inputTopic(), events, 100);
            Path filler = cluster.dataDir(3).resolve("filler");
            try (ScorerProcess scorer = scorer(config, "disk-1"); ScoreReader reader = new ScoreReader(bootstrap, registry, config)) {
                duplicates += reader.readUntil(scored, n -> n >= events.size() / 6, scorer);
                long filled = System.nanoTime();
                fill(filler);
                Gaps gaps = new Gaps(scored.size());
                CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                    try {
                        return cluster.awaitExit(3, WAIT);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                duplicates += reader.readUntil(scored, n -> gaps.note(n) && exit.isDone(), scorer);
                steps.add("node 3's disk full: it stopped (exit " + exit.join() + ") after "
                        + (System.nanoTime() - filled) / 1_000_000 + " ms");
                int upTo = scored.size() + events.size() / 6;
                duplicates += reader.readUntil(scored, n -> gaps.note(n) && n >= Math.min(upTo, events.size()), scorer);
                steps.add("longest wait between scores " + gaps.longestMillis() + " ms");
                Files.delete(filler);
                cluster.restart(3);
                cluster.awaitInSync(WAIT);
                duplicates += reader.readUntil(scored, n -> n >= events.size(), scorer);
            } finally {
                publisher.interrupt();
                publisher.join(10_000);
            }
            assertScoredOnce("disk full", steps, model, events, scored, duplicates);
        }
    }

    /** Writes {@code file} until its file system has no space left. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[1 << 20];
        try (var out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("space")) {
                throw full;
            }
        }
    }

    /** The node coordinating the scorer's transactions, asked of a fresh client (one that saw nodes die can fail it). */
    private int transactionCoordinator(String app) throws Exception {
        int[] found = {-1};
        Await.until("the scorer's transaction coordinator", WAIT, () -> {
            try (Admin fresh = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                List<String> ids = fresh.listTransactions().all().get().stream().map(t -> t.transactionalId())
                        .filter(id -> id.startsWith(app)).toList();
                found[0] = fresh.describeTransactions(ids).all().get().values().iterator().next().coordinatorId();
                return true;
            } catch (java.util.concurrent.ExecutionException | java.util.NoSuchElementException e) {
                return false;
            }
        });
        return found[0];
    }

    /** SIGKILL a node, wait for the next score, keep it down ten seconds, start it again; says the stall. */
    private static int killAndRestart(KafkaCluster cluster, int node, String role, ScoreReader reader,
                                      Map<String, ScoredEvent> scored, int total, ScorerProcess scorer, List<String> kills)
            throws Exception {
        cluster.kill(node);
        long killed = System.nanoTime();
        int before = scored.size();
        // the longest wait between new scores over the 15 s after the kill, input flowing all along: scores in flight
        // when the node died come at once, and the stall is the gap after them
        Gaps gaps = new Gaps(scored.size());
        int duplicates = reader.readUntil(scored, n -> gaps.note(n) && (n >= total
                || (System.nanoTime() - killed > 15_000_000_000L && gaps.sinceLastNanos() < 1_000_000_000L)), scorer);
        cluster.restart(node); // down 15 s, as a machine's reboot would be
        kills.add(role + " (node " + node + "): longest wait for a score " + gaps.longestMillis() + " ms");
        return duplicates;
    }

    private ScorerConfig config(String name) {
        ScorerConfig config = new ScorerConfig(IsolatedScorer.settings(bootstrap, "cluster-" + name));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicSetup.ensure(admin, ScorerTopics.all(config, 4, REPLICATION), true);
        }
        return config;
    }

    private ScorerProcess scorer(ScorerConfig config, String log) throws IOException {
        return ScorerProcess.start(dir.resolve(log + ".log"), FaultRuns.scorerArguments(dir, config, "a", bootstrap,
                REPLICATION, registryServer.url(), Map.of()));
    }
}
