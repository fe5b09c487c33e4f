package dev.surprisal.model;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A sample of the text a model was trained on, kept with it ({@code replay.jsonl}), so that a
 * fine-tune can mix it into recent traffic and not forget what the parent knew, and so that a
 * candidate can be checked on the parent's held-out text. Sessions are drawn at random from the
 * training and held-out splits, up to a fixed size, so that a release stays small.
 *
 * @param train   sessions of the training split (each a list of event texts)
 * @param heldOut sessions of the held-out split
 */
public record ReplaySample(List<List<String>> train, List<List<String>> heldOut) {

    public static final int MAX_TRAIN_SESSIONS = 1_000;
    public static final int MAX_HELD_OUT_SESSIONS = 200;
    /** Characters of text at most, over both splits: about a megabyte of a release. */
    public static final int MAX_CHARS = 1_000_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> SESSION = new TypeReference<>() {
    };
    private static final String HELD_OUT_MARK = "#held-out";
    /** Before a session's JSON array: the session was cut before its end ({@link OpenSession}). */
    private static final String OPEN_MARK = "#open ";

    /** A seeded random sample of both splits, within the size limits (held-out sessions first). */
    public static ReplaySample of(List<List<String>> train, List<List<String>> heldOut, long seed) {
        Random random = new Random(seed);
        int[] budget = {MAX_CHARS};
        List<List<String>> held = draw(heldOut, MAX_HELD_OUT_SESSIONS, random, budget);
        return new ReplaySample(draw(train, MAX_TRAIN_SESSIONS, random, budget), held);
    }

    private static List<List<String>> draw(List<List<String>> sessions, int max, Random random, int[] budget) {
        List<List<String>> shuffled = new ArrayList<>(sessions);
        Collections.shuffle(shuffled, random);
        List<List<String>> out = new ArrayList<>();
        for (List<String> session : shuffled) {
            int chars = session.stream().mapToInt(String::length).sum();
            if (out.size() >= max || chars > budget[0]) {
                break;
            }
            budget[0] -= chars;
            out.add(OpenSession.like(session, List.copyOf(session)));
        }
        return out;
    }

    /**
     * One JSON array of event texts per line ({@code #open } before it for a session cut before its
     * end); a line {@code #held-out} separates the splits.
     */
    public void write(Writer out) throws IOException {
        for (List<String> session : train) {
            write(out, session);
        }
        out.write(HELD_OUT_MARK + "\n");
        for (List<String> session : heldOut) {
            write(out, session);
        }
        out.flush();
    }

    private static void write(Writer out, List<String> session) throws IOException {
        out.write((OpenSession.ends(session) ? "" : OPEN_MARK) + JSON.writeValueAsString(new ArrayList<>(session)));
        out.write('\n');
    }

    public static ReplaySample read(Reader in) throws IOException {
        List<List<String>> train = new ArrayList<>();
        List<List<String>> heldOut = new ArrayList<>();
        List<List<String>> into = train;
        BufferedReader lines = new BufferedReader(in);
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.equals(HELD_OUT_MARK)) {
                into = heldOut;
            } else if (line.startsWith(OPEN_MARK)) {
                into.add(OpenSession.of(JSON.readValue(line.substring(OPEN_MARK.length()), SESSION)));
            } else if (!line.isBlank()) {
                into.add(JSON.readValue(line, SESSION));
            }
        }
        return new ReplaySample(train, heldOut);
    }
}
