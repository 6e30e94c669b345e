package io.hactl.sync.engine;

import static io.hactl.sync.engine.EngineParts.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.wire.CompactFlow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/** Warm standby (direct inject), on the in-memory kernel with a clock of the test's. */
class WarmStandbyTest {
    static final int N = 50;
    /** Where the second octet of the source address sits in an IPv4 key (CompactFormat: 5-byte header). */
    static final int KEY_SRC_NET = 6;

    static void send(EngineParts p, Flow f) {
        p.peer.onFlowUpdate(CompactFlow.encode(f), p.now);
    }

    static void delete(EngineParts p, Flow f) {
        p.peer.onFlowDelete(CompactFlow.encodeKey(f.orig(), f.zone()));
    }

    /** A tick of warm standby: the loop flushes, the worker writes, the loop records. */
    static void tick(EngineParts p) {
        p.advance(Duration.ofMillis(10));
        p.loop.execute(p.standby::flushInjections);
        p.drain();
    }

    static EngineParts warm(Standing standing) throws Exception {
        EngineParts p = new EngineParts(EngineParts.config().withDirectInject(true), standing);
        tick(p); // the standing seen first: nothing to reconcile yet
        return p;
    }

    @Test
    void warmStandbyWritesAndDeletesWhatThePeerSendsAtTheNextTick() throws Exception {
        EngineParts p = warm(Standing.STANDBY);
        send(p, flow(10, 1, 0));
        send(p, flow(10, 2, 0));
        p.drain();
        assertThat(p.kernel.size()).as("nothing before the tick").isZero();
        tick(p);
        assertThat(p.kernel.flows()).hasSize(2).allSatisfy(f -> assertThat(OwnerMark.DEFAULT.marks(f.mark())).isTrue());
        assertThat(p.counter("injected")).isEqualTo(2);
        delete(p, flow(10, 1, 0));
        tick(p);
        assertThat(p.kernel.flows()).extracting(Flow::orig).containsExactly(flow(10, 2, 0).orig());
        assertThat(p.counter("inject_errors")).isZero();
        assertThat(p.counter("reconciled")).isZero();
    }

    @Test
    void warmStandbyKeepsTheRemainingTimeoutAndWritesOnlyEachFlowsLatestVersionOnce() throws Exception {
        EngineParts p = warm(Standing.STANDBY);
        send(p, flow(10, 1, 0x11));
        send(p, flow(10, 1, 0x12)); // updated within the tick: one write, the latest
        send(p, flow(10, 2, 0));
        delete(p, flow(10, 2, 0));  // deleted within the tick: not written at all
        send(p, flow(10, 3, 0));
        delete(p, flow(10, 3, 0));
        send(p, flow(10, 3, 0x13)); // deleted and sent again: written after the delete
        p.advance(Duration.ofSeconds(100)); // the flows waited 100 s (say, a busy loop)
        tick(p);
        assertThat(p.counter("injected")).isEqualTo(2);
        assertThat(p.kernel.flows()).extracting(Flow::mark).containsExactlyInAnyOrder(0x4000_0012L, 0x4000_0013L);
        assertThat(p.kernel.flows()).allSatisfy(f -> assertThat(f.timeout()).isEqualTo(3600 - 100));
    }

