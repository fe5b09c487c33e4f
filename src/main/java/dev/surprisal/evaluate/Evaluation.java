package dev.surprisal.evaluate;

import dev.surprisal.model.LanguageModel;
import dev.surprisal.scoring.AnomalyPolicy;
import dev.surprisal.scoring.Percentiles;
import dev.surprisal.tokenize.TemplateTokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The figures of one model on one input: language-model quality over every event, and, where
 * sessions carry labels, detection quality per session (flagged when any event is) for the rules as
 * configured and at their best thresholds, and per event where events carry their own labels.
 */
public final class Evaluation {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TOP_FLAGGED = 20;

    private Evaluation() {
    }

    /**
     * What was evaluated: a name, its tokenizer, the g its top-g rule was calibrated to and the
     * percentile of held-out normal sessions both rules were calibrated at (0 when unknown).
     */
    public record Subject(String name, String tokenizer, int calibratedTopG, double thresholdPercentile,
                          TemplateTokenizer templates, double baselineWeight) {
        public Subject(String name, String tokenizer, int calibratedTopG, double thresholdPercentile) {
            this(name, tokenizer, calibratedTopG, thresholdPercentile, null, 0);
        }

        public static Subject of(LanguageModel model) {
            return new Subject(model.version(), model.tokenizer().spec().type(), model.manifest().topG(),
                    model.manifest().thresholdPercentile(),
                    model.tokenizer() instanceof TemplateTokenizer t ? t : null, model.manifest().baselineWeight());
        }
    }

    public static ObjectNode of(LanguageModel model, AnomalyPolicy policy, List<Replayer.SessionResult> results,
                                Map<String, Object> settings) {
        return of(Subject.of(model), policy, results, settings);
    }

    public static ObjectNode of(Subject subject, AnomalyPolicy policy, List<Replayer.SessionResult> results,
                                Map<String, Object> settings) {
        ObjectNode out = JSON.createObjectNode();
        out.put("modelVersion", subject.name());
        out.put("tokenizer", subject.tokenizer());
        out.put("baselineWeight", subject.baselineWeight());
        out.put("perplexityThreshold", policy.perplexityThreshold());
        out.put("topG", policy.topG());
        out.set("settings", JSON.valueToTree(settings));
        languageModel(out, results);
        List<Replayer.SessionResult> labelled = results.stream().filter(r -> r.session().label() != null
                && !r.events().isEmpty()).toList();
        out.put("labelledSessions", labelled.size());
        out.put("unlabelledSessions", results.size() - labelled.size());
        if (!labelled.isEmpty()) {
            detection(out, policy, subject.calibratedTopG(), labelled);
            if (subject.thresholdPercentile() > 0) {
                // the rules were calibrated so that this share of held-out normal sessions is flagged
                out.put("targetFalsePositiveRate", (100 - subject.thresholdPercentile()) / 100);
            }
        }
        List<Replayer.EventResult> labelledEvents = results.stream().flatMap(r -> r.events().stream())
                .filter(e -> e.label() != null).toList();
        if (!labelledEvents.isEmpty()) {
            out.set("eventLevel", eventLevel(labelledEvents));
        }
        out.set("topFlagged", topFlagged(results, subject.templates()));
        out.set("streaming", Streaming.of(results));
        return out;
    }

