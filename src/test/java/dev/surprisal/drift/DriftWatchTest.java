package dev.surprisal.drift;

import dev.surprisal.avro.ModelHealth;
import dev.surprisal.avro.PromotionPolicy;
import dev.surprisal.avro.TrainCommand;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.testing.TinyModelExtension;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The watch's figures over its window, drift only once a bound has held, one command per cooldown. */
@ExtendWith(TinyModelExtension.class)
class DriftWatchTest {

    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
    private static final DriftSettings SETTINGS = new DriftSettings("health", Duration.ofMinutes(1),
            Duration.ofMinutes(5), 100, 1.5, 0.05, 0.05, Duration.ofMinutes(3), true, Duration.ofMinutes(30), 0.02, true, true, 200,
            Map.of("anomalous", "1"));

    private final LanguageModel model;
    private final AtomicReference<Map<String, ModelTotals>> totals = new AtomicReference<>(Map.of());
    private final MutableClock clock = new MutableClock();

    DriftWatchTest(LanguageModel shared) {
        this.model = shared;
    }

    private final MockProducer<String, TrainCommand> commands = new MockProducer<>(true, null, new StringSerializer(),
            (topic, command) -> new byte[0]);

    private DriftWatch watch() {
        return watch(commands);
    }

    /** Health reports and commands go to mock producers; {@code sent} completes its sends as told. */
    private DriftWatch watch(MockProducer<String, TrainCommand> sent) {
        return new DriftWatch(SETTINGS, totals::get, new SimpleMeterRegistry(), ModelProvider.fixed(model),
                new DriftWatch.Wiring("here:8080", "text-events", "trainer-commands", Map.of(),
                        new InMemorySchemaRegistry()), clock, h -> { },
                new DriftWatch.Producers(new MockProducer<>(true, null, new StringSerializer(),
                        (topic, health) -> new byte[0]), sent));
    }

    /** Adds a minute of traffic: {@code events} events of 10 tokens, {@code flagged} of them flagged. */
    private void minute(long events, long flagged) {
        ModelTotals before = totals.get().getOrDefault(model.version(), new ModelTotals(0, 0, 0, 0, 0));
        totals.set(Map.of(model.version(), new ModelTotals(before.events() + events, before.tokens() + 10 * events,
                before.bits() + 10 * events, before.flagged() + flagged, 0)));
        clock.now = clock.now.plus(Duration.ofMinutes(1));
    }

    @Test
    void figuresCoverTheWindowAndDriftNeedsTheHoldTime() {
        try (DriftWatch watch = watch()) {
            clock.now = T0;
            assertTrue(watch.tick().isEmpty(), "nothing scored yet");
            for (int i = 0; i < 10; i++) {
                minute(100, 1);
                ModelHealth h = watch.tick().get(0);
                assertFalse(h.getDrifting(), "1% flagged is normal");
                assertEquals(0.01, h.getFlagRate(), 1e-9);
                assertEquals(1.0, h.getBitsPerToken(), 1e-9);
            }
            ModelHealth normal = watch.tick().get(0);
            assertEquals(500, normal.getEvents(), "the window holds five minutes of events");
            assertTrue(normal.getServing());
            assertEquals("here:8080", normal.getInstance());

            minute(100, 40);
            ModelHealth first = watch.tick().get(0);
            assertFalse(first.getDrifting(), "one bad minute is a reading, not drift");
            assertFalse(first.getReasons().isEmpty(), "but it says which bound is passed");
            minute(100, 40);
            minute(100, 40);
            assertFalse(watch.tick().get(0).getDrifting());
            minute(100, 40);
            ModelHealth held = watch.tick().get(0);
            assertTrue(held.getDrifting(), "past the bound for the hold time: " + held);
            assertNotNull(held.getDriftingSince());
            assertTrue(held.getReasons().get(0).contains("flagged"), held.getReasons().toString());
            assertNotNull(held.getTrainCommandId(), "retraining is on: a command is sent");
            assertEquals(held.getTrainCommandId(), commands.history().get(0).key());

            minute(100, 40);
            assertNull(watch.tick().get(0).getTrainCommandId(), "at most one command per cooldown");
            clock.now = clock.now.plus(Duration.ofMinutes(31));
            minute(500, 200);
            ModelHealth later = watch.tick().get(0);
            assertTrue(later.getDrifting());
            assertNotNull(later.getTrainCommandId(), "after the cooldown, another");
            assertFalse(later.getTrainCommandId().equals(held.getTrainCommandId()));
        }
    }