    /**
     * The backlog status reports counts what is queued and what the worker still writes; it is
     * zero only once the outcome is recorded, and a due reconcile says why.
     */
    @Test
    void theBacklogCountsQueuedAndInFlightWritesUntilTheirOutcomeIsRecorded() throws Exception {
        EngineParts p = warm(Standing.STANDBY);
        assertThat(p.standby.backlog()).isZero();
        assertThat(p.standby.reconcileDue()).isNull();
        assertThat(p.standby.currentNow()).isTrue();
        send(p, flow(10, 1, 0));
        send(p, flow(10, 2, 0));
        p.drain();
        delete(p, flow(10, 2, 0));
        assertThat(p.standby.backlog()).as("queued: two writes, one delete").isEqualTo(3);
        assertThat(p.standby.currentNow()).as("a flow read from the peer clears it at once").isFalse();
        p.advance(Duration.ofMillis(10));
        p.standby.flushInjections(); // handed to the worker, not yet written
        // the deleted flow's write is dropped: one write, one delete
        assertThat(p.standby.backlog()).as("in flight").isEqualTo(2);
        assertThat(p.worker.runOne()).isTrue(); // written; the outcome goes back to the loop
        assertThat(p.standby.backlog()).as("written, outcome not recorded").isEqualTo(2);
        assertThat(p.standby.currentNow()).isFalse();
        p.drain();
        assertThat(p.standby.backlog()).isZero();
        assertThat(p.standby.currentNow()).as("set again once the loop recorded the outcome").isTrue();
        p.writer.kernelEventsLost();
        assertThat(p.standby.reconcileDue()).isEqualTo("kernel events lost");
        assertThat(p.standby.currentNow()).isFalse();
        p.advance(WarmStandby.RECONCILE_INTERVAL);
        tick(p);
        assertThat(p.standby.reconcileDue()).isNull();
        assertThat(p.standby.backlog()).isZero();
        assertThat(p.standby.currentNow()).isTrue();

        // leaving STANDBY: no warm standby any more, at once; taking it again: current only once reconciled
        p.ctx.standing(Standing.ACTIVE);
        p.standby.standingChanged();
        assertThat(p.standby.currentNow()).isFalse();
        p.ctx.standing(Standing.STANDBY);
        p.standby.standingChanged();
        assertThat(p.standby.reconcileDue()).isEqualTo("standby taken");
        assertThat(p.standby.currentNow()).isFalse();
        p.advance(WarmStandby.RECONCILE_INTERVAL);
        tick(p);
        assertThat(p.standby.currentNow()).isTrue();
    }

    @ParameterizedTest(name = "not a warm standby when {0}")
    @org.junit.jupiter.params.provider.EnumSource(value = Standing.class, names = {"ACTIVE", "UNKNOWN"})
    void onANodeThatMayBeMasterThereIsNoBacklog(Standing standing) throws Exception {
        EngineParts p = warm(standing);
        send(p, flow(10, 1, 0));
        p.drain();
        assertThat(p.standby.backlog()).isEqualTo(-1);
        assertThat(p.standby.reconcileDue()).isNull();
        assertThat(p.standby.currentNow()).isFalse();
    }

