package io.hactl.sync.engine;

import io.hactl.sync.cache.EncodingList;
import io.hactl.sync.cache.FlowStore;
import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.ctnetlink.BatchMode;
import io.hactl.sync.ctnetlink.BatchResult;
import io.hactl.sync.ctnetlink.Conntrack;
import io.hactl.sync.netlink.AttrWriter;
import io.hactl.sync.netlink.Errno;
import io.hactl.sync.netlink.NetlinkException;
import io.hactl.sync.wire.CompactFlow;
import io.hactl.sync.wire.CompactFlowException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The kernel writing that the commit ({@link KernelWriter}) and warm standby ({@link WarmStandby})
 * share: a batch of external-cache flows is transcoded from the compact encoding straight into
 * CT_NEW requests and written in one batch, on the worker; the entries the kernel refuses as
 * unchangeable (EBUSY) are deleted and created again, every other failure is counted by errno.
 * Back on the loop, what the kernel took is recorded in the {@link KernelCopies} this class owns,
 * so that a commit of the changes writes only what the kernel does not hold as last received.
 */
final class BatchWriter {
    /**
     * A kernel copy whose timeout runs out sooner than this counts as not current: a commit of the
     * changes or a reconcile writes it again, as it could expire from the kernel before the
     * traffic refreshes it.
     */
    static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);

    /** Flows of the external cache to write: handle, encoding and update time each; taken at {@code takenAt}. */
    record Batch(int[] handles, EncodingList encodings, long[] updated, long takenAt) {
        int size() {
            return handles.length;
        }
    }

    /** What writing a batch did: which flows the kernel took, with which timeout (s), and the failures by errno. */
    record Outcome(int written, int replaced, BitSet ok, long[] timeouts, Map<String, Integer> failures) {
        int failed(int n) {
            return n - written - replaced;
        }
    }

    /** A growing batch, filled on the loop. */
    static final class Pending {
        private int[] handles = new int[64];
        private EncodingList encodings = new EncodingList();
        private long[] updated = new long[64];
        private int size;

        /** The flow a live handle of {@code store} names, as held there. */
        void add(FlowStore store, int h, long u) {
            room();
            store.copyEncoding(h, encodings);
            handles[size] = h;
            updated[size++] = u;
        }

        private void room() {
            if (size == handles.length) {
                int n = size * 2;
                handles = Arrays.copyOf(handles, n);
                updated = Arrays.copyOf(updated, n);
            }
        }

        Batch take(long takenAt) {
            Batch b = new Batch(Arrays.copyOf(handles, size), encodings, Arrays.copyOf(updated, size), takenAt);
            clear();
            return b;
        }

        void clear() {
            encodings = new EncodingList();
            size = 0;
        }

        int size() {
            return size;
        }

        boolean isEmpty() {
            return size == 0;
        }
    }

    private final EngineContext ctx;
    private final Conntrack kernel;
    private final CommitPlanner planner;
    private final CommitEncoder encoder;

    // loop-owned
    private final KernelCopies copies = new KernelCopies();
    /** When the kernel copies were last written (by a commit or warm standby); -1 before. */
    private long lastWrittenAt = -1;

    BatchWriter(EngineContext ctx, Conntrack kernel) {
        this.ctx = ctx;
        this.kernel = kernel;
        this.planner = new CommitPlanner(ctx.cfg.commitTimeout(), ctx.cfg.tcpWindowTracking(), ctx.cfg.ownerMark());
        this.encoder = new CommitEncoder(planner);
    }

    /** Which version of each flow the kernel holds as written (on the loop). */
    KernelCopies copies() {
        return copies;
    }

    /** When a batch the kernel took any flow of was taken; -1 before (on the loop). */
    long lastWrittenAt() {
        return lastWrittenAt;
    }

    /**
     * Writes a batch, each request transcoded from the compact encoding straight into the kernel
     * message (no flow objects). (Two sockets on two threads gain nothing: ctnetlink serializes
     * the inserts under a mutex, and the waiting thread spins on it.) Runs on the worker.
     */
    Outcome write(Batch b) throws NetlinkException {
        int n = b.size();
        long[] timeouts = new long[n];
        if (n == 0) {
            return new Outcome(0, 0, new BitSet(), timeouts, Map.of());
        }
        return replaceBusy(kernel.batch(n, BatchMode.CREATE_OR_UPDATE, requests(b, timeouts)), planned(b), timeouts);
    }

    /**
     * Records what the kernel took, for the flows the cache still holds in that version (on the
     * loop). Returns how many of the batch's flows the kernel did not take.
     */
    int record(Batch b, Outcome o) {
        for (int i = o.ok.nextSetBit(0); i >= 0; i = o.ok.nextSetBit(i + 1)) {
            int h = b.handles[i];
            if (ctx.external.isLive(h) && ctx.external.updatedAt(h) == b.updated[i]) {
                copies.written(h, b.updated[i], b.takenAt + o.timeouts[i] * 1_000_000_000L);
            }
        }
        if (!o.ok.isEmpty()) {
            lastWrittenAt = Math.max(lastWrittenAt, b.takenAt);
        }
        return o.failed(b.size());
    }

    /** The CT_NEW requests of the batch's flows, transcoded from their encodings; each one's timeout into {@code timeouts}. */
    private Conntrack.NewRequests requests(Batch b, long[] timeouts) {
        return new Conntrack.NewRequests() {
            private int at = -1;
            private byte[] enc; // flow at's: the family is asked before its request is written

            private byte[] encoding(int i) {
                if (i != at) {
                    enc = b.encodings.get(i);
                    at = i;
                }
                return enc;
            }

            @Override
            public int family(int i) {
                return CommitEncoder.family(encoding(i));
            }

            @Override
            public void write(AttrWriter w, int i) {
                try {
                    timeouts[i] = encoder.write(w, encoding(i), b.updated[i], b.takenAt);
                } catch (CompactFlowException e) {
                    // the cache holds only what it validated on arrival
                    throw new IllegalStateException("external cache entry undecodable: " + e.getMessage(), e);
                }
            }
        };
    }

    /** The planned flow of the batch's flow {@code i} (for the few the kernel refuses). */
    private IntFunction<Flow> planned(Batch b) {
        return i -> {
            try {
                return planner.plan(CompactFlow.decode(b.encodings.get(i)), b.updated[i], b.takenAt);
            } catch (CompactFlowException e) {
                throw new IllegalStateException("external cache entry undecodable: " + e.getMessage(), e);
            }
        };
    }

    /**
     * After a batched write: the flows the kernel refused as unchangeable (EBUSY: an entry whose
     * fixed bits differ) are deleted and created again; a translated flow that exists already
     * (EOPNOTSUPP: the kernel sets NAT only on create) is updated without its NAT, which the entry
     * has; every other failure is counted by errno. Runs on the worker.
     */
    private Outcome replaceBusy(BatchResult r, IntFunction<Flow> flowAt, long[] timeouts) throws NetlinkException {
        BitSet ok = new BitSet(r.size());
        List<Flow> retry = new ArrayList<>();
        List<Integer> retried = new ArrayList<>();
        List<Flow> natUpdates = new ArrayList<>();
        List<Integer> natUpdated = new ArrayList<>();
        for (int i = 0; i < r.size(); i++) {
            if (r.ok(i)) {
                ok.set(i);
            } else if (r.errno(i) == Errno.EBUSY) {
                retry.add(flowAt.apply(i));
                retried.add(i);
            } else if (r.errno(i) == Errno.EOPNOTSUPP) {
                Flow f = flowAt.apply(i);
                if (f.snat() != null || f.dnat() != null) {
                    natUpdates.add(f.toBuilder().snat(null).dnat(null).build());
                    natUpdated.add(i);
                }
            }
        }
        int replaced = 0;
        Map<String, Integer> failures = new HashMap<>(r.failures());
        failures.remove("EBUSY");
        int written = r.succeeded();
        if (!natUpdates.isEmpty()) {
            failures.computeIfPresent("EOPNOTSUPP", (k, v) -> v == natUpdates.size() ? null : v - natUpdates.size());
            BatchResult updated = kernel.batch(natUpdates, BatchMode.UPDATE);
            for (int j = 0; j < updated.size(); j++) {
                if (updated.ok(j)) {
                    ok.set(natUpdated.get(j));
                    timeouts[natUpdated.get(j)] = natUpdates.get(j).timeout();
                }
            }
            written += updated.succeeded();
            updated.failures().forEach((k, v) -> failures.merge(k, v, Integer::sum));
        }
        if (!retry.isEmpty()) {
            kernel.batchDelete(retry);
            BatchResult again = kernel.batch(retry, BatchMode.CREATE);
            for (int j = 0; j < again.size(); j++) {
                if (again.ok(j)) {
                    ok.set(retried.get(j));
                    timeouts[retried.get(j)] = retry.get(j).timeout();
                }
            }
            replaced = again.succeeded();
            again.failures().forEach((k, v) -> failures.merge(k, v, Integer::sum));
        }
        failures.forEach((k, v) -> {
            ctx.count("kernel_write_" + k, v);
            ctx.count("kernel_write_failed", v);
        });
        return new Outcome(written, replaced, ok, timeouts, failures);
    }
}