    @Test
    void eventsScoredBeforeTheFirstLookAreInTheFirstWindow() {
        try (DriftWatch watch = watch()) {
            minute(100, 1);
            List<ModelHealth> first = watch.tick();
            assertEquals(1, first.size(), "the scorer's totals open at zero");
            assertEquals(100, first.get(0).getEvents());
        }
    }

    @Test
    void aCommandThatCouldNotBeSentIsSentAgainOnTheNextDriftedReading() {
        MockProducer<String, TrainCommand> failing = new MockProducer<>(false, null, new StringSerializer(),
                (topic, command) -> new byte[0]);
        try (DriftWatch watch = watch(failing)) {
            clock.now = T0;
            watch.tick();
            for (int i = 0; i < 6; i++) {
                minute(100, 40);
                watch.tick();
            }
            assertEquals(1, failing.history().size(), "drift held: one command");
            String id = failing.history().get(0).key();
            assertTrue(failing.errorNext(new TimeoutException("trainer-commands not present in metadata")));

            minute(100, 40);
            assertEquals(id, watch.tick().get(0).getTrainCommandId(), "sent again, under the same id");
            assertEquals(2, failing.history().size());
            assertTrue(failing.completeNext());
            minute(100, 40);
            assertNull(watch.tick().get(0).getTrainCommandId(), "delivered: the cooldown holds");
        }
    }

    @Test
    void theDriftCommandFineTunesOnTheDriftAndLeavesLabelledAnomaliesOut() {
        try (DriftWatch watch = watch()) {
            Instant since = T0.plus(Duration.ofMinutes(7));
            TrainCommand command = watch.driftCommand("drift-x", new DriftJudge.Reading(List.of("40% flagged"), since,
                    true), since.plus(Duration.ofMinutes(3)));
            assertTrue(command.getFineTune());
            assertEquals("text-events", command.getTopic());
            assertEquals(since.minus(SETTINGS.window()), command.getFromTimestamp(), "from the window that showed it");
            assertFalse(command.getExcludeFlagged(), "after a format change the flagged lines are what must be learned");
            assertEquals(Map.of("anomalous", "1"), command.getExcludeLabels());
            assertEquals(PromotionPolicy.SHADOW, command.getPromotion());
            assertTrue(command.getReason().endsWith("40% flagged"), command.getReason());
        }
    }

    @Test
    void excludedLabelsAreNameValuePairs() {
        DriftSettings parsed = DriftSettings.of(new AbstractConfig(DriftSettings.define(new ConfigDef()),
                Map.of(DriftSettings.RETRAIN_EXCLUDE_LABELS, "anomalous=1, source = qa")));
        assertEquals(Map.of("anomalous", "1", "source", "qa"), parsed.excludeLabels());
        assertTrue(DriftSettings.of(new AbstractConfig(DriftSettings.define(new ConfigDef()), Map.of()))
                .excludeLabels().isEmpty(), "none by default");
        assertThrows(ConfigException.class, () -> DriftSettings.of(new AbstractConfig(
                DriftSettings.define(new ConfigDef()), Map.of(DriftSettings.RETRAIN_EXCLUDE_LABELS, "anomalous"))));
    }

    @Test
    void fewEventsAreNotDrift() {
        try (DriftWatch watch = watch()) {
            clock.now = T0;
            watch.tick();
            for (int i = 0; i < 6; i++) {
                minute(10, 10);
                List<ModelHealth> reports = watch.tick();
                assertFalse(reports.get(0).getDrifting(), "under health.min.events nothing is judged");
                assertTrue(reports.get(0).getReasons().isEmpty());
            }
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now = T0;

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
