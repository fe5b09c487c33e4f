package dev.surprisal.drift;

import dev.surprisal.avro.ModelHealth;
import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.kafka.Clients;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelLease;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.SchemaRegistry;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.serde.JsonRecords;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Watches how each model version does on live traffic: every interval it takes the per-version
 * totals the scorer counts, figures them over the rolling window, compares them with what training
 * recorded, exports them as metrics and publishes them on the health topic. When retraining is on
 * and drift has held, it sends at most one fine-tune command per cooldown (whichever version drifted:
 * a new model needs time to be judged), the drift as its reason.
 * The command id is the same on every instance within a cooldown, so the trainer runs it once.
 */
public final class DriftWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DriftWatch.class);

    /** The latest figures of one version, as the gauges read them. */
    private record Figures(double bitsPerToken, double flagRate, double unknownRate, boolean drifting) {
    }

    private record Snapshot(Instant at, Map<String, ModelTotals> totals) {
    }

    private final DriftSettings settings;
    private final Supplier<Map<String, ModelTotals>> totals;
    private final MeterRegistry registry;
    private final ModelProvider models;
    private final String instance;
    private final String inputTopic;
    private final String commandsTopic;
    private final Producer<String, ModelHealth> health;
    private final Producer<String, TrainCommand> commands;
    private final boolean canRetrain;
    private final Clock clock;
    private final Consumer<ModelHealth> listener;
    private final Deque<Snapshot> snapshots = new ArrayDeque<>();
    private final Map<String, DriftJudge> judges = new HashMap<>();
    private final Map<String, DriftJudge.Baseline> baselines = new HashMap<>();
    /**
     * When this scorer last sent a drift command, for any version: the cooldown is the scorer's. A send
     * that fails gives the cooldown back, so the next drifted reading sends the command again.
     */
    private final AtomicReference<Instant> lastCommand = new AtomicReference<>();
    private final Map<String, Figures> latest = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "model-health-watch");
        t.setDaemon(true);
        return t;
    });

    /** Where the watch reports: the instance name, the topics, and the Kafka client settings. */
    public record Wiring(String instance, String inputTopic, String commandsTopic, Map<String, Object> clientProps,
                         SchemaRegistry registry) {
    }

    DriftWatch(DriftSettings settings, Supplier<Map<String, ModelTotals>> totals, MeterRegistry registry,
                     ModelProvider models, Wiring wiring, Clock clock, Consumer<ModelHealth> listener) {
        this(settings, totals, registry, models, wiring, clock, listener, producers(wiring));
    }

    /** The watch's two producers: health reports and train commands. */
    record Producers(Producer<String, ModelHealth> health, Producer<String, TrainCommand> commands) {
    }

    private static Producers producers(Wiring wiring) {
        Map<String, Object> props = Clients.durableProducer(wiring.clientProps());
        // without a registry (a scorer of JSON in and out) the reports are JSON, and no trainer can be asked
        return new Producers(new KafkaProducer<>(props, new StringSerializer(), wiring.registry() == null
                ? JsonRecords.serializer() : AvroSerdes.value(ModelHealth.class, wiring.registry()).serializer()),
                new KafkaProducer<>(props, new StringSerializer(),
                        AvroSerdes.value(TrainCommand.class, wiring.registry()).serializer()));
    }

    DriftWatch(DriftSettings settings, Supplier<Map<String, ModelTotals>> totals, MeterRegistry registry,
                     ModelProvider models, Wiring wiring, Clock clock, Consumer<ModelHealth> listener, Producers producers) {
        this.listener = listener;
        this.settings = settings;
        this.totals = totals;
        this.registry = registry;
        this.models = models;
        this.instance = wiring.instance();
        this.inputTopic = wiring.inputTopic();
        this.commandsTopic = wiring.commandsTopic();
        this.clock = clock;
        this.health = producers.health();
        this.commands = producers.commands();
        this.canRetrain = wiring.registry() != null;
        // the totals count from the scorer's start: opening at zero, events scored before the first look are in
        // the first window (with no opening, a burst scored before the first tick was never in any window)
        snapshots.addLast(new Snapshot(clock.instant(), Map.of()));
    }

    /**
     * Starts watching the per-version {@code totals} (the scorer's counters); figures are exported to
     * {@code registry} and each summary is also given to {@code listener}, the first one interval from now.
     */
    public static DriftWatch start(DriftSettings settings, Supplier<Map<String, ModelTotals>> totals,
                                         MeterRegistry registry, ModelProvider models, Wiring wiring,
                                         Consumer<ModelHealth> listener) {
        DriftWatch watch = new DriftWatch(settings, totals, registry, models, wiring, Clock.systemUTC(),
                listener);
        long every = settings.interval().toMillis();
        watch.timer.scheduleWithFixedDelay(watch::safeTick, every, every, TimeUnit.MILLISECONDS);
        return watch;
    }

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("the model health watch could not report: {}", e.toString());
        }
    }

    /** Takes the totals now and reports every version that scored in the window. */
    synchronized List<ModelHealth> tick() {
        Instant now = clock.instant();
        snapshots.addLast(new Snapshot(now, totals.get()));
        Instant windowStart = now.minus(settings.window());
        // keep the newest snapshot at or before the window's start: the window's opening totals
        while (snapshots.size() > 1) {
            Iterator<Snapshot> oldest = snapshots.iterator();
            oldest.next();
            if (oldest.next().at().isAfter(windowStart)) {
                break;
            }
            snapshots.removeFirst();
        }
        Snapshot first = snapshots.peekFirst();
        String serving = servingVersion();
        List<ModelHealth> reports = new java.util.ArrayList<>();
        for (Map.Entry<String, ModelTotals> e : snapshots.peekLast().totals().entrySet()) {
            String version = e.getKey();
            DriftJudge.Window w = difference(e.getValue(), first.totals().get(version));
            if (w.events() == 0) {
                continue;
            }
            ModelHealth report = report(version, version.equals(serving), first.at(), now, w);
            reports.add(report);
            listener.accept(report);
            health.send(new ProducerRecord<>(settings.topic(), version, report), (meta, error) -> {
                if (error != null) {
                    LOG.warn("cannot publish model health to {}: {}", settings.topic(), error.toString());
                }
            });
        }
        return reports;
    }

    private ModelHealth report(String version, boolean serving, Instant from, Instant now, DriftJudge.Window w) {
        DriftJudge.Baseline trained = baselines.getOrDefault(version,
                new DriftJudge.Baseline(Double.NaN, Double.NaN));
        DriftJudge.Reading reading = judges.computeIfAbsent(version, v -> new DriftJudge(settings)).judge(w, trained, now);
        Figures before = latest.put(version, new Figures(w.bitsPerToken(), w.flagRate(), w.unknownRate(),
                reading.drifting()));
        if (before == null) {
            registerGauges(version);
        }
        if (reading.drifting() && (before == null || !before.drifting())) {
            LOG.warn("model {} is drifting since {}: {}", version, reading.since(), String.join("; ", reading.reasons()));
        }
        String commandId = serving && reading.drifting() ? maybeRetrain(version, reading, now) : null;
        return ModelHealth.newBuilder()
                .setInstance(instance).setModelVersion(version).setServing(serving)
                .setWindowStart(from).setWindowEnd(now)
                .setEvents(w.events()).setTokens(w.tokens()).setBitsPerToken(w.bitsPerToken())
                .setTrainingBitsPerToken(trained.bitsPerToken()).setFlagRate(w.flagRate())
                .setExpectedFlagRate(trained.flagRate()).setUnknownRate(w.unknownRate())
                .setDrifting(reading.drifting()).setDriftingSince(reading.drifting() ? reading.since() : null)
                .setReasons(reading.reasons()).setTrainCommandId(commandId)
                .build();
    }

    private String maybeRetrain(String version, DriftJudge.Reading reading, Instant now) {
        Instant last = lastCommand.get();
        if (!settings.retrain() || !canRetrain || (last != null && now.isBefore(last.plus(settings.cooldown())))) {
            return null;
        }
        long bucket = now.toEpochMilli() / Math.max(1, settings.cooldown().toMillis());
        String id = "drift-" + version + "-" + bucket;
        TrainCommand command = driftCommand(id, reading, now);
        lastCommand.set(now);
        LOG.info("model {} drifted ({}); sending train command {}", version, command.getReason(), id);
        commands.send(new ProducerRecord<>(commandsTopic, id, command), (meta, error) -> {
            if (error != null) {
                // the trainer runs an id once: if the command arrived after all, a resend in this bucket is a duplicate
                lastCommand.compareAndSet(now, null);
                LOG.warn("cannot send the drift train command {}, sending it again on the next drifted reading: {}",
                        id, error.toString());
            }
        });
        return id;
    }

    /** A fine-tune on the traffic since the drift began, and the window that first showed it. */
    TrainCommand driftCommand(String id, DriftJudge.Reading reading, Instant now) {
        return TrainCommand.newBuilder().setCommandId(id).setTopic(inputTopic)
                .setFromTimestamp(reading.since().minus(settings.window())).setToTimestamp(now)
                .setFineTune(true).setExcludeFlagged(false).setReplayParentSample(settings.replay())
                .setExcludeLabels(settings.excludeLabels().isEmpty() ? null : settings.excludeLabels())
                .setPromotion(settings.shadow() ? PromotionPolicy.SHADOW : PromotionPolicy.AUTO_IF_BETTER)
                .setShadowEvents(settings.shadowEvents()).setPromotionMargin(settings.promotionMargin())
                .setReason("drift since " + reading.since() + ": " + String.join("; ", reading.reasons())).build();
    }

    private String servingVersion() {
        try (ModelLease lease = models.lease()) {
            LanguageModel model = lease.model();
            baselines.computeIfAbsent(model.version(), v -> baseline(model));
            return model.version();
        } catch (IllegalStateException noModelYet) {
            return null;
        }
    }

    private static DriftJudge.Baseline baseline(LanguageModel model) {
        double percentile = model.manifest().thresholdPercentile();
        double expected = percentile > 0 && percentile < 100 ? 1 - percentile / 100 : Double.NaN;
        return new DriftJudge.Baseline(model.manifest().metrics().validationBitsPerToken(), expected);
    }

    private static DriftJudge.Window difference(ModelTotals now, ModelTotals then) {
        if (then == null) {
            return new DriftJudge.Window(now.events(), now.tokens(), now.bits(), now.flagged(), now.unknown());
        }
        return new DriftJudge.Window(now.events() - then.events(), now.tokens() - then.tokens(),
                now.bits() - then.bits(), now.flagged() - then.flagged(), now.unknown() - then.unknown());
    }

    private void registerGauges(String version) {
        Gauge.builder("surprisal.health.bits.per.token", () -> figure(version).bitsPerToken())
                .description("Mean bits per token over the health window, by model version").tag("version", version)
                .register(registry);
        Gauge.builder("surprisal.health.flag.rate", () -> figure(version).flagRate())
                .description("Share of events flagged over the health window, by model version")
                .tag("version", version).register(registry);
        Gauge.builder("surprisal.health.unknown.rate", () -> figure(version).unknownRate())
                .description("Share of tokens unknown to the model over the health window, by model version")
                .tag("version", version).register(registry);
        Gauge.builder("surprisal.health.drifting", () -> figure(version).drifting() ? 1 : 0)
                .description("1 when the version's live figures have been past a drift bound for the hold time")
                .tag("version", version).register(registry);
    }

    private Figures figure(String version) {
        return latest.getOrDefault(version, new Figures(Double.NaN, 0, 0, false));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        health.close(Duration.ofSeconds(5));
        commands.close(Duration.ofSeconds(5));
    }
}
