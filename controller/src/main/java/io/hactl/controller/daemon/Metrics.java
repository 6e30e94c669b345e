package io.hactl.controller.daemon;

import com.sun.net.httpserver.HttpServer;
import io.hactl.controller.role.Role;
import io.hactl.controller.role.Step;
import io.hactl.controller.role.Transition;
import io.hactl.controller.verdict.Reason;
import io.hactl.controller.verdict.Verdict;
import io.hactl.sync.engine.EngineStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Prometheus text exposition (version 0.0.4) on {@code GET /metrics}, served by the JDK's HTTP
 * server on the configured address (loopback by default in the example; off unless configured).
 */
public final class Metrics implements AutoCloseable {
    /** What the exposition is made of, read at each scrape. */
    public record Snapshot(String node, Role role, boolean demoted, EngineStatus engine, Transition last,
                           Verdict verdict) {}

    private final HttpServer server;

    private Metrics(HttpServer server) {
        this.server = server;
    }

    public static Metrics start(InetSocketAddress listen, Supplier<Snapshot> source) throws IOException {
        HttpServer s = HttpServer.create(listen, 8);
        s.createContext("/metrics", ex -> {
            byte[] body = render(source.get()).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        s.setExecutor(null);
        s.start();
        return new Metrics(s);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    static String render(Snapshot s) {
        StringBuilder b = new StringBuilder();
        String node = "node=\"" + s.node() + "\"";
        help(b, "hactl_role", "gauge", "1 for the node's current role");
        for (Role r : Role.values()) {
            b.append("hactl_role{").append(node).append(",role=\"").append(r).append("\"} ")
                    .append(r == s.role() ? 1 : 0).append('\n');
        }
        EngineStatus e = s.engine();
        gauge(b, "hactl_verdict_ok", "1 when the status verdict is OK (safe to fail over), else 0", node,
                s.verdict().ok() ? 1 : 0);
        help(b, "hactl_verdict_reason", "gauge", "1 for each reason the verdict is not OK");
        for (Reason r : Reason.values()) {
            b.append("hactl_verdict_reason{").append(node).append(",reason=\"").append(r.label()).append("\"} ")
                    .append(s.verdict().findings().containsKey(r) ? 1 : 0).append('\n');
        }
        gauge(b, "hactl_demoted", "1 while demoted through keepalived's track_file", node, s.demoted() ? 1 : 0);
        gauge(b, "hactl_peer_alive", "1 when the peer was heard within the dead interval", node, e.peerAlive() ? 1 : 0);
        gauge(b, "hactl_peer_rtt_seconds", "round-trip time to the peer (-1 unknown)", node,
                e.rttMicros() < 0 ? -1 : e.rttMicros() / 1e6);
        help(b, "hactl_cache_flows", "gauge", "flows in each cache");
        b.append("hactl_cache_flows{").append(node).append(",cache=\"internal\"} ").append(e.internalFlows()).append('\n');
        b.append("hactl_cache_flows{").append(node).append(",cache=\"external\"} ").append(e.externalFlows()).append('\n');
        help(b, "hactl_cache_bytes", "gauge", "heap each cache retains");
        b.append("hactl_cache_bytes{").append(node).append(",cache=\"internal\"} ").append(e.internalBytes()).append('\n');
        b.append("hactl_cache_bytes{").append(node).append(",cache=\"external\"} ").append(e.externalBytes()).append('\n');
        gauge(b, "hactl_replication_lag_seconds", "acknowledged replication lag, smoothed (-1 unknown)", node,
                e.lagMillis() < 0 ? -1 : e.lagMillis() / 1e3);
        gauge(b, "hactl_resend_queue", "messages waiting for the peer's acknowledgement", node, e.resendQueue());
        gauge(b, "hactl_transmit_queue", "flows and controls waiting to be sent", node, e.transmitQueue());
        Map<String, Long> c = new TreeMap<>(e.counters());
        help(b, "hactl_drops_total", "counter", "datagrams or messages dropped, by reason");
        c.forEach((k, v) -> {
            if (k.startsWith("drops_")) {
                b.append("hactl_drops_total{").append(node).append(",reason=\"").append(k.substring(6)).append("\"} ")
                        .append(v).append('\n');
            }
        });
        help(b, "hactl_events_total", "counter", "every other counter of the engine, by name");
        c.forEach((k, v) -> {
            if (!k.startsWith("drops_")) {
                b.append("hactl_events_total{").append(node).append(",name=\"").append(k).append("\"} ").append(v)
                        .append('\n');
            }
        });
        help(b, "hactl_transition_step_seconds", "gauge", "duration of each step of the last transition");
        Transition t = s.last();
        if (t != null) {
            for (Step st : t.steps()) {
                b.append("hactl_transition_step_seconds{").append(node).append(",to=\"").append(t.to()).append("\",step=\"")
                        .append(st.name()).append("\",ok=\"").append(st.ok()).append("\"} ")
                        .append(String.format(Locale.ROOT, "%.3f", st.millis() / 1e3)).append('\n');
            }
        }
        return b.toString();
    }

    private static void help(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder b, String name, String help, String labels, double v) {
        help(b, name, "gauge", help);
        b.append(name).append('{').append(labels).append("} ");
        if (v == Math.rint(v)) {
            b.append((long) v);
        } else {
            b.append(String.format(Locale.ROOT, "%.6f", v));
        }
        b.append('\n');
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
