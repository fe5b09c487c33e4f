package dev.surprisal.ops;

import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.stream.DeadLetterWatch;
import dev.surprisal.stream.DependencyFaults;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScorerService;
import dev.surprisal.stream.ScorerTopics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

    private static final Logger LOG = LoggerFactory.getLogger(Health.class);

    private final ModelProvider models;
    private final String dlqTopic;
    /** The topics the scorer reads and writes: one deleted under it stops it, and nothing else would say so. */
    private final List<String> topics;
    /** Each topic's id when first seen: a new id is the same name created again. */
    private final Map<String, Uuid> topicIds = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile List<String> topicProblems = List.of();
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
        this.topics = ScorerTopics.all(config, 1, (short) 1).stream().map(NewTopic::name).toList();
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
            probeTopics();
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

    /**
     * Which of the scorer's topics the cluster no longer has, or has as a new topic of the same name (deleted and
     * created again: the committed offsets point into the old one); one line when that changes.
     */
    private void probeTopics() throws InterruptedException {
        List<String> missing = new ArrayList<>();
        List<String> recreated = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> e : admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                Uuid id = e.getValue().get(4, TimeUnit.SECONDS).topicId();
                Uuid first = topicIds.putIfAbsent(e.getKey(), id);
                if (first != null && !first.equals(id)) {
                    recreated.add(e.getKey());
                }
            } catch (ExecutionException ex) {
                if (ex.getCause() instanceof UnknownTopicOrPartitionException && topicIds.containsKey(e.getKey())) {
                    missing.add(e.getKey()); // one never seen was never made: not this probe's business
                }
                // anything else (not answered, not allowed to describe): the broker probe speaks for the first
            } catch (TimeoutException ex) {
                return;
            }
        }
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add("topic(s) " + String.join(", ", missing) + " were deleted under the running scorer");
        }
        if (!recreated.isEmpty()) {
            problems.add("topic(s) " + String.join(", ", recreated) + " were deleted and created again (a new topic id): "
                    + "the offsets committed on a topic the scorer reads point into the old one");
        }
        if (!problems.isEmpty()) {
            problems.add(TOPIC_ADVICE);
        }
        if (!problems.equals(topicProblems)) {
            if (problems.isEmpty()) {
                LOG.info("the scorer's topics are as they were at start");
            } else {
                LOG.warn(String.join("; ", problems));
            }
            topicProblems = List.copyOf(problems);
        }
    }

    private static final String TOPIC_ADVICE = "create them again if missing, stop the scorer, reset its offsets on them "
            + "to the earliest (kafka-consumer-groups --reset-offsets --to-earliest --group <application.id> --topic "
            + "<topic> --execute), and start it (docs/reference/topics.md, Restarts)";

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
        List<String> topicFaults = topicProblems;
        if (!topicFaults.isEmpty()) {
            problems.add(String.join("; ", topicFaults));
            reasons.add("topics-deleted");
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