    private static void languageModel(ObjectNode out, List<Replayer.SessionResult> results) {
        long events = 0;
        long tokens = 0;
        double bits = 0;
        long refused = 0;
        long bytes = 0;
        long words = 0;
        List<Double> perplexities = new ArrayList<>();
        for (Replayer.SessionResult r : results) {
            refused += r.refused().size();
            for (Replayer.EventResult e : r.events()) {
                events++;
                tokens += e.tokens();
                bits += e.totalBits();
                perplexities.add(e.perplexity());
                // units every tokenizer shares: an event's end counts as one byte (a newline) and one word (PTB's <eos>)
                bytes += e.text().getBytes(StandardCharsets.UTF_8).length + 1;
                words += whitespaceWords(e.text()) + 1;
            }
        }
        out.put("sessions", results.size());
        out.put("events", events);
        out.put("refusedEvents", refused);
        out.put("tokens", tokens);
        out.put("bitsPerToken", tokens == 0 ? Double.NaN : bits / tokens);
        out.put("perplexity", tokens == 0 ? Double.NaN : Math.pow(2, bits / tokens));
        out.put("totalBits", bits);
        out.put("bytes", bytes);
        out.put("words", words);
        out.put("bitsPerByte", bytes == 0 ? Double.NaN : bits / bytes);
        out.put("bitsPerWord", words == 0 ? Double.NaN : bits / words);
        out.put("perplexityPerWord", words == 0 ? Double.NaN : Math.pow(2, bits / words));
        double[] sorted = perplexities.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        ObjectNode dist = out.putObject("eventPerplexity");
        for (double p : new double[] {50, 90, 99}) {
            dist.put("p" + (int) p, Percentiles.ofSorted(sorted, p));
        }
        dist.put("max", sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1]);
    }

    private static void detection(ObjectNode out, AnomalyPolicy policy, int calibratedTopG,
                                  List<Replayer.SessionResult> labelled) {
        boolean[] labels = new boolean[labelled.size()];
        double[] combined = new double[labelled.size()];
        double[] perplexity = new double[labelled.size()];
        double[] rank = new double[labelled.size()];
        List<String> contents = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            Replayer.SessionResult r = labelled.get(i);
            labels[i] = r.session().label();
            combined[i] = r.anomalyScore();
            perplexity[i] = r.maxPerplexity();
            rank[i] = r.worstRank();
            contents.add(String.join("\u0000", r.session().events().stream().map(ReplaySession.Event::text).toList()));
        }
        Detection asConfigured = new Detection(combined, labels);
        Detection.Confusion c = asConfigured.at(1.0);
        out.put("anomalousSessions", c.truePositives() + c.falseNegatives());
        putConfusion(out, c);
        out.put("rocAuc", asConfigured.rocAuc());
        out.put("prAuc", asConfigured.prAuc());
        out.put("oracleF1", Detection.oracleF1(contents, labels));
        // both rules together (the anomaly score) cut where 99% of the anomalous sessions are found
        Detection.Confusion at99 = asConfigured.atRecall(0.99);
        ObjectNode atRecall = out.putObject("atRecall99");
        atRecall.put("threshold", at99.threshold());
        atRecall.put("falsePositiveRate", at99.falsePositiveRate());
        putConfusion(atRecall, at99);
        ObjectNode rules = out.putObject("rules");
        rules.set("perplexity", rule(new Detection(perplexity, labels), policy.perplexityThreshold(), "threshold"));
        rules.set("topG", rule(new Detection(rank, labels), policy.topG() > 0 ? policy.topG() : 9, "g"));
        out.put("calibratedTopG", calibratedTopG);
        out.set("curves", curves(new Detection(perplexity, labels), new Detection(rank, labels)));
    }

    private static ObjectNode rule(Detection d, double configured, String name) {
        ObjectNode node = JSON.createObjectNode();
        node.put(name, configured);
        putConfusion(node.putObject("configured"), d.at(configured));
        Detection.Confusion best = d.bestF1();
        ObjectNode b = node.putObject("bestF1");
        b.put(name, best.threshold());
        putConfusion(b, best);
        node.put("rocAuc", d.rocAuc());
        node.put("prAuc", d.prAuc());
        return node;
    }

    private static ObjectNode eventLevel(List<Replayer.EventResult> events) {
        double[] scores = events.stream().mapToDouble(Replayer.EventResult::anomalyScore).toArray();
        boolean[] labels = new boolean[events.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = events.get(i).label();
        }
        Detection d = new Detection(scores, labels);
        ObjectNode node = JSON.createObjectNode();
        node.put("events", events.size());
        putConfusion(node, d.at(1.0));
        node.put("rocAuc", d.rocAuc());
        node.put("prAuc", d.prAuc());
        return node;
    }

    private static ObjectNode curves(Detection perplexity, Detection rank) {
        ObjectNode node = JSON.createObjectNode();
        node.set("perplexity", curve(perplexity));
        node.set("topG", curve(rank));
        return node;
    }

    private static ArrayNode curve(Detection d) {
        ArrayNode points = JSON.createArrayNode();
        for (Detection.Confusion c : d.sweep()) {
            points.addObject().put("threshold", c.threshold()).put("fpr", c.falsePositiveRate())
                    .put("tpr", c.recall()).put("precision", c.precision()).put("f1", c.f1());
        }
        return points;
    }

    /**
     * The most anomalous sessions and their most surprising events. For a template model each event
     * also names its template, the values the template masks and the template before it: which
     * template, or which transition, drove the flag.
     */
    private static ArrayNode topFlagged(List<Replayer.SessionResult> results, TemplateTokenizer templates) {
        ArrayNode out = JSON.createArrayNode();
        results.stream().filter(r -> !r.events().isEmpty())
                .sorted(Comparator.comparingDouble(Replayer.SessionResult::anomalyScore).reversed())
                .limit(TOP_FLAGGED).forEach(r -> {
                    ObjectNode s = out.addObject();
                    s.put("sessionId", r.session().id());
                    if (r.session().label() != null) {
                        s.put("label", r.session().label() ? 1 : 0);
                    }
                    s.put("anomalyScore", r.anomalyScore());
                    s.put("flagged", r.flagged());
                    s.put("maxEventPerplexity", r.maxPerplexity());
                    s.put("worstRank", r.worstRank());
                    ArrayNode events = s.putArray("events");
                    r.events().stream().sorted(Comparator.comparingDouble(Replayer.EventResult::anomalyScore).reversed())
                            .limit(5).forEach(e -> {
                                ObjectNode ev = events.addObject().put("eventId", e.eventId()).put("text", e.text())
                                        .put("perplexity", e.perplexity()).put("worstRank", e.worstRank())
                                        .put("flagged", e.flagged());
                                if (templates != null) {
                                    explain(ev, templates, e, r.events());
                                }
                                ArrayNode tokens = ev.putArray("topTokens");
                                e.topTokens().forEach(t -> tokens.addObject().put("token", t.token())
                                        .put("surprisalBits", t.bits()).put("position", t.position()));
                            });
                });
        return out;
    }

    private static void explain(ObjectNode ev, TemplateTokenizer templates, Replayer.EventResult e,
                                List<Replayer.EventResult> session) {
        TemplateTokenizer.Explained x = templates.explain(e.text());
        ev.put("template", x.template() == null ? templates.render(TemplateTokenizer.UNKNOWN_TEMPLATE) : x.template());
        ArrayNode values = ev.putArray("values");
        x.values().forEach(values::add);
        int at = session.indexOf(e);
        if (at > 0) {
            String before = templates.explain(session.get(at - 1).text()).template();
            ev.put("previousTemplate", before == null ? templates.render(TemplateTokenizer.UNKNOWN_TEMPLATE) : before);
        }
    }

    private static void putConfusion(ObjectNode node, Detection.Confusion c) {
        node.put("precision", c.precision());
        node.put("recall", c.recall());
        node.put("f1", c.f1());
        node.put("truePositives", c.truePositives());
        node.put("falsePositives", c.falsePositives());
        node.put("falseNegatives", c.falseNegatives());
        node.put("trueNegatives", c.trueNegatives());
    }

    static int whitespaceWords(String text) {
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            words += !space && !inWord ? 1 : 0;
            inWord = !space;
        }
        return words;
    }

    /** Mean surprisal per event, split by the label of the event's session, for the histogram. */
    public static double[][] meanBitsByLabel(List<Replayer.SessionResult> results) {
        List<Double> normal = new ArrayList<>();
        List<Double> anomalous = new ArrayList<>();
        for (Replayer.SessionResult r : results) {
            for (Replayer.EventResult e : r.events()) {
                Boolean label = e.label() != null ? e.label() : r.session().label();
                if (label != null) {
                    (label ? anomalous : normal).add(e.totalBits() / e.tokens());
                }
            }
        }
        return new double[][] {normal.stream().mapToDouble(Double::doubleValue).toArray(),
            anomalous.stream().mapToDouble(Double::doubleValue).toArray()};
    }

    /** Every event's mean surprisal, labelled or not. */
    public static double[] meanBits(List<Replayer.SessionResult> results) {
        return results.stream().flatMap(r -> r.events().stream()).mapToDouble(e -> e.totalBits() / e.tokens()).toArray();
    }
}
