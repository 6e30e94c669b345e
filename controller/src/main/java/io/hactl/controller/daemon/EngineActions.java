package io.hactl.controller.daemon;

import static io.hactl.controller.daemon.Await.result;

import io.hactl.controller.role.Role;
import io.hactl.controller.role.StateActions;
import io.hactl.sync.engine.SyncEngine;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The role machine's steps, each run on the engine and waited for. */
final class EngineActions implements StateActions {
    private final Supplier<SyncEngine> engine;
    private final RoleFile roleFile;
    /** Why the next purge is scheduled (set as a transition or preload begins, read by its purge step). */
    private volatile String purgeReason = "requested";
    /** The role the running transition goes to; null for a preload. */
    private volatile Role transitionTo;
    /** Told when a MASTER transition's commit ended, with its failure or null. */
    private volatile Consumer<Exception> masterCommitted = e -> { };

    EngineActions(Supplier<SyncEngine> engine, RoleFile roleFile) {
        this.engine = engine;
        this.roleFile = roleFile;
    }

    /**
     * {@code listener} is told when each MASTER transition's commit has ended (on the role
     * worker; it must not block): the peer's flows are in the kernel then, and hactl's VRRP
     * puts the virtual addresses up without waiting for the adoption and bulk-send.
     */
    void onMasterCommitted(Consumer<Exception> listener) {
        this.masterCommitted = listener;
    }

    @Override
    public void beginning(Role from, Role to, String source) throws Exception {
        transitionTo = from == to ? null : to;
        purgeReason = from == to ? source + " (preload, " + to + ")" : to + " (" + source + ")";
        if (from == to) {
            return;
        }
        // before the steps: a MASTER's resync claims the marked flows, a BACKUP's purge may run
        result(engine.get().setStanding(RoleFile.of(to)));
        if (to != Role.INIT) {
            roleFile.write(to);
        }
    }

    @Override
    public String commit() throws Exception {
        // a preload or the MASTER transition: what the preload just before wrote stays as it is
        boolean master = transitionTo == Role.MASTER;
        try {
            String done = result(engine.get().commitChanges()).toString();
            if (master) {
                masterCommitted.accept(null);
            }
            return done;
        } catch (Exception e) {
            if (master) {
                masterCommitted.accept(e);
            }
            throw e;
        }
    }

    @Override
    public String adoptPeerFlows() throws Exception {
        return result(engine.get().adoptPeerFlows()).toString();
    }

    @Override
    public String bulkSend() throws Exception {
        int n = result(engine.get().bulkSendWhenHeard());
        return n < 0 ? "the peer was not heard within a heartbeat: the bulk goes when it is" : n + " flows queued for the peer";
    }

    @Override
    public String schedulePurge() throws Exception {
        return "in " + result(engine.get().schedulePurge(purgeReason)).toSeconds() + " s";
    }

    @Override
    public String requestResync() throws Exception {
        result(engine.get().requestResync());
        return "requested";
    }

    @Override
    public String announceHandover() throws Exception {
        result(engine.get().announceHandover());
        return "the peer loads the flows now";
    }
}
