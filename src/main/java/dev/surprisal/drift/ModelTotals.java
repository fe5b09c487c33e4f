package dev.surprisal.drift;

/** What one model version scored since the scorer started: events, tokens, bits, flagged events, unknown tokens. */
public record ModelTotals(long events, long tokens, double bits, long flagged, long unknown) {
}
