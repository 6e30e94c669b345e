package io.hactl.lab.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** The report's PNG: paired bars, conntrackd and hactl, for every timed row (log scale). */
final class ReportChart {
    private ReportChart() {}

    record Bar(String label, double conntrackd, double hactl) {}

    static void write(Path file, List<FailoverBench.Failover> failovers, List<Integer> sync,
                      Map<String, Bench.Figures> figures) throws Exception {
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i + 1 < failovers.size(); i += 2) {
            FailoverBench.Failover c = failovers.get(i);
            FailoverBench.Failover h = failovers.get(i + 1);
            bars.add(new Bar(String.format(Locale.ROOT, "%s %dk", c.mode(), c.flows() / 1000),
                    c.report().worstStallMillis() / 1000.0, h.report().worstStallMillis() / 1000.0));
        }
        for (int n : sync) {
            Bench.Figures c = figures.get("conntrackd " + n);
            Bench.Figures h = figures.get("hactl " + n);
            String k = n / 1000 + "k";
            bars.add(new Bar("live " + k, c.liveSeconds(), h.liveSeconds()));
            bars.add(new Bar("resync " + k, c.resyncSeconds(), h.resyncSeconds()));
            bars.add(new Bar("resync again " + k, c.resyncAgainSeconds(), h.resyncAgainSeconds()));
            bars.add(new Bar("commit " + k, c.commitSeconds(), h.commitSeconds()));
        }
        int w = 120 + bars.size() * 110;
        int h = 520;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("hactl vs conntrackd (seconds, log scale; lower is better): failover worst stall, then live"
                + " replication, resync, commit", 20, 28);
        int top = 60;
        int bottom = h - 90;
        int left = 80;
        double min = 0.001;
        double max = 10;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double v = min; v <= max * 1.0001; v *= 10) {
            int y = y(v, min, max, top, bottom);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, y, w - 20, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(v < 1 ? String.format(Locale.ROOT, "%.3f s", v) : String.format(Locale.ROOT, "%.0f s", v), 10, y + 4);
        }
        Color ct = new Color(200, 90, 60);
        Color ha = new Color(50, 110, 190);
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            int x = left + 20 + i * 110;
            bar(g, x, b.conntrackd(), ct, min, max, top, bottom);
            bar(g, x + 36, b.hactl(), ha, min, max, top, bottom);
            g.setColor(Color.BLACK);
            g.drawString(b.label(), x - 4, bottom + 18);
        }
        g.setColor(ct);
        g.fillRect(left, h - 40, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString("conntrackd + keepalived + primary-backup.sh", left + 20, h - 28);
        g.setColor(ha);
        g.fillRect(left + 330, h - 40, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString("hactl + keepalived", left + 350, h - 28);
        g.setStroke(new BasicStroke(1));
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void bar(Graphics2D g, int x, double v, Color c, double min, double max, int top, int bottom) {
        int y = y(Math.max(v, min), min, max, top, bottom);
        g.setColor(c);
        g.fillRect(x, y, 30, bottom - y);
        g.setColor(Color.BLACK);
        g.drawString(String.format(Locale.ROOT, v < 1 ? "%.3f" : "%.2f", v), x - 2, y - 4);
    }

    private static int y(double v, double min, double max, int top, int bottom) {
        double f = (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
        return (int) (bottom - f * (bottom - top));
    }
}
