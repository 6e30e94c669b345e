package io.hactl.controller.daemon;

import com.sun.net.httpserver.HttpServer;
import io.hactl.controller.role.Role;
import io.hactl.controller.role.Step;
import io.hactl.controller.role.Transition;
import io.hactl.controller.verdict.Reason;
import io.hactl.controller.verdict.Verdict;
import io.hactl.controller.vrrp.StepTime;
import io.hactl.controller.vrrp.VrrpInstanceStatus;
import io.hactl.controller.vrrp.VrrpState;
import io.hactl.controller.vrrp.VrrpStatus;
import io.hactl.sync.engine.EngineStatus;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Prometheus text exposition (version 0.0.4) on {@code GET /metrics}, served by the JDK's HTTP
 * server on the configured address (off unless configured). The Prometheus client builds and
 * writes it, escaping label values (the node's name is the operator's). Every metric is read
 * from one {@link Snapshot} taken at the scrape, so the numbers of one scrape agree.
 */
public final class Metrics implements AutoCloseable {
    private static final String DROPS = "drops_";
    private static final String[] NONE = {};
    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();

    /**
     * What the exposition is made of, read at each scrape.
     *
     * @param vrrp hactl's own VRRP with role.source vrrp; null otherwise
     */
    public record Snapshot(String node, Role role, boolean demoted, EngineStatus engine, Transition last,
                           Verdict verdict, VrrpStatus vrrp) {
        /** Without hactl's VRRP. */
        public Snapshot(String node, Role role, boolean demoted, EngineStatus engine, Transition last, Verdict verdict) {
            this(node, role, demoted, engine, last, verdict, null);
        }
    }

    private final HttpServer server;

    private Metrics(HttpServer server) {
        this.server = server;
    }

