package dev.surprisal.evaluate;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.TextEvent;
import dev.surprisal.model.KneserNey;
import dev.surprisal.model.LanguageModel;
import dev.surprisal.model.ModelArtifact;
import dev.surprisal.model.ModelProvider;
import dev.surprisal.model.ModelSpec;
import dev.surprisal.registry.InMemorySchemaRegistry;
import dev.surprisal.scoring.AnomalyPolicy;
import dev.surprisal.serde.AvroSerdes;
import dev.surprisal.session.SessionScorer;
import dev.surprisal.stream.ScorerConfig;
import dev.surprisal.stream.ScoringTopology;
import dev.surprisal.testing.TestModels;
import dev.surprisal.training.BaselineTrainer;
import dev.surprisal.training.Corpus;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluationTest {

    private static final List<ReplaySession> FIXTURE = List.of(
            new ReplaySession("normal-1", false, events("n1", "GET /a 200", "GET /b 200")),
            new ReplaySession("normal-2", false, events("n2", "GET /a 200")),
            new ReplaySession("attack", true, events("x", "GET /../../etc/passwd")),
            new ReplaySession("unknown", null, events("u", "who knows")));

    private static List<ReplaySession.Event> events(String prefix, String... texts) {
        List<ReplaySession.Event> out = new java.util.ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            out.add(new ReplaySession.Event(prefix + "-" + i, texts[i], null, i == texts.length - 1));
        }
        return out;
    }

    @Test
    void countsEverySessionAndLeavesUnlabelledOnesOutOfTheDetectionFigures() {
        ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.PERPLEXITY_THRESHOLD, 250.0));
        try (LanguageModel model = TestModels.tinyByteModel()) {
            List<Replayer.SessionResult> results = new Replayer(config.scoring()).replay(model, FIXTURE);
            ObjectNode report = Evaluation.of(model, new SessionScorer(config.scoring()).policyFor(model), results, Map.of());
            assertEquals(4, report.get("sessions").asInt());
            assertEquals(5, report.get("events").asInt());
            assertEquals(3, report.get("labelledSessions").asInt());
            assertEquals(1, report.get("unlabelledSessions").asInt());
            long confusion = report.get("truePositives").asLong() + report.get("falsePositives").asLong()
                    + report.get("falseNegatives").asLong() + report.get("trueNegatives").asLong();
            assertEquals(3, confusion);
            assertEquals(1, report.get("anomalousSessions").asInt());
            for (String key : List.of("precision", "recall", "f1", "rocAuc", "prAuc", "perplexity", "bitsPerToken")) {
                assertTrue(report.has(key), key);
            }
            // the one anomalous session is found at the 99%-recall cut, and the cut is at its score or below
            assertEquals(1, report.at("/atRecall99/truePositives").asLong());
            assertTrue(report.at("/atRecall99/threshold").asDouble() < results.get(2).anomalyScore());
            // the perplexity rule's session score is the largest event perplexity
            double largest = results.get(0).events().stream().mapToDouble(Replayer.EventResult::perplexity).max().orElseThrow();
            assertEquals(largest, results.get(0).maxPerplexity(), 0);
        }
    }

    /** The tiny model alone, or mixed with a baseline counted on the fixture's normal text. */
    private static LanguageModel tiny(double baselineWeight) throws Exception {
        try (LanguageModel network = TestModels.tinyByteModel(ModelSpec.Cell.LSTM, 1, 5, true)) {
            if (baselineWeight == 0) {
                return ModelArtifact.withManifest(network, network.manifest());
            }
            Corpus normal = new Corpus(List.of(List.of("GET /a 200", "GET /b 200"), List.of("GET /a 200")));
            try (LanguageModel kept = ModelArtifact.withBaseline(network,
                    BaselineTrainer.train(3, network.tokenizer(), normal, normal, 99))) {
                return ModelArtifact.withManifest(kept, kept.manifest().withBaselineWeight(baselineWeight));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.3})
    void replayScoresEventsExactlyAsTheTopologyDoes(double baselineWeight, @TempDir Path stateDir) throws Exception {
        ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false, ScorerConfig.STATE_DIR, stateDir.toString()));
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        try (LanguageModel model = tiny(baselineWeight);
             TopologyTestDriver driver = new TopologyTestDriver(
                     ScoringTopology.build(config, ModelProvider.fixed(model), registry), config.streamsProperties())) {
            TestInputTopic<String, TextEvent> in = driver.createInputTopic(config.inputTopic(), new StringSerializer(),
                    AvroSerdes.value(TextEvent.class, registry).serializer());
            TestOutputTopic<String, ScoredEvent> out = driver.createOutputTopic(config.outputTopic(),
                    new StringDeserializer(), AvroSerdes.value(ScoredEvent.class, registry).deserializer());
            long t = 0;
            for (ReplaySession s : FIXTURE) {
                for (ReplaySession.Event e : s.events()) {
                    in.pipeInput(s.id(), new TextEvent(e.eventId(), s.id(), e.text(), Instant.ofEpochMilli(++t), e.end(),
                            null), t);
                }
            }
            driver.advanceWallClockTime(config.batchMaxWait()); // a tick sees the batch queued
            driver.advanceWallClockTime(config.batchMaxWait()); // the next, a window later, scores it
            Map<String, ScoredEvent> streamed = new java.util.HashMap<>();
            out.readValuesToList().forEach(e -> streamed.put(e.getEventId(), e));

            List<Replayer.SessionResult> replayed = new Replayer(config.scoring()).replay(model, FIXTURE);
            int compared = 0;
            for (Replayer.SessionResult r : replayed) {
                for (Replayer.EventResult e : r.events()) {
                    ScoredEvent s = streamed.get(e.eventId());
                    // the topology batched these events across sessions: equal to float rounding
                    assertEquals(s.getEventPerplexity(), e.perplexity(), 1e-4 * s.getEventPerplexity(), e.eventId());
                    assertEquals(s.getTokens().size(), e.tokens());
                    assertEquals(s.getAnomalous(), e.flagged());
                    compared++;
                }
            }
            assertEquals(5, compared);
            assertEquals(baselineWeight > 0, model.stateSize() > model.spec().stateSize(), "mixed: the history is stored");
            assertTrue(streamed.get("n1-1").getTokens().stream().anyMatch(tk -> "<end>".equals(tk.getToken())),
                    "the end of the session is scored on both paths");
        }
    }

    @Test
    void theBaselineIsMeasuredBesideTheModelInUnitsThatDoNotDependOnTheTokenizer() {
        ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false));
        try (LanguageModel model = TestModels.tinyByteModel()) {
            Corpus normal = new Corpus(List.of(List.of("GET /a 200", "GET /b 200"), List.of("GET /a 200")));
            KneserNey baseline = BaselineTrainer.train(3, model.tokenizer(), normal, normal, 99);
            AnomalyPolicy policy = new SessionScorer(config.scoring()).policyFor(model);
            AnomalyPolicy rules = BaselineReplayer.policy(baseline, policy);
            List<Replayer.SessionResult> results = BaselineReplayer.replay(baseline, model.tokenizer(), rules, FIXTURE);
            ObjectNode report = Evaluation.of(model, policy, new Replayer(config.scoring()).replay(model, FIXTURE), Map.of());
            report.set("baseline", Evaluation.of(new Evaluation.Subject("kneser-ney-3 (baseline)", "byte", 0, 99),
                    rules, results, Map.of()));

            // 5 events: their UTF-8 bytes plus one per event end; whitespace words plus one per end
            long bytes = 10 + 10 + 10 + 21 + 9 + 5;
            long words = 3 + 3 + 3 + 2 + 2 + 5;
            for (ObjectNode r : List.of(report, (ObjectNode) report.get("baseline"))) {
                assertEquals(bytes, r.get("bytes").asLong());
                assertEquals(words, r.get("words").asLong());
                assertEquals(r.get("totalBits").asDouble() / bytes, r.get("bitsPerByte").asDouble(), 1e-9);
                assertEquals(r.get("totalBits").asDouble() / words, r.get("bitsPerWord").asDouble(), 1e-9);
            }
            // the baseline learnt the normal requests: they cost it less than the attack
            Replayer.SessionResult known = results.get(1);
            Replayer.SessionResult attack = results.get(2);
            assertTrue(known.events().get(0).totalBits() / known.events().get(0).tokens()
                    < attack.events().get(0).totalBits() / attack.events().get(0).tokens());

            String html = HtmlReport.render(EvaluationReport.of(report), null, Evaluation.meanBitsByLabel(results),
                    Evaluation.meanBits(results));
            assertTrue(html.contains("kneser-ney-3 (baseline)</th>"), "the baseline has its own column");
            assertTrue(html.contains("kneser-ney-3 (baseline): as configured"), "and its own detector rows");
        }
    }

    @Test
    void theHtmlReportIsSelfContainedAndEscapesTheText() {
        ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false));
        List<ReplaySession> hostile = List.of(
                new ReplaySession("s1", true, events("h", "<script>alert(1)</script>")),
                new ReplaySession("s2", false, events("k", "fine")));
        try (LanguageModel model = TestModels.tinyByteModel()) {
            List<Replayer.SessionResult> results = new Replayer(config.scoring()).replay(model, hostile);
            ObjectNode report = Evaluation.of(model, new SessionScorer(config.scoring()).policyFor(model), results,
                    Map.of("input", "fixture"));
            String html = html(report, results);
            assertTrue(html.startsWith("<!DOCTYPE html>"));
            assertTrue(html.contains("<svg"), "plots are inline SVG");
            assertFalse(html.contains("<script>alert"), "event text is escaped");
            assertTrue(html.contains("&lt;script&gt;"));
            assertFalse(html.contains("src=\"http") || html.contains("href=\"http"), "nothing is fetched");
            assertFalse(html.contains("NaN,") || html.contains(",NaN"), "no broken plot coordinates");
            assertTrue(html.contains(model.version()));
            assertFalse(html.contains("mixed with its Kneser-Ney baseline"), "this model is the network alone");
            report.putObject("keyNames").put("fine", "<what> the key stands for");
            assertTrue(html(report, results).contains("<b>fine</b> &lt;what&gt; the key stands for"),
                    "evaluate --key-names: a key's text beside it, escaped");
            report.put("baselineWeight", 0.4);
            assertTrue(HtmlReport.render(EvaluationReport.of(report), null, Evaluation.meanBitsByLabel(results),
                    Evaluation.meanBits(results)).contains("the network mixed with its Kneser-Ney baseline at weight"));
        }
    }

    /** A replay of normal traffic only (a user's own logs, labelled normal) says what it can measure, and nothing else. */
    @Test
    void aReportWithoutAnomalousLabelsSaysSoInsteadOfShowingUndefinedFigures() {
        ScorerConfig config = new ScorerConfig(Map.of(ScorerConfig.MODEL_THREAD, false));
        List<ReplaySession> normal = List.of(new ReplaySession("s1", false, events("a", "GET /cart 200")),
                new ReplaySession("s2", false, events("b", "GET /item 200")));
        try (LanguageModel model = TestModels.tinyByteModel()) {
            String html = html(model, config, normal);
            assertTrue(html.contains("No session is labelled anomalous"), html);
            for (String undefined : List.of("NaN", "Infinity", "99999999")) {
                assertFalse(html.contains(undefined), "no " + undefined + " in the report");
            }
        }
    }

    /** The HTML report of replaying {@code sessions} through {@code model} as the scorer would. */
    private static String html(LanguageModel model, ScorerConfig config, List<ReplaySession> sessions) {
        List<Replayer.SessionResult> results = new Replayer(config.scoring()).replay(model, sessions);
        return html(Evaluation.of(model, new SessionScorer(config.scoring()).policyFor(model), results,
                Map.of("input", "fixture")), results);
    }

    private static String html(ObjectNode report, List<Replayer.SessionResult> results) {
        return HtmlReport.render(EvaluationReport.of(report), null, Evaluation.meanBitsByLabel(results),
                Evaluation.meanBits(results));
    }
}
