package io.hactl.controller.daemon;

import static io.hactl.controller.daemon.Await.result;

import io.hactl.controller.role.Role;
import io.hactl.controller.role.StateActions;
import io.hactl.sync.engine.SyncEngine;
import java.util.function.Supplier;

/** The role machine's steps, each run on the engine and waited for. */
final class EngineActions implements StateActions {
    private final Supplier<SyncEngine> engine;
    private final RoleFile roleFile;
    /** Why the next purge is scheduled (set as a transition or preload begins, read by its purge step). */
    private volatile String purgeReason = "requested";

    EngineActions(Supplier<SyncEngine> engine, RoleFile roleFile) {
        this.engine = engine;
        this.roleFile = roleFile;
    }

    @Override
    public void beginning(Role from, Role to, String source) throws Exception {
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
        return result(engine.get().commitChanges()).toString();
    }

    @Override
    public String flushCaches() throws Exception {
        return result(engine.get().flush(SyncEngine.Cache.BOTH)) + " flows flushed";
    }

    @Override
    public String resyncInternal() throws Exception {
        // the MASTER transition's bulk-send follows and carries every flow
        return result(engine.get().resyncInternalQuietly()) + " flows from the kernel";
    }

    @Override
    public String bulkSend() throws Exception {
        return result(engine.get().bulkSend()) + " flows queued for the peer";
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