    public static Metrics start(InetSocketAddress listen, Supplier<Snapshot> source) throws IOException {
        HttpServer s = HttpServer.create(listen, 8);
        s.createContext("/metrics", ex -> {
            try (ex) {
                byte[] body = render(source.get()).getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", TEXT.getContentType());
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        s.setExecutor(null); // scrapes are answered one at a time on the server's own thread
        s.start();
        return new Metrics(s);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    static String render(Snapshot s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            TEXT.write(out, collect(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The metrics of one snapshot, each labelled with the node. */
    static MetricSnapshots collect(Snapshot s) {
        PrometheusRegistry r = new PrometheusRegistry();
        Labels node = Labels.of("node", s.node());
        EngineStatus e = s.engine();
        gauge(r, node, "hactl_role", "1 for the node's current role", new String[] {"role"}, cb -> {
            for (Role role : Role.values()) {
                cb.call(role == s.role() ? 1 : 0, role.name());
            }
        });
        gauge(r, node, "hactl_verdict_ok", "1 when the status verdict is OK (safe to fail over), else 0", NONE,
                cb -> cb.call(s.verdict().ok() ? 1 : 0));
        gauge(r, node, "hactl_verdict_reason", "1 for each reason the verdict is not OK", new String[] {"reason"}, cb -> {
            for (Reason reason : Reason.values()) {
                cb.call(s.verdict().findings().containsKey(reason) ? 1 : 0, reason.label());
            }
        });
        gauge(r, node, "hactl_demoted", "1 while demoted through keepalived's track_file", NONE,
                cb -> cb.call(s.demoted() ? 1 : 0));
        gauge(r, node, "hactl_peer_alive", "1 when the peer was heard within the dead interval", NONE,
                cb -> cb.call(e.peerAlive() ? 1 : 0));
        gauge(r, node, "hactl_peer_rtt_seconds", "round-trip time to the peer (-1 unknown)", NONE,
                cb -> cb.call(e.rttMicros() < 0 ? -1 : e.rttMicros() / 1e6));
        gauge(r, node, "hactl_cache_flows", "flows in each cache", new String[] {"cache"}, cb -> {
            cb.call(e.internalFlows(), "internal");
            cb.call(e.externalFlows(), "external");
        });
        gauge(r, node, "hactl_cache_bytes", "heap each cache retains", new String[] {"cache"}, cb -> {
            cb.call(e.internalBytes(), "internal");
            cb.call(e.externalBytes(), "external");
        });
        gauge(r, node, "hactl_replication_lag_seconds", "acknowledged replication lag, smoothed (-1 unknown)", NONE,
                cb -> cb.call(e.lagMillis() < 0 ? -1 : e.lagMillis() / 1e3));
        gauge(r, node, "hactl_resend_queue", "messages waiting for the peer's acknowledgement", NONE,
                cb -> cb.call(e.resendQueue()));
        gauge(r, node, "hactl_transmit_queue", "flows and controls waiting to be sent", NONE,
                cb -> cb.call(e.transmitQueue()));
        gauge(r, node, "hactl_standby_backlog_flows",
                "flows warm standby still has to write into the kernel (-1 not a warm standby)", NONE,
                cb -> cb.call(e.kernelWork().standbyBacklog()));
        Map<String, Long> counters = new TreeMap<>(e.counters());
        CounterWithCallback.builder().name("hactl_drops_total").help("datagrams or messages dropped, by reason")
                .constLabels(node).labelNames("reason").callback(cb -> counters.forEach((k, v) -> {
                    if (k.startsWith(DROPS)) {
                        cb.call(v, k.substring(DROPS.length()));
                    }
                })).register(r);
        CounterWithCallback.builder().name("hactl_events_total").help("every other counter of the engine, by name")
                .constLabels(node).labelNames("name").callback(cb -> counters.forEach((k, v) -> {
                    if (!k.startsWith(DROPS)) {
                        cb.call(v, k);
                    }
                })).register(r);
        gauge(r, node, "hactl_transition_step_seconds", "duration of each step of the last transition",
                new String[] {"to", "step", "ok"}, cb -> {
            Transition t = s.last();
            if (t != null) {
                for (Step st : t.steps()) {
                    cb.call(st.millis() / 1e3, t.to().name(), st.name(), String.valueOf(st.ok()));
                }
            }
        });
        if (s.vrrp() != null) {
            vrrp(r, node, s.vrrp());
        }
        return r.scrape();
    }

    /**
     * hactl's own VRRP: each instance's state, priority, the master it hears, its master-down
     * timer, adverts and drops; the group's hold-back, its last transition's steps, and the
     * takeovers by budget outcome.
     */
    private static void vrrp(PrometheusRegistry r, Labels node, VrrpStatus v) {
        gauge(r, node, "hactl_vrrp_state", "1 for each VRRP instance's current state", new String[] {"instance", "state"},
                cb -> {
            for (VrrpInstanceStatus i : v.instances()) {
                for (VrrpState st : VrrpState.values()) {
                    cb.call(st == i.state() ? 1 : 0, i.name(), st.name());
                }
            }
        });
        gauge(r, node, "hactl_vrrp_priority", "each VRRP instance's configured priority", new String[] {"instance"}, cb -> {
            for (VrrpInstanceStatus i : v.instances()) {
                cb.call(i.priority(), i.name());
            }
        });
        gauge(r, node, "hactl_vrrp_master_priority", "the priority of each VRRP instance's master as last heard, "
                + "by the master's address (this node's own while MASTER)", new String[] {"instance", "address"}, cb -> {
            for (VrrpInstanceStatus i : v.instances()) {
                if (i.masterAddress() != null) {
                    cb.call(i.masterPriority(), i.name(), i.masterAddress());
                }
            }
        });
        gauge(r, node, "hactl_vrrp_master_down_seconds", "while BACKUP, the time left before the instance takes over "
                + "unless it hears the master", new String[] {"instance"}, cb -> {
            for (VrrpInstanceStatus i : v.instances()) {
                if (i.masterDownMillis() >= 0) {
                    cb.call(i.masterDownMillis() / 1e3, i.name());
                }
            }
        });
        gauge(r, node, "hactl_vrrp_held_back", "1 while the group does not preempt: not in sync with a live peer "
                + "(hactl status says why)", NONE, cb -> cb.call(v.holdBack() == null ? 0 : 1));
        gauge(r, node, "hactl_vrrp_transition_step_seconds", "duration of each step of the VRRP group's last transition "
                + "(state, addresses, announce)", new String[] {"to", "step", "ok"}, cb -> {
            if (v.lastTransition() != null) {
                for (StepTime st : v.lastTransition().steps()) {
                    if (st.millis() >= 0) {
                        cb.call(st.millis() / 1e3, v.lastTransition().to().name(), st.step(), String.valueOf(st.error() == null));
                    }
                }
            }
        });
        gauge(r, node, "hactl_vrrp_transition_step_start_seconds", "when each step of the VRRP group's last transition "
                + "began, from the transition's start", new String[] {"to", "step"}, cb -> {
            if (v.lastTransition() != null) {
                for (StepTime st : v.lastTransition().steps()) {
                    cb.call(st.atMillis() / 1e3, v.lastTransition().to().name(), st.step());
                }
            }
        });
        CounterWithCallback.builder().name("hactl_vrrp_adverts_total").help("VRRP advertisements sent and accepted")
                .constLabels(node).labelNames("instance", "direction").callback(cb -> {
                    for (VrrpInstanceStatus i : v.instances()) {
                        cb.call(i.advertsSent(), i.name(), "sent");
                        cb.call(i.advertsReceived(), i.name(), "received");
                    }
                }).register(r);
        CounterWithCallback.builder().name("hactl_vrrp_drops_total").help("VRRP packets dropped by the receive checks")
                .constLabels(node).labelNames("instance", "reason").callback(cb -> {
                    for (VrrpInstanceStatus i : v.instances()) {
                        i.drops().forEach((reason, n) -> cb.call(n, i.name(), reason.name().toLowerCase(java.util.Locale.ROOT)));
                    }
                }).register(r);
        CounterWithCallback.builder().name("hactl_vrrp_takeovers_total")
                .help("takeovers whose state steps finished within the commit budget, or not").constLabels(node)
                .labelNames("budget").callback(cb -> {
                    cb.call(v.takeoverWithinBudget(), "within");
                    cb.call(v.takeoverOverBudget(), "over");
                }).register(r);
    }

    /** A gauge whose values {@code values} gives at the scrape, one per set of label values. */
    private static void gauge(PrometheusRegistry r, Labels node, String name, String help, String[] labels,
                              Consumer<GaugeWithCallback.Callback> values) {
        GaugeWithCallback.builder().name(name).help(help).constLabels(node).labelNames(labels).callback(values).register(r);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
