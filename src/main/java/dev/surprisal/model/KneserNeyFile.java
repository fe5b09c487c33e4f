package dev.surprisal.model;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The baseline on disk: a header line ({@code kneser-ney order=… vocabulary=… bos=… threshold=… g=…}), then
 * one line per top-order n-gram, its count and its token ids; the rest is derived when loading.
 */
final class KneserNeyFile {

    private KneserNeyFile() {
    }

    static void write(KneserNey model, Writer out) throws IOException {
        BufferedWriter w = new BufferedWriter(out);
        w.write(String.format(Locale.ROOT, "%s order=%d vocabulary=%d bos=%d threshold=%s g=%d%n", KneserNey.HEADER, model.order,
                model.vocabularySize, model.bosId, Double.toString(model.anomalyThreshold), model.topG));
        for (Map.Entry<Long, Integer> e : model.topCounts.entrySet()) {
            StringBuilder line = new StringBuilder().append(e.getValue());
            long gram = e.getKey();
            for (int i = model.order - 1; i >= 0; i--) {
                line.append(' ').append((gram >>> (KneserNey.ID_BITS * i)) & KneserNey.ID_MASK);
            }
            w.write(line.append('\n').toString());
        }
        w.flush();
    }

    static KneserNey read(Reader in) throws IOException {
        BufferedReader r = new BufferedReader(in);
        String header = r.readLine();
        if (header == null || !header.startsWith(KneserNey.HEADER + " ")) {
            throw new IOException("not a Kneser-Ney baseline file");
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : header.substring(KneserNey.HEADER.length() + 1).split(" ")) {
            String[] kv = part.split("=", 2);
            fields.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        int order = Integer.parseInt(fields.get("order"));
        Map<Long, Integer> counts = new HashMap<>();
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            String[] parts = line.split(" ");
            if (parts.length != order + 1) {
                throw new IOException("n-gram line with " + (parts.length - 1) + " ids, order is " + order);
            }
            long gram = 0;
            for (int i = 1; i <= order; i++) {
                gram = (gram << KneserNey.ID_BITS) | Integer.parseInt(parts[i]);
            }
            counts.put(gram, Integer.parseInt(parts[0]));
        }
        return new KneserNey(order, Integer.parseInt(fields.get("vocabulary")), Integer.parseInt(fields.get("bos")),
                counts).calibrated(Double.parseDouble(fields.getOrDefault("threshold", "0")),
                Integer.parseInt(fields.getOrDefault("g", "0")));
    }
}
