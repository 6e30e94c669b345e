package io.hactl.controller.daemon;

import static io.hactl.controller.daemon.Await.result;

import io.hactl.controller.control.CommitReport;
import io.hactl.controller.control.ControlRequest;
import io.hactl.controller.control.NotifyReply;
import io.hactl.controller.control.StatusReport;
import io.hactl.controller.role.Role;
import io.hactl.controller.role.RoleMachine;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.engine.SyncEngine;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Answers each control request with its typed reply (Jackson writes it): queries from snapshots,
 * operations by waiting for the engine, role changes by queueing them for the role worker.
 */
final class RequestDispatch implements ControlRequest.Visitor<Object> {
    private final SyncEngine engine;
    private final StatusAssembler status;
    private final RoleMachine roles;
    private final Executor roleWorker;
    private final Supplier<Map<String, Long>> controlCounters;

    RequestDispatch(SyncEngine engine, StatusAssembler status, RoleMachine roles, Executor roleWorker,
                    Supplier<Map<String, Long>> controlCounters) {
        this.engine = engine;
        this.status = status;
        this.roles = roles;
        this.roleWorker = roleWorker;
        this.controlCounters = controlCounters;
    }

    @Override
    public String ping(ControlRequest.Ping request) {
        return "pong";
    }

    /** A role change announced by keepalived (or by hand); queued, run in order on the role worker. */
    @Override
    public NotifyReply notify(ControlRequest.Notify request) {
        Role to = Role.parse(request.state());
        boolean queued = roles.submit(to, request.source());
        if (queued) {
            roleWorker.execute(roles::runPending);
        }
        return new NotifyReply(queued, to.name(), roles.role().name());
    }

    @Override
    public StatusReport status(ControlRequest.Status request) {
        return status.status();
    }

    /** The engine's counters and the control socket's, every one of them, zero included, by name. */
    @Override
    public Map<String, Long> stats(ControlRequest.Stats request) {
        Map<String, Long> all = new TreeMap<>(engine.status().counters());
        all.putAll(controlCounters.get());
        return all;
    }

    @Override
    public CommitReport commit(ControlRequest.Commit request) throws Exception {
        return CommitReport.of(result(engine.commit()));
    }

    @Override
    public Integer flush(ControlRequest.Flush request) throws Exception {
        return result(engine.flush(cache(request.cache())));
    }

    @Override
    public Integer resync(ControlRequest.Resync request) throws Exception {
        return result(engine.resyncInternal());
    }

    @Override
    public Integer bulkSend(ControlRequest.BulkSend request) throws Exception {
        return result(engine.bulkSend());
    }

    @Override
    public String requestResync(ControlRequest.RequestResync request) throws Exception {
        result(engine.requestResync());
        return "requested";
    }

    /** Seconds until the purge runs. */
    @Override
    public Long purge(ControlRequest.Purge request) throws Exception {
        return result(engine.schedulePurge("hactl purge")).toSeconds();
    }

    /** The flows of one cache, one line each. */
    @Override
    public List<String> listCache(ControlRequest.ListCache request) throws Exception {
        List<Flow> flows = result(engine.flows(cache(request.cache())));
        return flows.stream().map(Flow::toString).toList();
    }

    private static SyncEngine.Cache cache(ControlRequest.CacheName name) {
        return switch (name) {
            case INTERNAL -> SyncEngine.Cache.INTERNAL;
            case EXTERNAL -> SyncEngine.Cache.EXTERNAL;
            case BOTH -> SyncEngine.Cache.BOTH;
        };
    }
}
