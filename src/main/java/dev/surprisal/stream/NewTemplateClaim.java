package dev.surprisal.stream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A scorer's claim to have met a template first: the line's event both ways, already serialized for the
 * output topics (alerted as {@code NEW_TEMPLATE}, and as a line of a template another scorer alerted),
 * sent keyed by the template's id to {@link NewTemplateJudge}.
 *
 * @param sessionKey   the input record's key, which the scores keep
 * @param eventId      the line's event id: a claim replayed after a crash is the same claim
 * @param alerted      the scores record with the alert
 * @param alertedAsAnomaly the same event for the anomalies topic
 * @param recognised   the scores record without it
 */
record NewTemplateClaim(byte[] sessionKey, String eventId, byte[] alerted, byte[] alertedAsAnomaly, byte[] recognised) {

    private static final int VERSION = 1;

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(alerted.length * 2 + recognised.length + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            write(out, sessionKey);
            out.writeUTF(eventId);
            write(out, alerted);
            write(out, alertedAsAnomaly);
            write(out, recognised);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static NewTemplateClaim decode(byte[] value) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            int version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("a new-template claim of version " + version + ", this scorer reads "
                        + VERSION);
            }
            return new NewTemplateClaim(read(in), in.readUTF(), read(in), read(in), read(in));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a new-template claim: " + e, e);
        }
    }

    private static void write(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] read(DataInputStream in) throws IOException {
        int n = in.readInt();
        return n < 0 ? null : in.readNBytes(n);
    }
}
