package dev.surprisal.ops;

import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Liveness and readiness. Ready means able to make progress: Kafka Streams running, a model to
 * score with, the broker and the registry answering, and no stream thread dying over and over.
 * Live means not stuck: Kafka Streams not dead, and a running instance with tasks keeps
 * punctuating. The broker and the registry are probed in the background, so a probe request never
 * waits on them.
 */
final class Health implements AutoCloseable {

    /** A verdict and, when it is no, every reason. */
    record Verdict(boolean ok, String state, List<String> problems) {
    }

    static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
    /** Thread deaths within this window that make an instance not ready. */
    static final Duration CRASH_WINDOW = Duration.ofMinutes(5);
    static final int CRASHES_NOT_READY = 2;
    /** A running instance with tasks that has not punctuated for this long is stuck (max.poll.interval.ms's default). */
    static final Duration STUCK_AFTER = Duration.ofMinutes(5);
    private static final EnumSet<KafkaStreams.State> DEAD = EnumSet.of(KafkaStreams.State.ERROR,
            KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.NOT_RUNNING, KafkaStreams.State.PENDING_SHUTDOWN);

    private final ModelProvider models;
    private final SchemaRegistry registry;
    private final Admin admin;
    private final ScheduledExecutorService probes = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "health-probe");
        t.setDaemon(true);
        return t;
    });
    private volatile ScorerService scorer;
    private volatile String brokerProblem = "not probed yet";
    private volatile String registryProblem = "not probed yet";

    Health(ScorerConfig config, ModelProvider models, SchemaRegistry registry) {
        this.models = models;
        this.registry = registry;
        Map<String, Object> props = new HashMap<>(config.clientProperties());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
        this.admin = Admin.create(props);
        probes.scheduleWithFixedDelay(this::probe, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    void attach(ScorerService running) {
        this.scorer = running;
    }

    private void probe() {
        try {
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes()
                    .get(4, TimeUnit.SECONDS).size();
            brokerProblem = nodes > 0 ? null : "the cluster reports no brokers";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            brokerProblem = "the Kafka cluster does not answer";
        }
        if (registry == null) {
            registryProblem = null;
            return;
        }
        try {
            registry.subjects();
            registryProblem = null;
        } catch (RuntimeException e) {
            registryProblem = "the schema registry does not answer";
        }
    }

    Verdict ready() {
        ScorerService s = scorer;
        List<String> problems = new ArrayList<>();
        String state = s == null ? "STARTING" : s.streams().state().name();
        if (s == null) {
            problems.add("the scorer is starting");
        } else if (s.streams().state() != KafkaStreams.State.RUNNING) {
            problems.add("Kafka Streams is " + state);
        }
        try {
            models.current();
        } catch (RuntimeException e) {
            problems.add("no model to score with");
        }
        if (brokerProblem != null) {
            problems.add(brokerProblem);
        }
        if (registryProblem != null) {
            problems.add(registryProblem);
        }
        if (s != null) {
            int crashes = s.threadFailuresWithin(CRASH_WINDOW);
            if (crashes >= CRASHES_NOT_READY) {
                problems.add(crashes + " stream thread failures in the last " + CRASH_WINDOW.toMinutes() + " minutes");
            }
        }
        return new Verdict(problems.isEmpty(), state, problems);
    }

    Verdict live() {
        ScorerService s = scorer;
        if (s == null) {
            return new Verdict(true, "STARTING", List.of());
        }
        KafkaStreams.State state = s.streams().state();
        List<String> problems = new ArrayList<>();
        if (DEAD.contains(state)) {
            problems.add("Kafka Streams is " + state);
        }
        Duration idle = s.sinceProgress();
        if (state == KafkaStreams.State.RUNNING && s.hasActiveTasks() && idle.compareTo(STUCK_AFTER) > 0) {
            problems.add("no progress for " + idle.toSeconds() + " s");
        }
        return new Verdict(problems.isEmpty(), state.name(), problems);
    }

    @Override
    public void close() {
        probes.shutdownNow();
        admin.close(Duration.ofMillis(500)); // a probe still waiting is of no use now
    }
}
