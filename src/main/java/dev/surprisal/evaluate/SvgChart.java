package dev.surprisal.evaluate;

import java.util.List;

/** Inline SVG charts for the report: line plots (ROC, precision/recall, F1) and histograms; nothing fetched. */
final class SvgChart {

    private static final int W = 420;
    private static final int H = 300;
    private static final int PAD = 46;

    /** One named line: x and y in the same order, x ascending. */
    record Series(String name, double[] x, double[] y) {
    }

    private SvgChart() {
    }

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c"};

    static String lines(String title, String xLabel, String yLabel, boolean logX, List<Series> all) {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        for (Series s : all) {
            for (double x : s.x()) {
                double v = logX ? Math.log10(Math.max(x, 1e-9)) : x;
                if (Double.isFinite(v)) {
                    xMin = Math.min(xMin, v);
                    xMax = Math.max(xMax, v);
                }
            }
        }
        if (!logX) {
            xMin = Math.min(0, xMin);
            xMax = Math.max(1, xMax);
        }
        if (!(xMax > xMin)) {
            xMax = xMin + 1;
        }
        StringBuilder svg = frame(title, xLabel, yLabel, logX ? "10^" + HtmlReport.fmt(xMin) : HtmlReport.fmt(xMin), logX ? "10^" + HtmlReport.fmt(xMax) : HtmlReport.fmt(xMax));
        for (int k = 0; k < all.size(); k++) {
            Series s = all.get(k);
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                double v = logX ? Math.log10(Math.max(s.x()[i], 1e-9)) : s.x()[i];
                if (!Double.isFinite(v) || !Double.isFinite(s.y()[i])) {
                    continue;
                }
                path.append(path.length() == 0 ? "M" : "L").append(HtmlReport.fmt(px(v, xMin, xMax))).append(',')
                        .append(HtmlReport.fmt(py(s.y()[i], 0, 1))).append(' ');
            }
            svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(COLOURS[k % COLOURS.length])
                    .append("\" stroke-width=\"2\"/>");
            legend(svg, k, s.name());
        }
        return svg.append("</svg>").toString();
    }

    /**
     * Shares of events by mean surprisal, per group (events of normal sessions, of anomalous ones). Bins
     * are even in log(1 + bits): most events sit near zero and the tail is what matters.
     */
    static String histogram(double[][] groups, String title) {
        double max = 0;
        for (double[] g : groups) {
            for (double v : g) {
                max = Math.max(max, v);
            }
        }
        max = Math.max(max, 1e-6);
        double logMax = Math.log1p(max);
        int bins = 30;
        double[][] density = new double[groups.length][bins];
        double top = 0;
        for (int k = 0; k < groups.length; k++) {
            for (double v : groups[k]) {
                density[k][Math.min(bins - 1, (int) (Math.log1p(Math.max(0, v)) / logMax * bins))]++;
            }
            for (int b = 0; b < bins; b++) {
                density[k][b] = groups[k].length == 0 ? 0 : density[k][b] / groups[k].length;
                top = Math.max(top, density[k][b]);
            }
        }
        StringBuilder svg = frame(title + " — share of events", "bits/token (log scale)", "share", "0",
                HtmlReport.fmt(max), HtmlReport.fmt(top));
        double width = (W - 2.0 * PAD) / bins;
        boolean labelled = groups.length > 1 && groups[1].length > 0;
        String[] names = labelled ? new String[] {"events of normal sessions", "events of anomalous sessions"}
                : new String[] {"events", ""};
        for (int k = 0; k < groups.length; k++) {
            if (groups[k].length == 0) {
                continue;
            }
            for (int b = 0; b < bins; b++) {
                double y = py(density[k][b], 0, top);
                svg.append("<rect x=\"").append(HtmlReport.fmt(PAD + b * width)).append("\" y=\"").append(HtmlReport.fmt(y)).append("\" width=\"")
                        .append(HtmlReport.fmt(width)).append("\" height=\"").append(HtmlReport.fmt(H - PAD - y)).append("\" fill=\"")
                        .append(COLOURS[k]).append("\" fill-opacity=\"0.5\"/>");
            }
            legend(svg, k, names[k] + " (" + groups[k].length + ")");
        }
        return svg.append("</svg>").toString();
    }

    private static StringBuilder frame(String title, String xLabel, String yLabel, String xMin, String xMax) {
        return frame(title, xLabel, yLabel, xMin, xMax, "1");
    }

    private static StringBuilder frame(String title, String xLabel, String yLabel, String xMin, String xMax,
                                       String yMax) {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" font-size=\"11\" font-family=\"sans-serif\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>")
                .append("<text x=\"").append(W / 2).append("\" y=\"16\" text-anchor=\"middle\" font-size=\"13\">")
                .append(HtmlReport.esc(title)).append("</text>")
                .append("<line x1=\"").append(PAD).append("\" y1=\"").append(H - PAD).append("\" x2=\"").append(W - PAD)
                .append("\" y2=\"").append(H - PAD).append("\" stroke=\"#333\"/>")
                .append("<line x1=\"").append(PAD).append("\" y1=\"").append(PAD).append("\" x2=\"").append(PAD)
                .append("\" y2=\"").append(H - PAD).append("\" stroke=\"#333\"/>")
                .append("<text x=\"").append(W / 2).append("\" y=\"").append(H - 12).append("\" text-anchor=\"middle\">")
                .append(HtmlReport.esc(xLabel)).append("</text>")
                .append("<text x=\"14\" y=\"").append(H / 2).append("\" transform=\"rotate(-90 14 ").append(H / 2)
                .append(")\" text-anchor=\"middle\">").append(HtmlReport.esc(yLabel)).append("</text>")
                .append("<text x=\"").append(PAD).append("\" y=\"").append(H - PAD + 14).append("\">").append(HtmlReport.esc(xMin)).append("</text>")
                .append("<text x=\"").append(PAD - 4).append("\" y=\"").append(H - PAD).append("\" text-anchor=\"end\">0</text>")
                .append("<text x=\"").append(PAD - 4).append("\" y=\"").append(PAD + 4).append("\" text-anchor=\"end\">")
                .append(yMax).append("</text>")
                .append("<text x=\"").append(W - PAD).append("\" y=\"").append(H - PAD + 14).append("\" text-anchor=\"end\">")
                .append(HtmlReport.esc(xMax)).append("</text>");
        return svg;
    }

    private static void legend(StringBuilder svg, int k, String name) {
        int y = PAD + 4 + k * 15;
        svg.append("<rect x=\"").append(W - PAD - 150).append("\" y=\"").append(y - 9).append("\" width=\"10\" height=\"10\" fill=\"")
                .append(COLOURS[k % COLOURS.length]).append("\"/><text x=\"").append(W - PAD - 135).append("\" y=\"").append(y)
                .append("\">").append(HtmlReport.esc(name)).append("</text>");
    }

    private static double px(double x, double min, double max) {
        return PAD + (x - min) / (max - min) * (W - 2.0 * PAD);
    }

    private static double py(double y, double min, double max) {
        return H - PAD - (max > min ? (y - min) / (max - min) : 0) * (H - 2.0 * PAD);
    }
}
