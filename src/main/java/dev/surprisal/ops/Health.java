package dev.surprisal.ops;

import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.stream.DeadLetterWatch;
import dev.surprisal.stream.DependencyFaults;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Duration;
import java.time.Instant;
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
 * score with, the broker and the registry answering, and no stream thread dying over and over. A
 * large share of input going to the dead-letter topic is listed among the problems without making
 * the instance unready: the input is at fault, and a restart would not help.
 * Live means not stuck: Kafka Streams not dead, and a running instance with tasks keeps
 * punctuating. The broker and the registry are probed in the background, so a probe request never
 * waits on them.
 */
final class Health implements AutoCloseable {

    /** A verdict and, when it is no, every problem in words and each cause as a short label. */
    record Verdict(boolean ok, String state, List<String> problems, List<String> reasons) {
    }

    static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
    private static final String NO_ANSWER = "the Kafka cluster does not answer";
    /** Thread deaths within this window that make an instance not ready. */
    static final Duration CRASH_WINDOW = Duration.ofMinutes(5);
    static final int CRASHES_NOT_READY = 2;
    /** A running instance with tasks that has not punctuated for this long is stuck (max.poll.interval.ms's default). */
    static final Duration STUCK_AFTER = Duration.ofMinutes(5);
    private static final EnumSet<KafkaStreams.State> DEAD = EnumSet.of(KafkaStreams.State.ERROR,
            KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.NOT_RUNNING, KafkaStreams.State.PENDING_SHUTDOWN);

    private final ModelProvider models;
    private final String dlqTopic;
    private final Duration stallBound;
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
    private volatile SchemaRegistry.Fault registryFault;

    Health(ScorerConfig config, ModelProvider models, SchemaRegistry registry) {
        this.dlqTopic = config.dlqTopic();
        this.stallBound = config.readinessStall();
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
        ScorerService s = scorer;
        if (s != null) {
            s.metrics().outputStall().lag(s.inputLag(), System.currentTimeMillis());
        }
        try {
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes()
                    .get(4, TimeUnit.SECONDS).size();
            brokerProblem = nodes > 0 ? null : "the cluster reports no brokers";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            brokerProblem = NO_ANSWER;
        }
        if (registry == null) {
            registryProblem = null;
            return;
        }
        try {
            registry.check();
            registryProblem = null;
            registryFault = null;
        } catch (SchemaRegistry.RegistryUnavailableException e) {
            registryProblem = e.getMessage();
            registryFault = e.fault();
        } catch (RuntimeException e) {
            registryProblem = "the schema registry fails: " + e.getMessage();
            registryFault = SchemaRegistry.Fault.SERVER_ERROR;
        }
    }

    boolean clusterAnswers() {
        return !NO_ANSWER.equals(brokerProblem);
    }

    /** What the last probe of the registry found wrong, null if nothing. */
    SchemaRegistry.Fault registryFault() {
        return registryFault;
    }

    Verdict ready() {
        ScorerService s = scorer;
        List<String> problems = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        String state = s == null ? "STARTING" : s.streams().state().name();
        if (s == null) {
            problems.add("the scorer is starting");
            reasons.add("starting");
        } else if (s.streams().state() != KafkaStreams.State.RUNNING) {
            problems.add("Kafka Streams is " + state);
            reasons.add("streams-not-running");
        }
        try {
            models.current();
        } catch (RuntimeException e) {
            problems.add("no model to score with");
            reasons.add("no-model");
        }
        if (brokerProblem != null) {
            problems.add(brokerProblem);
            reasons.add("kafka-unavailable");
        }
        DependencyFaults.Fault held = s == null ? null : s.dependencies().current().orElse(null);
        if (held != null) {
            problems.add("input paused, " + s.dependencies().heldEvents() + " record(s) held since "
                    + Instant.ofEpochMilli(held.sinceMs()) + ": " + held.message());
            reasons.add(held.dependency() + "-" + held.reason());
        }
        String probed = registryProblem;
        SchemaRegistry.Fault fault = registryFault;
        if (probed != null && (held == null || !held.message().equals(probed))) {
            problems.add(probed);
            String reason = "schema-registry-" + (fault == null ? "unchecked" : fault.label());
            if (!reasons.contains(reason)) {
                reasons.add(reason);
            }
        }
        if (s != null) {
            int crashes = s.threadFailuresWithin(CRASH_WINDOW);
            if (crashes >= CRASHES_NOT_READY) {
                problems.add(crashes + " stream thread failures in the last " + CRASH_WINDOW.toMinutes() + " minutes");
                reasons.add("stream-thread-failures");
            }
        }
        boolean ok = problems.isEmpty();
        long stalled = s == null ? 0 : s.metrics().outputStall().stalledMs(System.currentTimeMillis());
        if (stalled > stallBound.toMillis()) {
            // the cluster's fault as a rule (transactions that cannot commit): shown, without getting the pod killed
            problems.add("input has waited " + stalled / 1000 + " s with no score written (" + s.inputLag()
                    + " records behind); see the cluster's controller and transaction coordinators");
            reasons.add("output-stalled");
        }
        // refused input is the input's fault, not the instance's: shown, but a restart would not help
        DeadLetterWatch.Summary refused = s == null ? null : s.metrics().deadLetterWatch().recent().orElse(null);
        if (refused != null && refused.problem()) {
            problems.add(refused.describe(dlqTopic));
            reasons.add("dead-letters-" + refused.code());
        }
        return new Verdict(ok, state, problems, reasons);
    }

    Verdict live() {
        ScorerService s = scorer;
        if (s == null) {
            return new Verdict(true, "STARTING", List.of(), List.of());
        }
        KafkaStreams.State state = s.streams().state();
        List<String> problems = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        if (DEAD.contains(state)) {
            problems.add("Kafka Streams is " + state);
            reasons.add("streams-dead");
        }
        Duration idle = s.sinceProgress();
        boolean paused = s.dependencies().current().isPresent();
        if (state == KafkaStreams.State.RUNNING && s.hasActiveTasks() && !paused && idle.compareTo(STUCK_AFTER) > 0) {
            problems.add("no progress for " + idle.toSeconds() + " s");
            reasons.add("stuck");
        }
        return new Verdict(problems.isEmpty(), state.name(), problems, reasons);
    }

    @Override
    public void close() {
        probes.shutdownNow();
        admin.close(Duration.ofMillis(500)); // a probe still waiting is of no use now
    }
}
