package dev.surprisal.evaluate;

import dev.surprisal.model.KneserNey;
import dev.surprisal.scoring.AnomalyPolicy;
import dev.surprisal.scoring.CorpusScore;
import dev.surprisal.session.ScoredEvents;
import dev.surprisal.tokenize.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Replays sessions through the Kneser-Ney baseline exactly as {@link Replayer} replays them through
 * the RNN: same tokens, the session end scored on an event that ends its session, and the two
 * anomaly rules with the baseline's own calibrated threshold and g. The results are then measured by
 * the same code as the RNN's, so the two columns of a report compare like with like.
 */
public final class BaselineReplayer {

    private static final int TOP_TOKENS = 5;

    private BaselineReplayer() {
    }

    /** The rules as the RNN's policy applies them: top-g only where the RNN's is on. */
    public static AnomalyPolicy policy(KneserNey baseline, AnomalyPolicy rnn) {
        double threshold = baseline.anomalyThreshold() > 0 ? baseline.anomalyThreshold() : Double.POSITIVE_INFINITY;
        return new AnomalyPolicy(threshold, rnn.topG() > 0 ? baseline.topG() : 0);
    }

    public static List<Replayer.SessionResult> replay(KneserNey baseline, Tokenizer tokenizer, AnomalyPolicy policy,
                                                      List<ReplaySession> sessions) {
        List<Replayer.SessionResult> out = new ArrayList<>(sessions.size());
        for (ReplaySession session : sessions) {
            KneserNey.Session state = baseline.newSession();
            List<Replayer.EventResult> results = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            for (ReplaySession.Event event : session.events()) {
                int[] ids = tokenizer.encode(event.text());
                if (ids.length == 0) {
                    refused.add(event.eventId() + ": no tokens");
                    continue;
                }
                if (event.end()) {
                    ids = Arrays.copyOf(ids, ids.length + 1);
                    ids[ids.length - 1] = tokenizer.bosId();
                }
                results.add(result(event, ids, state.score(ids), tokenizer, policy, event.end()));
            }
            out.add(new Replayer.SessionResult(session, results, refused));
        }
        return out;
    }

    private static Replayer.EventResult result(ReplaySession.Event event, int[] ids, KneserNey.Prediction[] predictions,
                                               Tokenizer tokenizer, AnomalyPolicy policy, boolean endsSession) {
        CorpusScore.Figures figures = CorpusScore.Figures.of(predictions, endsSession);
        List<Replayer.TokenBits> top = new ArrayList<>();
        for (int i = 0; i < predictions.length; i++) {
            top.add(new Replayer.TokenBits(ids[i] == tokenizer.bosId() ? ScoredEvents.END_OF_SESSION : tokenizer.render(ids[i]),
                    predictions[i].bits(), i));
        }
        top.sort(Comparator.comparingDouble(Replayer.TokenBits::bits).reversed());
        AnomalyPolicy.Verdict verdict = policy.judge(figures.perplexity(), figures.worstRank());
        return new Replayer.EventResult(event.eventId(), event.text(), event.label(), predictions.length, figures.bits(),
                figures.perplexity(), figures.worstRank(), verdict.score(), verdict.anomalous(),
                List.copyOf(top.subList(0, Math.min(TOP_TOKENS, top.size()))), event.time());
    }
}
