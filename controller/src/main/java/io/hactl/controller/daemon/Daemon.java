package io.hactl.controller.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hactl.controller.config.HactlConfig;
import io.hactl.controller.control.ControlProtocol;
import io.hactl.controller.control.ControlRequest;
import io.hactl.controller.control.ControlServer;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.engine.CommitResult;
import io.hactl.sync.engine.EngineListener;
import io.hactl.sync.engine.EngineStatus;
import io.hactl.sync.engine.SyncEngine;
import io.hactl.sync.transport.LinkSpec;
import io.hactl.sync.wire.KeyFile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hactl daemon}: runs the sync engine for one gateway and answers the control socket.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    private static final Duration OP_TIMEOUT = Duration.ofMinutes(2);

    private final HactlConfig cfg;
    private final String keyFingerprint;
    private final Instant started = Instant.now();
    private volatile SyncEngine engine;
    private final ControlServer control;
    private final io.hactl.controller.role.RoleMachine roles;
    private final io.hactl.controller.role.Demotion demotion;
    private io.hactl.controller.keepalived.FifoReader fifo;
    private final SystemdNotify systemd = SystemdNotify.fromEnvironment();
    private Metrics metrics;
    private final java.util.concurrent.ScheduledExecutorService roleWorker =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "hactl-role");
                t.setDaemon(true);
                return t;
            });
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final RoleFile roleFile;
    /** Why the role machine's next purge is scheduled (set as its transition or preload begins). */
    private volatile String purgeReason = "requested";

    private Daemon(HactlConfig cfg, byte[] key, boolean requireRootClients) throws Exception {
        this.cfg = cfg;
        this.keyFingerprint = KeyFile.fingerprint(key);
        // the control socket first: a second daemon for the same socket stops here, before touching
        // the kernel or the sync port
        this.roles = new io.hactl.controller.role.RoleMachine(cfg.node(), new EngineActions(), System::nanoTime,
                java.time.Clock.systemUTC());
        this.demotion = new io.hactl.controller.role.Demotion(cfg.node(), cfg.role().trackFile(), System::nanoTime,
                cfg.sync().deadAfter().multipliedBy(3));
        this.control = ControlServer.start(cfg.controlSocket(), this::handle, requireRootClients);
        io.hactl.sync.engine.EngineConfig shape = cfg.sync().toEngine(cfg.node(), key);
        this.roleFile = new RoleFile(cfg.controlSocket().getParent());
        java.util.Optional<io.hactl.controller.role.Role> lastRole = roleFile.read();
        io.hactl.sync.engine.Standing standing = RoleFile.atStart(lastRole);
        LOG.info("{}: last role before this start: {} ({})", cfg.node(), lastRole.map(Enum::name).orElse("none"), standing);
        try {
            this.engine = SyncEngine.start(shape, new EngineListener() {
                @Override
                public void onBulkReceived(long flows, boolean clean) {
                    if (clean) {
                        demotion.bulkReceived();
                    } else {
                        demotion.bulkReceivedWithLosses(flows);
                    }
                }

                @Override
                public void onFatalError(String where, Error error) {
                    // the engine logged it and can no longer be trusted: end now (no shutdown hooks,
                    // which would wait on the dead loop); systemd restarts the daemon on failure
                    System.err.println("hactl " + cfg.node() + ": fatal " + error + " in " + where + ", exiting");
                    Runtime.getRuntime().halt(70);
                }

                @Override
                public void onPeerHandover() {
                    preload(io.hactl.controller.role.RoleMachine.PEER_HANDOVER);
                }

                @Override
                public void onPeerAlive(boolean alive) {
                    // a crashed master: the flows go into the kernel now, seconds before VRRP's
                    // master-down interval ends (a cut sync link costs a load and a purge)
                    if (!alive) {
                        preload(io.hactl.controller.role.RoleMachine.PEER_SILENT);
                    }
                }

                @Override
                public void onPeerRestart() {
                    // what the peer did while it was away never reached us: ask again, hold back till then
                    demotion.peerRestarted();
                    SyncEngine e = engine;
                    if (e != null) {
                        e.requestResync();
                    }
                }
            }, io.hactl.sync.engine.KernelAccess.NETLINK, standing);
        } catch (Exception e) {
            control.close();
            roleWorker.shutdownNow();
            throw e;
        }
        roleWorker.scheduleWithFixedDelay(() -> {
            EngineStatus st = engine.status();
            demotion.update(st.peerAlive(), roles.role(), st.externalFlows());
        }, 0, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        if ("keepalived".equals(cfg.role().source()) && cfg.role().notifyFifo() != null) {
            fifo = new io.hactl.controller.keepalived.FifoReader(cfg.node(), cfg.role().notifyFifo(),
                    cfg.role().syncGroup(), this::roleEvent);
            fifo.start();
        }
        LOG.info("{}: hactl daemon ready (control socket {}, sync encryption {}, key fingerprint {})", cfg.node(),
                cfg.controlSocket(), cfg.sync().encryption().configName(), keyFingerprint);
        if (cfg.metricsListen() != null) {
            metrics = Metrics.start(cfg.metricsListen(), () -> {
                EngineStatus st = engine.status();
                return new Metrics.Snapshot(cfg.node(), roles.role(), demotion.demoted(), st, roles.last(), verdict(st));
            });
            LOG.info("{}: metrics on http://{}:{}/metrics", cfg.node(), metrics.address().getAddress().getHostAddress(),
                    metrics.address().getPort());
        }
        systemd.send("READY=1\nSTATUS=" + oneLineStatus());
        // STATUS every few seconds; the watchdog is pinged only while the engine's loop is alive
        long wdMillis = systemd.watchdog() == null ? 5000 : Math.max(100, systemd.watchdog().toMillis() / 2);
        roleWorker.scheduleWithFixedDelay(() -> {
            boolean loopAlive = engine.statusAgeMillis() < 2000;
            systemd.send((loopAlive && systemd.watchdog() != null ? "WATCHDOG=1\n" : "") + "STATUS=" + oneLineStatus());
        }, wdMillis, wdMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Reads the key, starts the engine and the control socket. */
    public static Daemon start(HactlConfig cfg, boolean requireRootClients) throws Exception {
        // before anything starts: the same check as config check's
        List<String> fifo = io.hactl.controller.keepalived.NotifyFifoCheck.problems(cfg);
        if (!fifo.isEmpty()) {
            throw new java.io.IOException("role.keepalived.notify-fifo: " + String.join("; ", fifo));
        }
        byte[] key = KeyFile.load(cfg.sync().keyFile());
        return new Daemon(cfg, key, requireRootClients);
    }

    /** Blocks until {@link #close()}. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private JsonNode handle(ControlRequest request) throws Exception {
        SyncEngine engine = this.engine;
        if (engine == null) {
            throw new IllegalStateException("the daemon is still starting");
        }
        if (request instanceof ControlRequest.Ping) {
            return ControlProtocol.JSON.getNodeFactory().textNode("pong");
        } else if (request instanceof ControlRequest.Notify n) {
            return notify(n);
        } else if (request instanceof ControlRequest.Status) {
            return status();
        } else if (request instanceof ControlRequest.Stats) {
            return stats(engine);
        } else if (request instanceof ControlRequest.Commit) {
            return commitResult(await(engine.commit()));
        } else if (request instanceof ControlRequest.Flush f) {
            return number(await(engine.flush(switch (f.cache()) {
                case INTERNAL -> SyncEngine.Cache.INTERNAL;
                case EXTERNAL -> SyncEngine.Cache.EXTERNAL;
                case BOTH -> SyncEngine.Cache.BOTH;
            })));
        } else if (request instanceof ControlRequest.Resync) {
            return number(await(engine.resyncInternal()));
        } else if (request instanceof ControlRequest.BulkSend) {
            return number(await(engine.bulkSend()));
        } else if (request instanceof ControlRequest.RequestResync) {
            await(engine.requestResync());
            return ControlProtocol.JSON.getNodeFactory().textNode("requested");
        } else if (request instanceof ControlRequest.Purge) {
            return number(await(engine.schedulePurge("hactl purge")).toSeconds());
        } else if (request instanceof ControlRequest.ListCache l) {
            List<Flow> flows = await(engine.flows(l.cache() == ControlRequest.CacheName.EXTERNAL
                    ? SyncEngine.Cache.EXTERNAL : SyncEngine.Cache.INTERNAL));
            ArrayNode a = ControlProtocol.JSON.createArrayNode();
            flows.forEach(f -> a.add(f.toString()));
            return a;
        }
        throw new IllegalArgumentException("unsupported request " + request);
    }

    /** The engine's counters and the control socket's, every one of them, zero included. */
    private JsonNode stats(SyncEngine engine) {
        Map<String, Long> all = new TreeMap<>(engine.status().counters());
        all.putAll(control.counters());
        return ControlProtocol.JSON.valueToTree(all);
    }

    /** What systemctl status shows. */
    private String oneLineStatus() {
        EngineStatus s = engine.status();
        io.hactl.controller.verdict.Verdict v = verdict(s);
        return "role " + roles.role() + ", peer " + (s.peerAlive() ? "alive" : "DEAD") + ", internal " + s.internalFlows()
                + " / external " + s.externalFlows() + " flows" + (demotion.demoted() ? ", demoted" : "")
                + (v.ok() ? ", verdict OK" : ", verdict NOT OK (" + String.join(", ", v.findings().keySet().stream()
                        .map(io.hactl.controller.verdict.Reason::label).toList()) + ")");
    }

    /** A role change from the notify_fifo. */
    private void roleEvent(String state, String source) {
        if (roles.submit(io.hactl.controller.role.Role.parse(state), source)) {
            roleWorker.execute(roles::runPending);
        }
    }

    /** A preload the engine asked for (called on its thread): it runs on the role worker, in order with transitions. */
    private void preload(String source) {
        roles.submitPreload(source);
        roleWorker.execute(roles::runPending);
    }

    /** A role change announced by keepalived (or by hand); queued, run in order on the role worker. */
    private JsonNode notify(ControlRequest.Notify req) {
        io.hactl.controller.role.Role to = io.hactl.controller.role.Role.parse(req.state());
        String source = req.source();
        boolean queued = roles.submit(to, source);
        if (queued) {
            roleWorker.execute(roles::runPending);
        }
        ObjectNode o = ControlProtocol.JSON.createObjectNode();
        o.put("queued", queued);
        o.put("state", to.name());
        o.put("role", roles.role().name());
        return o;
    }

    /** The role machine's actions, each waiting for the engine. */
    private final class EngineActions implements io.hactl.controller.role.StateActions {
        @Override
        public void beginning(io.hactl.controller.role.Role from, io.hactl.controller.role.Role to, String source)
                throws Exception {
            purgeReason = from == to ? source + " (preload, " + to + ")" : to + " (" + source + ")";
            if (from == to) {
                return;
            }
            // before the steps: a MASTER's resync claims the marked flows, a BACKUP's purge may run
            await(engine.setStanding(RoleFile.of(to)));
            if (to != io.hactl.controller.role.Role.INIT) {
                roleFile.write(to);
            }
        }

        @Override
        public String commit() throws Exception {
            // a preload or the MASTER transition: what the preload just before wrote stays as it is
            return await(engine.commitChanges()).toString();
        }

        @Override
        public String flushCaches() throws Exception {
            return await(engine.flush(SyncEngine.Cache.BOTH)) + " flows flushed";
        }

        @Override
        public String resyncInternal() throws Exception {
            // the MASTER transition's bulk-send follows and carries every flow
            return await(engine.resyncInternalQuietly()) + " flows from the kernel";
        }

        @Override
        public String bulkSend() throws Exception {
            return await(engine.bulkSend()) + " flows queued for the peer";
        }

        @Override
        public String schedulePurge() throws Exception {
            return "in " + await(engine.schedulePurge(purgeReason)).toSeconds() + " s";
        }

        @Override
        public String requestResync() throws Exception {
            await(engine.requestResync());
            return "requested";
        }

        @Override
        public String announceHandover() throws Exception {
            await(engine.announceHandover());
            return "the peer loads the flows now";
        }
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(OP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof Exception ex ? ex : new IllegalStateException(c);
        } catch (TimeoutException e) {
            throw new IllegalStateException("operation did not finish within " + OP_TIMEOUT.toSeconds() + " s");
        }
    }

    private static JsonNode number(long n) {
        return ControlProtocol.JSON.getNodeFactory().numberNode(n);
    }

    /**
     * Renders each kind of answer once, so that the first {@code hactl commit} after a start is
     * not held up ~70 ms by loading and linking the code that writes its answer (measured).
     */
    private static ObjectNode commitResult(CommitResult r) {
        ObjectNode o = ControlProtocol.JSON.createObjectNode();
        o.put("flows", r.flows());
        o.put("written", r.written());
        o.put("replaced", r.replaced());
        o.put("failed", r.failed());
        o.put("millis", r.millis());
        o.put("unchanged", r.unchanged());
        o.put("sinceMillis", r.sinceMillis());
        ObjectNode failures = o.putObject("failures");
        new TreeMap<>(r.failures()).forEach(failures::put);
        o.put("ok", r.ok());
        return o;
    }

    /** The verdict on this snapshot of the engine, with the role machine's record. */
    private io.hactl.controller.verdict.Verdict verdict(EngineStatus s) {
        List<io.hactl.controller.role.Transition> history = roles.history();
        return new io.hactl.controller.verdict.Judge(cfg.sync().deadAfter()).verdict(s, roles.role(), demotion.demoted(),
                history.isEmpty() ? null : history.get(history.size() - 1));
    }

    private ObjectNode status() {
        SyncEngine engine = this.engine;
        EngineStatus s = engine.status();
        ObjectNode o = ControlProtocol.JSON.createObjectNode();
        o.set("verdict", verdict(s).toJson());
        o.put("node", cfg.node());
        o.put("uptimeSeconds", Duration.between(started, Instant.now()).toSeconds());
        o.put("role", roles.role().name());
        o.put("roleSource", cfg.role().source());
        o.put("roleSince", roles.roleSince().toString());
        o.put("roleAgeMillis", roles.roleAgeMillis());
        o.put("demoted", demotion.demoted());
        o.put("transitionsPending", roles.pending());
        ObjectNode peer = o.putObject("peer");
        peer.put("address", engine.config().peer());
        peer.put("alive", s.peerAlive());
        peer.put("lastHeardMillis", s.lastHeardMillisAgo());
        peer.put("rttMicros", s.rttMicros());
        ObjectNode caches = o.putObject("caches");
        caches.put("internal", s.internalFlows());
        caches.put("external", s.externalFlows());
        caches.put("internalBytes", s.internalBytes());
        caches.put("externalBytes", s.externalBytes());
        ObjectNode sync = o.putObject("sync");
        sync.put("mode", cfg.sync().reliable() ? "ftfw" : "notrack");
        sync.put("lagMillis", s.lagMillis());
        sync.put("lagMaxMillis", s.lagMaxMillis());
        sync.put("resendQueue", s.resendQueue());
        sync.put("transmitQueue", s.transmitQueue());
        sync.put("bulkReceiving", s.bulkReceiving());
        sync.put("bulksReceived", s.bulksReceived());
        LinkSpec link = cfg.sync().links().get(s.activeLink());
        sync.put("activeLink", link.describe());
        sync.put("links", cfg.sync().links().size());
        sync.put("keyFingerprint", keyFingerprint);
        sync.put("encryption", cfg.sync().encryption().configName());
        sync.put("directInject", cfg.sync().directInject());
        ObjectNode drops = o.putObject("drops");
        Map<String, Long> counters = s.counters();
        counters.forEach((k, v) -> {
            if (k.startsWith("drops_")) {
                drops.put(k.substring(6), v);
            }
        });
        o.put("messagesLost", counters.getOrDefault("messages_lost", 0L));
        o.put("retransmissions", counters.getOrDefault("retransmissions", 0L));
        o.put("purgeInMillis", s.purgeScheduledInMillis());
        io.hactl.sync.engine.PurgeStatus p = engine.purgeStatus();
        ObjectNode purge = o.putObject("purge");
        purge.put("inMillis", p.dueInMillis());
        purge.put("reason", p.reason());
        purge.put("waitingForPeer", p.waitingForPeer());
        purge.put("last", p.lastOutcome());
        purge.put("lastRemoved", p.lastRemoved());
        purge.put("lastMillisAgo", p.lastMillisAgo());
        purge.put("running", p.running());
        purge.put("outcomes", p.outcomes());
        if (s.lastCommit() != null) {
            o.set("lastCommit", commitResult(s.lastCommit()));
        } else {
            o.putNull("lastCommit");
        }
        List<io.hactl.controller.role.Transition> history = roles.history();
        o.set("lastTransition", history.isEmpty() ? NullNode.getInstance() : transition(history.get(history.size() - 1)));
        // a preload (the peer handed over or went silent), which a MASTER transition right after hides
        o.set("lastPreload", history.stream()
                .filter(io.hactl.controller.role.RoleMachine::isPreload)
                .reduce((x, y) -> y).map(t -> (JsonNode) transition(t)).orElse(NullNode.getInstance()));
        o.put("transitions", history.size());
        return o;
    }

    private static ObjectNode transition(io.hactl.controller.role.Transition t) {
        ObjectNode lt = ControlProtocol.JSON.createObjectNode();
        lt.put("from", t.from().name());
        lt.put("to", t.to().name());
        lt.put("source", t.source());
        lt.put("at", t.at().toString());
        lt.put("millis", t.millis());
        lt.put("ok", t.ok());
        ArrayNode steps = lt.putArray("steps");
        for (io.hactl.controller.role.Step st : t.steps()) {
            ObjectNode so = steps.addObject();
            so.put("name", st.name());
            so.put("millis", st.millis());
            so.put("ok", st.ok());
            so.put("detail", st.detail());
        }
        return lt;
    }

    @Override
    public void close() {
        systemd.send("STOPPING=1");
        if (metrics != null) {
            metrics.close();
        }
        if (fifo != null) {
            fifo.close();
        }
        control.close();
        roleWorker.shutdownNow();
        if (engine != null) {
            engine.close();
        }
        stopped.countDown();
        LOG.info("{}: hactl daemon stopped", cfg.node());
    }
}
