package io.hactl.controller.daemon;

import io.hactl.controller.config.HactlConfig;
import io.hactl.controller.control.CommitReport;
import io.hactl.controller.control.StatusReport;
import io.hactl.controller.control.TransitionReport;
import io.hactl.controller.control.VrrpReport;
import io.hactl.controller.role.Demotion;
import io.hactl.controller.role.RoleMachine;
import io.hactl.controller.role.Transition;
import io.hactl.controller.verdict.Judge;
import io.hactl.controller.verdict.Reason;
import io.hactl.controller.verdict.Verdict;
import io.hactl.controller.vrrp.VrrpController;
import io.hactl.controller.vrrp.VrrpStatus;
import io.hactl.sync.engine.EngineStatus;
import io.hactl.sync.engine.PurgeStatus;
import io.hactl.sync.engine.SyncEngine;
import io.hactl.sync.sys.Sysctl;
import io.hactl.sync.transport.LinkSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts together what the daemon reports about itself from one snapshot of the engine and the
 * role machine's record: the {@code status} answer, the line systemd shows and the metrics.
 */
final class StatusAssembler {
    private static final String DROPS = "drops_";
    private static final Path NETFILTER = Path.of("/proc/sys/net/netfilter");

    private final HactlConfig cfg;
    private final String keyFingerprint;
    private final Instant started;
    private final SyncEngine engine;
    private final RoleMachine roles;
    private final Demotion demotion;
    /** hactl's own VRRP with role.source vrrp, once it runs; null otherwise. */
    private volatile VrrpController vrrp;

    StatusAssembler(HactlConfig cfg, String keyFingerprint, Instant started, SyncEngine engine, RoleMachine roles,
                    Demotion demotion) {
        this.cfg = cfg;
        this.keyFingerprint = keyFingerprint;
        this.started = started;
        this.engine = engine;
        this.roles = roles;
        this.demotion = demotion;
    }

    /** Reports {@code controller}'s state from now on. */
    void vrrp(VrrpController controller) {
        this.vrrp = controller;
    }

    private VrrpStatus vrrpStatus() {
        VrrpController v = vrrp;
        return v == null ? null : v.status();
    }

    /** The verdict on this snapshot of the engine, with the role machine's record. */
    Verdict verdict(EngineStatus s) {
        return new Judge(cfg.sync().deadAfter()).verdict(s, roles.role(), demotion.demoted(), roles.last());
    }

    StatusReport status() {
        EngineStatus s = engine.status();
        Verdict v = verdict(s);
        Map<String, Long> counters = s.counters();
        Map<String, Long> drops = new TreeMap<>();
        counters.forEach((k, n) -> {
            if (k.startsWith(DROPS)) {
                drops.put(k.substring(DROPS.length()), n);
            }
        });
        LinkSpec link = cfg.sync().links().get(s.activeLink());
        PurgeStatus p = engine.purgeStatus();
        List<Transition> history = roles.history();
        // a preload (the peer handed over or went silent), which a MASTER transition right after hides
        TransitionReport lastPreload = history.stream().filter(RoleMachine::isPreload).reduce((x, y) -> y)
                .map(TransitionReport::of).orElse(null);
        VrrpStatus vs = vrrpStatus();
        RoleMachine.InProgress running = roles.inProgress();
        return new StatusReport(
                new StatusReport.VerdictReport(v.ok(), v.reasons(), v.evidence()),
                cfg.node(),
                Duration.between(started, Instant.now()).toSeconds(),
                roles.role().name(),
                cfg.role().source(),
                roles.roleSince().toString(),
                roles.roleAgeMillis(),
                demotion.demoted(),
                roles.pending(),
                new StatusReport.Peer(engine.config().peer(), s.peerAlive(), s.lastHeardMillisAgo(), s.rttMicros()),
                new StatusReport.Caches(s.internalFlows(), s.externalFlows(), s.internalBytes(), s.externalBytes()),
                new StatusReport.Sync(cfg.sync().reliable() ? "ftfw" : "notrack", s.lagMillis(), s.lagMaxMillis(),
                        s.resendQueue(), s.transmitQueue(), s.bulkReceiving(), s.bulksReceived(), link.describe(),
                        cfg.sync().links().size(), keyFingerprint, cfg.sync().encryption().configName(),
                        cfg.sync().directInject(), s.kernelWork().standbyBacklog(), s.kernelWork().standbyReconcile(),
                        s.kernelWork().resyncPending(), s.bulkOwed()),
                drops,
                counters.getOrDefault("messages_lost", 0L),
                counters.getOrDefault("retransmissions", 0L),
                s.purgeScheduledInMillis(),
                new StatusReport.Purge(p.dueInMillis(), p.reason(), p.waitingForPeer(), p.lastOutcome(), p.lastRemoved(),
                        p.lastMillisAgo(), p.running(), p.outcomes()),
                s.lastCommit() == null ? null : CommitReport.of(s.lastCommit()),
                history.isEmpty() ? null : TransitionReport.of(history.get(history.size() - 1)),
                lastPreload,
                history.size(),
                conntrack(NETFILTER),
                vs == null ? null : VrrpReport.of(vs),
                running == null ? null : new StatusReport.Running(running.from().name(), running.to().name(),
                        running.source(), running.step(), running.millis()));
    }

    /**
     * The conntrack table's limit and hash size, read at each status so that a fix with sysctl
     * shows at once. /proc/sys/net answers for the reading thread's network namespace: the
     * daemon's. Outside the initial namespace both files are read-only and show the host's values
     * (one hash table serves every namespace); -1 for a file missing (no nf_conntrack) or unreadable.
     */
    static StatusReport.Conntrack conntrack(Path netfilter) {
        return new StatusReport.Conntrack(number(netfilter.resolve("nf_conntrack_buckets")),
                number(netfilter.resolve("nf_conntrack_max")));
    }

    private static long number(Path file) {
        return Sysctl.readLong(file);
    }

    /** What {@code systemctl status} shows. */
    String oneLine() {
        EngineStatus s = engine.status();
        Verdict v = verdict(s);
        return "role " + roles.role() + ", peer " + (s.peerAlive() ? "alive" : "DEAD") + ", internal " + s.internalFlows()
                + " / external " + s.externalFlows() + " flows" + (demotion.demoted() ? ", demoted" : "")
                + (vrrp == null ? "" : ", vrrp " + vrrp.status().state())
                + (v.ok() ? ", verdict OK" : ", verdict NOT OK (" + String.join(", ", v.findings().keySet().stream()
                        .map(Reason::label).toList()) + ")");
    }

    /** What a metrics scrape reads. */
    Metrics.Snapshot metrics() {
        EngineStatus s = engine.status();
        return new Metrics.Snapshot(cfg.node(), roles.role(), demotion.demoted(), s, roles.last(), verdict(s), vrrpStatus());
    }
}
