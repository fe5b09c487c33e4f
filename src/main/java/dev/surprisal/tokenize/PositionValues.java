package dev.surprisal.tokenize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plain words a template's lines held at the positions where they differ, counted together (which
 * combination each line had), so that {@link TemplateMiner#settle} can tell a position holding a few
 * recurring words ({@code started} / {@code stopped}: a constant, one template each) from one whose words
 * keep coming ({@code root}, {@code admin}, {@code oracle}, …: a variable). A position that ever holds a
 * value by its look (a number, an id, a path) is a variable and no longer counted.
 */
final class PositionValues {

    /** Combinations kept before the position with the most distinct words is given up as a variable. */
    private static final int MAX_COMBINATIONS = 64;

    /** Positions counted, in the order of each combination's words. */
    private final List<Integer> positions = new ArrayList<>();
    private Map<List<String>, Long> combinations = new HashMap<>();
    /** By position, the raw token first seen for each masked name with a number ({@code net<*>}: net11). */
    private final Map<Integer, Map<String, String>> numbered = new HashMap<>();

    /** Position {@code p} first differs: the {@code before} lines so far all held {@code constant} there. */
    void start(int p, String constant, long before) {
        if (positions.isEmpty()) {
            combinations.put(List.of(constant), before);
        } else {
            Map<List<String>, Long> extended = new HashMap<>();
            combinations.forEach((key, n) -> {
                List<String> k = new ArrayList<>(key);
                k.add(constant);
                extended.put(List.copyOf(k), n);
            });
            combinations = extended;
        }
        positions.add(p);
    }

    List<Integer> positions() {
        return positions;
    }

    /**
     * Counts a line whose masked tokens are {@code tokens} ({@code raw}: what each stands for). A position
     * stops being counted where the line holds a non-word, or a name whose number changed: {@code net11},
     * {@code net12} are instances, a variable, where {@code SOCKS5} and {@code IPv4} keep their number.
     */
    void count(String[] tokens, String[] raw) {
        for (int i = positions.size() - 1; i >= 0; i--) {
            int p = positions.get(i);
            if (!ClosedSet.candidate(p == 0 ? null : tokens[p - 1], tokens[p]) || numberChanged(p, tokens[p], raw[p])) {
                drop(i);
            }
        }
        if (positions.isEmpty()) {
            return;
        }
        List<String> key = new ArrayList<>(positions.size());
        positions.forEach(p -> key.add(tokens[p]));
        combinations.merge(List.copyOf(key), 1L, Long::sum);
        while (combinations.size() > MAX_COMBINATIONS) {
            drop(widest());
        }
    }

    private boolean numberChanged(int p, String masked, String raw) {
        if (!masked.contains(TemplateMiner.WILDCARD)) {
            return false;
        }
        String first = numbered.computeIfAbsent(p, k -> new HashMap<>()).putIfAbsent(masked, raw);
        return first != null && !first.equals(raw);
    }

    /** The words at the i-th counted position and how many lines held each. */
    Map<String, Long> words(int i) {
        Map<String, Long> out = new HashMap<>();
        combinations.forEach((key, n) -> out.merge(key.get(i), n, Long::sum));
        return out;
    }

    /** Keeps only the counted positions {@code keep} says to, merging the combinations that then agree. */
    Map<List<String>, Long> combinationsOver(List<Integer> keep) {
        Map<List<String>, Long> out = new HashMap<>();
        combinations.forEach((key, n) -> out.merge(keep.stream().map(key::get).toList(), n, Long::sum));
        return out;
    }

    private int widest() {
        int widest = 0;
        for (int i = 1; i < positions.size(); i++) {
            if (words(i).size() > words(widest).size()) {
                widest = i;
            }
        }
        return widest;
    }

    private void drop(int i) {
        positions.remove(i);
        Map<List<String>, Long> merged = new HashMap<>();
        combinations.forEach((key, n) -> {
            List<String> k = new ArrayList<>(key);
            k.remove(i);
            if (!k.isEmpty()) {
                merged.merge(List.copyOf(k), n, Long::sum);
            }
        });
        combinations = merged;
    }
}
