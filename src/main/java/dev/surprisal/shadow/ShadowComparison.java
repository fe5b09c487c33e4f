package dev.surprisal.shadow;

import dev.surprisal.avro.ScoredEvent;
import dev.surprisal.avro.ShadowState;
import dev.surprisal.avro.ShadowTrial;

import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The two models' scores of the same events, matched by event id. The candidate starts every
 * session cold, so each session's first event in the shadow is left out of the comparison; bits are
 * compared per event (the same text), so tokenizers may differ.
 */
final class ShadowComparison {

    private record Verdict(double bits, boolean flagged) {
    }

    private final Map<String, Verdict> live = new HashMap<>();
    private final Map<String, Verdict> shadow = new HashMap<>();
    private final Map<String, Boolean> seenSession = new HashMap<>();
    private long compared;
    private double liveBits;
    private double shadowBits;
    private long liveFlagged;
    private long shadowFlagged;
    private long both;
    private long onlyShadow;
    private long onlyLive;

    void live(ScoredEvent e) {
        Verdict mine = verdict(e);
        Verdict other = shadow.remove(e.getEventId());
        if (other != null) {
            count(mine, other);
        } else {
            live.put(e.getEventId(), mine);
        }
    }

    void shadow(ScoredEvent e) {
        if (seenSession.put(e.getSessionId(), true) == null) {
            live.remove(e.getEventId());
            return; // the candidate's cold start of this session
        }
        Verdict mine = verdict(e);
        Verdict other = live.remove(e.getEventId());
        if (other != null) {
            count(other, mine);
        } else {
            shadow.put(e.getEventId(), mine);
        }
    }

    private static Verdict verdict(ScoredEvent e) {
        return new Verdict(e.getMeanSurprisalBits() * e.getTokens().size(), e.getAnomalous());
    }

    private void count(Verdict l, Verdict s) {
        compared++;
        liveBits += l.bits();
        shadowBits += s.bits();
        liveFlagged += l.flagged() ? 1 : 0;
        shadowFlagged += s.flagged() ? 1 : 0;
        both += l.flagged() && s.flagged() ? 1 : 0;
        onlyShadow += s.flagged() && !l.flagged() ? 1 : 0;
        onlyLive += l.flagged() && !s.flagged() ? 1 : 0;
    }

    long compared() {
        return compared;
    }

    /** The trial with the figures and, by its policy, promoted or rejected. */
    ShadowTrial decide(ShadowTrial trial, Instant now) {
        double candidate = shadowBits / compared;
        double promoted = liveBits / compared;
        double candidateFlags = (double) shadowFlagged / compared;
        double promotedFlags = (double) liveFlagged / compared;
        boolean fewerBits = candidate <= promoted * (1 - trial.getBitsMargin());
        boolean flagsHeld = candidateFlags <= promotedFlags + trial.getMaxFlagRateIncrease();
        double agreement = (double) (compared - onlyShadow - onlyLive) / compared;
        String reason = String.format(Locale.ROOT, "on %d events scored by both: candidate %.2f bits/event vs %.2f "
                        + "(%+.1f%%; promotion needs -%.0f%% or better); flagged %.1f%% vs %.1f%% (at most %.1f points "
                        + "more allowed); same verdict on %.1f%%", compared, candidate, promoted,
                100 * (candidate / promoted - 1), 100 * trial.getBitsMargin(), 100 * candidateFlags,
                100 * promotedFlags, 100 * trial.getMaxFlagRateIncrease(), 100 * agreement);
        return ShadowTrial.newBuilder(trial).setState(fewerBits && flagsHeld ? ShadowState.PROMOTED : ShadowState.REJECTED)
                .setComparedEvents(compared).setCandidateBitsPerEvent(candidate).setPromotedBitsPerEvent(promoted)
                .setCandidateFlagRate(candidateFlags).setPromotedFlagRate(promotedFlags)
                .setAgreement(agreement).setFlaggedByBoth(both)
                .setFlaggedOnlyByCandidate(onlyShadow).setFlaggedOnlyByPromoted(onlyLive).setDecidedAt(now)
                .setReason(reason).build();
    }
}
