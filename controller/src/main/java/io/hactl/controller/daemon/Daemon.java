package io.hactl.controller.daemon;

import io.hactl.controller.config.HactlConfig;
import io.hactl.controller.control.ControlRequest;
import io.hactl.controller.control.ControlServer;
import io.hactl.controller.keepalived.FifoReader;
import io.hactl.controller.keepalived.NotifyFifoCheck;
import io.hactl.controller.role.Demotion;
import io.hactl.controller.role.Role;
import io.hactl.controller.role.RoleMachine;
import io.hactl.controller.vrrp.ExecutorLoop;
import io.hactl.controller.vrrp.VrrpController;
import io.hactl.controller.vrrp.net.NetVrrpIo;
import io.hactl.sync.engine.EngineConfig;
import io.hactl.sync.engine.EngineListener;
import io.hactl.sync.engine.EngineStatus;
import io.hactl.sync.engine.KernelAccess;
import io.hactl.sync.engine.Standing;
import io.hactl.sync.engine.SyncEngine;
import io.hactl.sync.wire.KeyFile;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hactl daemon}: the lifecycle of one gateway's daemon. It starts, in this order, the
 * control socket (a second daemon for the same socket stops there), the sync engine, the role
 * worker, the role source (keepalived's notify_fifo reader, or hactl's own VRRP) and the
 * metrics endpoint, then tells systemd READY; it closes them in reverse. What it answers is
 * {@link RequestDispatch}'s, what it reports {@link StatusAssembler}'s, the role steps
 * {@link EngineActions}' (with hactl's VRRP, run through {@link RoleSteps}).
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final HactlConfig cfg;
    private final Instant started = Instant.now();
    private volatile SyncEngine engine;
    /** Null until the engine runs: requests before then are refused. */
    private volatile RequestDispatch dispatch;
    private final ControlServer control;
    private final RoleMachine roles;
    private final EngineActions engineActions;
    private final Demotion demotion;
    private final StatusAssembler status;
    private FifoReader fifo;
    /** hactl's own VRRP with role.source vrrp; null otherwise. */
    private volatile VrrpController vrrp;
    private ExecutorLoop vrrpLoop;
    /** Whether the VRRP group was last told to hold back (guarded by {@link #holdBack}). */
    private boolean heldBack;
    private final java.util.concurrent.atomic.AtomicBoolean vrrpClosed = new java.util.concurrent.atomic.AtomicBoolean();
    private final SystemdNotify systemd = SystemdNotify.fromEnvironment();
    private Metrics metrics;
    private final ScheduledExecutorService roleWorker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hactl-role");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Daemon(HactlConfig cfg, byte[] key, boolean requireRootClients) throws Exception {
        this.cfg = cfg;
        String keyFingerprint = KeyFile.fingerprint(key);
        RoleFile roleFile = new RoleFile(cfg.controlSocket().getParent());
        this.engineActions = new EngineActions(() -> engine, roleFile);
        this.roles = new RoleMachine(cfg.node(), engineActions, System::nanoTime, Clock.systemUTC());
        this.demotion = new Demotion(cfg.node(), cfg.role().trackFile(), System::nanoTime,
                cfg.sync().deadAfter().multipliedBy(3));
        // the control socket first: a second daemon for the same socket stops here, before touching
        // the kernel or the sync port
        this.control = ControlServer.start(cfg.controlSocket(), this::handle, requireRootClients);
        EngineConfig shape = cfg.sync().toEngine(cfg.node(), key);
        Optional<Role> lastRole = roleFile.read();
        Standing standing = RoleFile.atStart(lastRole);
        LOG.info("{}: last role before this start: {} ({})", cfg.node(), lastRole.map(Enum::name).orElse("none"), standing);
        try {
            this.engine = SyncEngine.start(shape, new Listener(), KernelAccess.NETLINK, standing);
        } catch (Exception e) {
            control.close();
            roleWorker.shutdownNow();
            throw e;
        }
        this.status = new StatusAssembler(cfg, keyFingerprint, started, engine, roles, demotion);
        this.dispatch = new RequestDispatch(engine, status, roles, roleWorker, control::counters);
        roleWorker.scheduleWithFixedDelay(() -> {
            EngineStatus st = engine.status();
            boolean demoted = demotion.update(st.peerAlive(), vrrpRole(), st.externalFlows());
            holdBack(demoted);
        }, 0, 200, TimeUnit.MILLISECONDS);
        if ("keepalived".equals(cfg.role().source()) && cfg.role().notifyFifo() != null) {
            fifo = new FifoReader(cfg.node(), cfg.role().notifyFifo(), cfg.role().syncGroup(), this::roleEvent);
            fifo.start();
        }
        if ("vrrp".equals(cfg.role().source())) {
            try {
                startVrrp();
            } catch (Exception e) {
                closeVrrp();
                control.close();
                roleWorker.shutdownNow();
                engine.close();
                throw e;
            }
        }
        LOG.info("{}: hactl daemon ready (control socket {}, sync encryption {}, key fingerprint {})", cfg.node(),
                cfg.controlSocket(), cfg.sync().encryption().configName(), keyFingerprint);
        if (cfg.metricsListen() != null) {
            metrics = Metrics.start(cfg.metricsListen(), status::metrics);
            LOG.info("{}: metrics on http://{}:{}/metrics", cfg.node(), metrics.address().getAddress().getHostAddress(),
                    metrics.address().getPort());
        }
        systemd.send("READY=1\nSTATUS=" + status.oneLine());
        // STATUS every few seconds; the watchdog is pinged only while the engine's loop is alive
        long wdMillis = systemd.watchdog() == null ? 5000 : Math.max(100, systemd.watchdog().toMillis() / 2);
        roleWorker.scheduleWithFixedDelay(() -> {
            boolean loopAlive = engine.statusAgeMillis() < 2000;
            systemd.send((loopAlive && systemd.watchdog() != null ? "WATCHDOG=1\n" : "") + "STATUS=" + status.oneLine());
        }, wdMillis, wdMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * hactl's own VRRP as the role source: its sync group's states run the role machine's
     * transitions ({@link RoleSteps}); the demotion holds it back from preempting.
     */
    private void startVrrp() throws Exception {
        vrrpLoop = new ExecutorLoop("hactl-vrrp");
        NetVrrpIo io = NetVrrpIo.open(cfg.node(), cfg.role().vrrp());
        try {
            RoleSteps steps = new RoleSteps(roles, roleWorker, engine::standbyCurrent, engine::standbyCurrentNow);
            engineActions.onMasterCommitted(steps::masterCommitted);
            vrrp = new VrrpController(cfg.node(), cfg.role().vrrp(), io, vrrpLoop, steps);
        } catch (Exception e) {
            io.close();
            throw e;
        }
        status.vrrp(vrrp);
        io.start(vrrp);
        // before the group starts: held back until in sync, not only from the first tick on
        EngineStatus st = engine.status();
        holdBack(demotion.update(st.peerAlive(), vrrpRole(), st.externalFlows()));
        vrrp.start();
        LOG.info("{}: hactl VRRP started: {}", cfg.node(), cfg.role().vrrp().describe());
    }

    /**
     * The role as the demotion judges it. hactl's VRRP starts its group as BACKUP (never as an
     * address owner), so with it INIT, the moment before that first transition ran, is BACKUP:
     * a node that just started is held back from preempting from its first advertisement on.
     */
    private Role vrrpRole() {
        Role r = roles.role();
        return vrrp != null && r == Role.INIT ? Role.BACKUP : r;
    }

    /**
     * The demotion's verdict, given to hactl's VRRP (keepalived reads the track_file instead):
     * held back, the group does not preempt, yet still takes over a silent master.
     */
    private synchronized void holdBack(boolean demoted) {
        VrrpController v = vrrp;
        if (v == null || demoted == heldBack) {
            return;
        }
        heldBack = demoted;
        if (demoted) {
            v.holdBack(demotion.awaitingResends() ? "not in sync: the peer's bulk is being completed by resends"
                    : "not in sync: waiting for the peer's bulk resync");
        } else {
            v.release();
        }
    }

    /**
     * Shuts hactl's VRRP down before the engine: a MASTER advertises priority 0 (the peer takes
     * over after its skew time), takes its addresses down and hands over through the role
     * machine, whose steps are waited for here, each wait bounded.
     */
    private void closeVrrp() {
        if (vrrpClosed.getAndSet(true)) {
            return; // close() ran already
        }
        // not holding a lock: the role worker's tick (holdBack) may still run and is waited for
        VrrpController v = vrrp;
        vrrp = null;
        if (v != null) {
            try {
                v.stop().get(5, TimeUnit.SECONDS);
                // the STOP transition (the hand-over) runs on the role worker: wait for it
                roleWorker.submit(() -> { }).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | java.util.concurrent.RejectedExecutionException e) {
                LOG.warn("{}: stopping VRRP: {}", cfg.node(), e.toString());
            }
            try {
                v.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                LOG.warn("{}: closing VRRP sockets: {}", cfg.node(), e.toString());
            }
        }
        ExecutorLoop loop = vrrpLoop;
        vrrpLoop = null;
        if (loop != null) {
            try {
                loop.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Checks the notify_fifo and reads the key, then starts the control socket and the engine. */
    public static Daemon start(HactlConfig cfg, boolean requireRootClients) throws Exception {
        // before anything starts: the same check as config check's
        List<String> fifo = NotifyFifoCheck.problems(cfg);
        if (!fifo.isEmpty()) {
            throw new IOException("role.keepalived.notify-fifo: " + String.join("; ", fifo));
        }
        byte[] key = KeyFile.load(cfg.sync().keyFile());
        return new Daemon(cfg, key, requireRootClients);
    }

    /** Blocks until {@link #close()}. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    private Object handle(ControlRequest request) throws Exception {
        RequestDispatch d = dispatch;
        if (d == null) {
            throw new IllegalStateException("the daemon is still starting");
        }
        return request.accept(d);
    }

    /** A role change from the notify_fifo. */
    private void roleEvent(String state, String source) {
        if (roles.submit(Role.parse(state), source)) {
            roleWorker.execute(roles::runPending);
        }
    }

    /** A preload the engine asked for (called on its thread): it runs on the role worker, in order with transitions. */
    private void preload(String source) {
        roles.submitPreload(source);
        roleWorker.execute(roles::runPending);
    }

    /** What the engine tells about the peer, turned into demotion and preloads. */
    private final class Listener implements EngineListener {
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
            preload(RoleMachine.PEER_HANDOVER);
        }

        @Override
        public void onPeerAlive(boolean alive) {
            // a crashed master: the flows go into the kernel now, seconds before VRRP's
            // master-down interval ends (a cut sync link costs a load and a purge)
            if (!alive) {
                preload(RoleMachine.PEER_SILENT);
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
        closeVrrp();
        control.close();
        roleWorker.shutdownNow();
        if (engine != null) {
            engine.close();
        }
        stopped.countDown();
        LOG.info("{}: hactl daemon stopped", cfg.node());
    }
}
