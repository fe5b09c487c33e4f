package dev.surprisal.shadow;

import dev.surprisal.avro.ModelRelease;
import dev.surprisal.avro.ShadowTrial;
import dev.surprisal.kafka.Directories;
import dev.surprisal.kafka.TopicSetup;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.release.ModelReleases;
import dev.surprisal.release.ReleaseLog;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerMetrics;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs the current shadow trial's candidate beside the scorer: the same topology under its own
 * application id, state directory and output topics, reading the input from the trial's start
 * (latest offsets), so it never touches what users consume. Follows {@code model-shadow}: starts
 * the candidate when a trial begins, stops it when the trial is decided or cancelled.
 */
public final class ShadowRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ShadowRunner.class);
    private static final Duration POLL = Duration.ofSeconds(2);

    private final ScorerConfig main;
    private final Map<String, Object> clientProps;
    private final SchemaRegistry registry;
    private final Thread thread;
    private final Set<String> failed = new HashSet<>();
    /** Counted down by close: wakes the follower between polls instead of interrupting a Kafka call. */
    private final CountDownLatch stopping = new CountDownLatch(1);
    private String runningVersion;
    private LanguageModel model;
    private ScorerService shadow;
    private Path stateDir;

    private ShadowRunner(ScorerConfig main, SchemaRegistry registry) {
        this.main = main;
        this.clientProps = main.clientProperties();
        this.registry = registry;
        this.thread = new Thread(this::follow, "shadow-runner");
        thread.setDaemon(true);
    }

    public static ShadowRunner start(ScorerConfig main, SchemaRegistry registry) {
        ShadowRunner runner = new ShadowRunner(main, registry);
        runner.thread.start();
        return runner;
    }

    private void follow() {
        while (stopping.getCount() > 0) {
            try {
                Optional<ShadowTrial> wanted = ShadowTrials.running(
                        ShadowTrials.read(clientProps, registry, main.releaseTopics()));
                String version = wanted.map(ShadowTrial::getCandidateVersion).orElse(null);
                if (version == null ? runningVersion != null : !version.equals(runningVersion)) {
                    stopShadow();
                    if (version != null && !failed.contains(version)) {
                        startShadow(wanted.get());
                    }
                }
                if (stopping.await(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("shadow runner: {}", e.toString());
            }
        }
    }

    private void startShadow(ShadowTrial trial) {
        String version = trial.getCandidateVersion();
        ModelRelease release = ReleaseLog.read(clientProps, registry, main.releaseTopics()).get(version);
        try {
            if (release == null) {
                throw new IllegalStateException("no release " + version);
            }
            model = ModelReleases.load(release);
            ScorerConfig config = configFor(main, trial);
            stateDir = Path.of(config.getString(ScorerConfig.STATE_DIR));
            try (Admin admin = Admin.create(config.clientProperties())) {
                // the trial made the candidate's outputs; the scorer's own topic is made here, as Streams makes its internal ones
                TopicSetup.ensure(admin, List.of(ScorerTopics.newTemplateClaims(config, (short) -1)), true);
            }
            shadow = ScorerService.start(config, ModelProvider.fixed(model), registry,
                    new ScorerMetrics(new SimpleMeterRegistry()), Duration.ofMinutes(2));
            runningVersion = version;
            LOG.info("scoring candidate {} in shadow, to {}", version, trial.getShadowTopic());
        } catch (Exception e) {
            failed.add(version);
            LOG.warn("cannot run candidate {} in shadow: {}", version, e.toString());
            stopShadow();
        }
    }

    private synchronized void stopShadow() {
        if (shadow != null) {
            shadow.close();
            LOG.info("stopped the shadow scorer of {}", runningVersion);
        }
        if (model != null) {
            model.close();
        }
        if (stateDir != null) {
            Directories.deleteRecursively(stateDir);
        }
        shadow = null;
        model = null;
        stateDir = null;
        runningVersion = null;
    }

    /** The scorer's settings for the candidate: its own application id, state and output topics; input from now on. */
    static ScorerConfig configFor(ScorerConfig main, ShadowTrial trial) {
        Map<String, Object> s = new HashMap<>(main.originals());
        String suffix = "-shadow-" + trial.getCandidateVersion();
        s.put(ScorerConfig.APPLICATION_ID, main.getString(ScorerConfig.APPLICATION_ID) + suffix);
        List<String> outputs = ShadowTrials.outputTopics(trial.getShadowTopic());
        s.put(ScorerConfig.OUTPUT_TOPIC, outputs.get(0));
        s.put(ScorerConfig.ANOMALIES_TOPIC, outputs.get(1));
        s.put(ScorerConfig.SUMMARIES_TOPIC, outputs.get(2));
        s.put(ScorerConfig.DLQ_TOPIC, outputs.get(3));
        s.put(ScorerConfig.LEARNED_TEMPLATES_TOPIC, outputs.get(4));
        s.put(ScorerConfig.STATE_DIR, Path.of(main.getString(ScorerConfig.STATE_DIR), "shadow" + suffix).toString());
        s.put(ScorerConfig.KAFKA_PREFIX + StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG),
                "latest");
        if (!main.getString(ScorerConfig.INSTANCE_ID).isEmpty()) {
            s.put(ScorerConfig.INSTANCE_ID, main.getString(ScorerConfig.INSTANCE_ID) + suffix);
        }
        return new ScorerConfig(s);
    }

    @Override
    public void close() {
        stopping.countDown();
        try {
            thread.join(Duration.ofSeconds(60).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopShadow();
    }
}