    /** Warm standby writes only on a node certainly not MASTER: on the master the kernel is its traffic's. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(value = Standing.class, names = {"ACTIVE", "UNKNOWN", "UNKNOWN_WAS_ACTIVE"})
    void onANodeThatIsOrMayBeMasterThePeersWritesAndDeletesLeaveTheKernelAlone(Standing standing) throws Exception {
        EngineParts p = warm(standing);
        Flow live = flow(10, 1, 0);
        p.kernel.inject(live); // this node's own traffic
        send(p, live);
        delete(p, live);
        send(p, flow(10, 2, 0));
        p.peer.onBulkBegin(p.now);
        p.peer.onBulkEnd(0);
        tick(p);
        p.advance(Duration.ofSeconds(2));
        tick(p);
        assertThat(p.kernel.flows()).extracting(Flow::orig).containsExactly(live.orig());
        assertThat(p.kernel.flows()).extracting(Flow::mark).containsExactly(0L);
        assertThat(p.counter("injected") + p.counter("reconciled")).isZero();
    }

    /**
     * After a restart nothing is known to be in the kernel: the peer's bulk end reconciles it with
     * the external cache: what the kernel lacks or holds in an older version is written; what the
     * bulk sent unchanged is not written again.
     */
    @Test
    void theEndOfABulkReconcilesTheKernelWithTheExternalCache() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config().withDirectInject(true), Standing.UNKNOWN);
        for (int i = 0; i < N; i++) {
            send(p, flow(10, i, 0x11)); // arrived while the role was not known: not written
        }
        p.kernel.inject(flow(10, 0, 0x4000_0010L)); // a stale copy from before the restart
        p.loop.execute(() -> p.ctx.standing(Standing.STANDBY));
        tick(p);
        assertThat(p.counter("reconciled")).as("taking STANDBY reconciles").isEqualTo(N);
        p.advance(Duration.ofSeconds(1));
        p.peer.onBulkBegin(p.now);
        for (int i = 0; i < N; i++) {
            send(p, flow(10, i, i < 5 ? 0x12 : 0x11));
        }
        p.kernel.setMaxEntries(N); // the table is full: the bulk's new flows of net 11 do not fit
        for (int i = 0; i < 5; i++) {
            send(p, flow(11, i, 0));
        }
        tick(p);
        assertThat(p.counter("inject_errors")).isPositive();
        p.peer.onBulkEnd(N + 5);
        p.kernel.setMaxEntries(10 * N);
        p.advance(Duration.ofSeconds(1));
        tick(p);
        assertThat(p.kernel.flows()).hasSize(N + 5);
        assertThat(p.kernel.flows()).filteredOn(f -> f.orig().src().getAddress()[1] == 10)
                .extracting(f -> f.mark() & 0xff).containsOnly(0x11L, 0x12L)
                .filteredOn(m -> m == 0x12L).hasSize(5);
        assertThat(p.counter("injected")).as("the bulk's changed flows as they arrived").isEqualTo(5);
        assertThat(p.counter("reconciled")).as("then only what those writes missed").isEqualTo(N + 5);
    }

    /** A warm standby with a batch of {@code f} handed to the worker, not yet written. */
    static EngineParts oneBatchInFlight(Flow f) throws Exception {
        EngineParts p = warm(Standing.STANDBY);
        send(p, f);
        p.advance(Duration.ofMillis(10));
        p.standby.flushInjections();
        return p;
    }

    /**
     * While a batch is with the worker the next waits: arrivals queue as handles, and the batch
     * handed once the first is recorded writes each flow once, in its latest version.
     */
    @Test
    void whileABatchIsWrittenArrivalsWaitAndGoOnceEachInTheirLatestVersion() throws Exception {
        EngineParts p = oneBatchInFlight(flow(10, 1, 0x11));
        send(p, flow(10, 1, 0x12));
        send(p, flow(10, 2, 0x11));
        p.advance(Duration.ofMillis(1));
        send(p, flow(10, 1, 0x13));
        p.advance(Duration.ofMillis(10));
        p.standby.flushInjections(); // the first batch is still in flight: nothing more handed
        assertThat(p.standby.backlog()).as("one in flight, three queued").isEqualTo(4);
        assertThat(p.worker.runOne()).isTrue(); // the first batch written
        assertThat(p.worker.runOne()).as("no second batch yet").isFalse();
        p.drain(); // its outcome recorded, the queue handed at once and written
        assertThat(p.kernel.flows()).hasSize(2)
                .filteredOn(k -> k.orig().equals(flow(10, 1, 0).orig()))
                .singleElement().satisfies(k -> assertThat(k.mark()).as("its latest version").isEqualTo(0x4000_0013L));
        assertThat(p.counter("injected")).as("flow 1 twice (first and latest version), flow 2 once").isEqualTo(3);
        assertThat(p.standby.backlog()).isZero();
    }

    /** A queue longer than a chunk is written a chunk at a time, each batch once the last is recorded. */
    @Test
    void aLongQueueGoesAChunkABatch() throws Exception {
        EngineParts p = oneBatchInFlight(flow(10, 0, 0x11));
        int n = KernelWriter.CHUNK + 10;
        for (int i = 1; i <= n; i++) {
            send(p, flow(11, i, 0x11));
        }
        assertThat(p.worker.runOne()).isTrue(); // the first batch written
        assertThat(p.loop.runOne()).isTrue(); // recorded: the next batch, a chunk, handed at once
        assertThat(p.worker.runOne()).isTrue();
        assertThat(p.kernel.flows()).hasSize(1 + KernelWriter.CHUNK);
        assertThat(p.standby.backlog()).as("the chunk in flight, the rest queued").isEqualTo(n);
        p.drain();
        assertThat(p.kernel.flows()).hasSize(1 + n);
        assertThat(p.standby.backlog()).isZero();
        assertThat(p.counter("injected")).isEqualTo(1 + n);
    }

    /**
     * A reconcile of more flows than one chunk: each chunk is copied as the cache holds it then,
     * and the flows left count in the backlog until written.
     */
    @Test
    void aReconcileCopiesItsFlowsAChunkAtATimeAsTheCacheHoldsThemThen() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config().withDirectInject(true), Standing.UNKNOWN);
        int n = KernelWriter.CHUNK + 100;
        for (int i = 0; i < n; i++) {
            p.external.put(flow(10, i, 0x11), p.now);
        }
        p.advance(Duration.ofMillis(10));
        p.loop.execute(() -> p.ctx.standing(Standing.STANDBY));
        p.loop.execute(p.standby::flushInjections);
        while (p.kernel.flows().size() < KernelWriter.CHUNK && (p.loop.runOne() || p.worker.runOne())) {
            // up to the first chunk written
        }
        assertThat(p.kernel.flows()).as("the first chunk only").hasSize(KernelWriter.CHUNK);
        assertThat(p.standby.backlog()).as("the chunk in flight and the flows left").isEqualTo(n);
        assertThat(p.standby.currentNow()).isFalse();
        // the peer ends one flow of the second chunk and changes another meanwhile
        p.external.remove(flow(10, KernelWriter.CHUNK + 5, 0x11).orig(), 0);
        p.external.put(flow(10, KernelWriter.CHUNK + 6, 0x22), p.now);
        p.drain();
        assertThat(p.kernel.flows()).hasSize(n - 1)
                .noneMatch(k -> k.orig().equals(flow(10, KernelWriter.CHUNK + 5, 0x11).orig()))
                .filteredOn(k -> k.orig().equals(flow(10, KernelWriter.CHUNK + 6, 0x11).orig()))
                .singleElement().satisfies(k -> assertThat(k.mark()).as("its newer version").isEqualTo(0x4000_0022L));
        assertThat(p.counter("reconciled")).isEqualTo(n - 1);
        assertThat(p.standby.backlog()).isZero();
        assertThat(p.standby.currentNow()).isTrue();
        tick(p);
        assertThat(p.counter("reconciled")).as("nothing is left to reconcile").isEqualTo(n - 1);
    }

    /** Hands every event the kernel queued for the subscription to the resync, as the event thread does. */
    static void deliverEvents(EngineParts p) throws Exception {
        List<FlowEvent> batch = new ArrayList<>();
        ConntrackEvents.Listener l = new ConntrackEvents.Listener() {
            @Override
            public void onEvent(FlowEvent e) {
                batch.add(e);
            }

            @Override
            public void onOverrun() {
                throw new AssertionError("overrun");
            }
        };
        while (p.events.poll(l) > 0) {
            // one datagram each
        }
        p.writer.kernelEvents(batch);
        p.resync.applyEvents(batch);
    }

    /**
     * Churn on a backup in warm standby: the peer's flows (net 10) arrive, change and go, some
     * expire from the kernel or see a packet, while the backup's own traffic (net 20) comes and
     * goes. Its kernel events for what warm standby wrote never reach the internal cache nor the
     * peer: the kernel drops those of our socket (the port filter), the owner mark keeps out the
     * others (packets, expiry).
     */
    @Test
    void underChurnTheBackupNeverAnnouncesTheFlowsWarmStandbyWroteOnlyItsOwn() throws Exception {
        EngineParts p = warm(Standing.STANDBY);
        java.util.Random rnd = new java.util.Random(16);
        java.util.Set<Tuple> own = new java.util.HashSet<>();
        for (int round = 0; round < 40; round++) {
            for (int k = 0; k < 20; k++) {
                int i = rnd.nextInt(200);
                switch (rnd.nextInt(6)) {
                    case 0, 1 -> send(p, flow(10, i, rnd.nextInt(4)));
                    case 2 -> delete(p, flow(10, i, 0));
                    case 3 -> p.kernel.expire(flow(10, i, 0).orig(), 0);
                    // a packet of the peer's flow through the backup: an update not of our socket
                    case 4 -> p.kernel.get(flow(10, i, 0).orig(), 0)
                            .ifPresent(f -> p.kernel.inject(f.toBuilder().timeout(100).build()));
                    default -> {
                        Flow f = flow(20, i, 0);
                        if (own.add(f.orig())) {
                            p.kernel.inject(f);
                        } else {
                            p.kernel.expire(f.orig(), 0);
                            own.remove(f.orig());
                        }
                    }
                }
            }
            tick(p);
            deliverEvents(p);
        }
        assertThat(p.counter("injected")).isPositive();
        assertThat(p.counter("kernel_events_of_peer")).as("kept out by the owner mark").isPositive();
        List<Tuple> internal = new ArrayList<>();
        p.internal.forEach((h, f, u) -> internal.add(f.orig()));
        assertThat(internal).containsExactlyInAnyOrderElementsOf(own);
        assertThat(p.announced).isNotEmpty().allSatisfy(k -> assertThat(k.bytes()[KEY_SRC_NET]).isEqualTo((byte) 20));
    }
}
