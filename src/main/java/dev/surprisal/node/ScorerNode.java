package dev.surprisal.node;

import dev.surprisal.avro.ModelHealth;
import dev.surprisal.drift.DriftWatch;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.ops.OpsServer;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ReleaseFollower;
import dev.surprisal.shadow.ShadowRunner;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerMetrics;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.admin.NewTopic;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One scorer node, assembled in one place for {@code score} and {@code demo}: the release follower
 * (or a fixed model), the ops server, the scorer, the drift watch and the shadow runner, started in
 * that order and closed in the reverse one. Without a registry (JSON in and out) it keeps to its
 * model: releases, shadow trials and drift commands go through a registry.
 */
public final class ScorerNode implements AutoCloseable {

    /**
     * What a node is made of. {@code initial} may be null when following releases: the node then waits
     * for a promoted one, telling {@code waiting} first.
     */
    public record Wiring(ScorerConfig config, SchemaRegistry registry, LanguageModel initial, boolean followReleases,
                         Consumer<LanguageModel> onSwitch, Consumer<ModelHealth> onHealth, Runnable waiting,
                         Duration startTimeout) {
    }

    private final ReleaseFollower follower;
    private final ModelProvider models;
    private OpsServer ops;
    private ScorerService scorer;
    private DriftWatch drift;
    private ShadowRunner shadow;

    private ScorerNode(ReleaseFollower follower, ModelProvider models) {
        this.follower = follower;
        this.models = models;
    }

    public static ScorerNode start(Wiring w, PrometheusMeterRegistry prometheus) throws Exception {
        boolean follow = w.followReleases() && w.registry() != null;
        ReleaseFollower follower = follow ? new ReleaseFollower(w.config().clientProperties(), w.registry(),
                w.config().releaseTopics(), w.initial(), w.onSwitch()) : null;
        ScorerNode node = new ScorerNode(follower, follower != null ? follower : ModelProvider.fixed(w.initial()));
        try {
            if (follower != null && w.initial() == null) {
                w.waiting().run();
                follower.awaitModel(Duration.ofDays(365));
            }
            ScorerConfig config = w.config();
            node.ops = OpsServer.start(config, node.models, prometheus, w.registry());
            node.scorer = ScorerService.start(config, node.models, w.registry(), new ScorerMetrics(prometheus),
                    w.startTimeout());
            ScorerMetrics metrics = node.scorer.metrics();
            node.drift = DriftWatch.start(config.drift(), metrics::modelTotals, metrics.registry(),
                    node.models, new DriftWatch.Wiring(config.getString(ScorerConfig.ADVERTISED_HOST) + ":"
                            + node.ops.port(), config.inputTopic(), config.releaseTopics().commands(),
                            config.clientProperties(), w.registry()), w.onHealth());
            node.shadow = follow ? ShadowRunner.start(config, w.registry()) : null;
            node.ops.attach(node.scorer);
            return node;
        } catch (Exception | Error e) {
            node.close();
            throw e;
        }
    }

    public ModelProvider models() {
        return models;
    }

    public int port() {
        return ops.port();
    }

    /**
     * The topics a node uses: the scorer's (input, outputs, dead letters, health), and, when it follows
     * releases, the model lifecycle's. {@code score} creates the missing ones on a cluster, the demo on
     * its own broker.
     */
    public static List<NewTopic> topics(ScorerConfig config, int partitions, short replication,
                                        boolean followsReleases) {
        List<NewTopic> topics = new ArrayList<>(ScorerTopics.all(config, partitions, replication));
        if (followsReleases) {
            topics.addAll(config.releaseTopics().all(replication));
        }
        return topics;
    }

    public ScorerService scorer() {
        return scorer;
    }

    @Override
    public void close() {
        // a cluster that stopped answering (the last probe said so) cannot take the last commit: no use waiting for it
        Duration wait = ops != null && !ops.clusterAnswers() ? Duration.ofSeconds(2) : ScorerService.CLOSE_TIMEOUT;
        AutoCloseable stopScorer = scorer == null ? null : () -> scorer.close(wait);
        // each part is closed even when an earlier one fails to close
        try (ReleaseFollower f = follower; OpsServer o = ops; AutoCloseable s = stopScorer; DriftWatch h = drift;
             ShadowRunner r = shadow) {
            // closed in reverse: shadow, drift watch, scorer, ops server, follower
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }
}
