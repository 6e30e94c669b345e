package io.hactl.sync.engine;

import static io.hactl.sync.engine.EngineParts.flow;
import static org.assertj.core.api.Assertions.assertThat;

import io.hactl.sync.conntrack.Flow;
import io.hactl.sync.conntrack.FlowEvent;
import io.hactl.sync.conntrack.Tuple;
import io.hactl.sync.ctnetlink.ConntrackEvents;
import io.hactl.sync.ctnetlink.Ctnl;
import io.hactl.sync.wire.CompactFlow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The commit of the external cache and direct inject, on the in-memory kernel with a clock of the test's. */
class KernelWriterTest {
    static final int N = 50;
    /** Where the second octet of the source address sits in an IPv4 key (CompactFormat: 5-byte header). */
    static final int KEY_SRC_NET = 6;

    EngineParts parts(EngineConfig cfg) throws Exception {
        EngineParts p = new EngineParts(cfg, Standing.STANDBY);
        for (int i = 0; i < N; i++) {
            p.external.put(flow(10, i, 0x11), p.now);
        }
        p.advance(Duration.ofMillis(1)); // the flows arrived before any commit's snapshot
        return p;
    }

    static CommitResult commit(EngineParts p, boolean changesOnly) {
        CompletableFuture<CommitResult> f = p.writer.commit(changesOnly);
        p.drain();
        assertThat(f).isDone();
        return f.join();
    }

    @Test
    void aCommitWritesEveryExternalFlowIntoTheKernelCarryingTheOwnerMark() throws Exception {
        EngineParts p = parts(EngineParts.config());
        CommitResult r = commit(p, false);
        assertThat(r.flows()).isEqualTo(N);
        assertThat(r.written()).isEqualTo(N);
        assertThat(r.ok()).isTrue();
        assertThat(r.sinceMillis()).isEqualTo(-1);
        assertThat(p.writer.lastCommit()).isSameAs(r);
        assertThat(p.kernel.flows()).hasSize(N).allSatisfy(f -> assertThat(f.mark()).isEqualTo(0x4000_0011L));
    }

    @Test
    void aCommitCancelsTheScheduledPurgeAndCatchesUpWithTheEventsItPaused() throws Exception {
        EngineParts p = parts(EngineParts.config());
        p.loop.execute(() -> p.purge.schedule("BACKUP"));
        p.drain();
        assertThat(p.purge.plan().pending()).isTrue();
        commit(p, false);
        assertThat(p.purge.plan().pending()).as("cancelled by the commit").isFalse();
        assertThat(p.counter("purges_cancelled")).isEqualTo(1);
        assertThat(p.resync.scheduled()).as("catch-up after the paused events").isTrue();
        assertThat(((io.hactl.sync.ctnetlink.FakeNetlinkSocket) p.events.socket()).groups())
                .as("events resumed").contains(Ctnl.NFNLGRP_CONNTRACK_NEW, Ctnl.NFNLGRP_CONNTRACK_UPDATE);
    }

    @Test
    void anEmptyCommitPausesNothingAndSchedulesNoCatchUp() throws Exception {
        EngineParts p = new EngineParts(EngineParts.config(), Standing.STANDBY);
        CommitResult r = commit(p, false);
        assertThat(r.flows()).isZero();
        assertThat(p.resync.scheduled()).isFalse();
    }

    /**
     * After a full commit: {@code later} passes, a purge may run in between, then a commit of
     * the changes (or a full one) writes {@code flows} of which one was updated since.
     */
    static Stream<Arguments> changesOnly() {
        return Stream.of(
                Arguments.of("changes 1 s after a commit", true, Duration.ofSeconds(1), false, 1, N - 1),
                Arguments.of("changes an hour less 11 s after", true, Duration.ofSeconds(3600 - 11), false, 1, N - 1),
                Arguments.of("changes after a purge", true, Duration.ofSeconds(1), true, 1, N - 1),
                Arguments.of("changes when the copies' timeout runs out within 10 s: everything", true,
                        Duration.ofSeconds(3600 - 9), false, N, 0),
                Arguments.of("a full commit 1 s after: everything", false, Duration.ofSeconds(1), false, N, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("changesOnly")
    void aCommitOfTheChangesWritesOnlyWhatTheKernelDoesNotHoldAsLastReceived(String name, boolean changesOnly,
                                                                              Duration later, boolean purged, int flows,
                                                                              int unchanged) throws Exception {
        EngineParts p = parts(EngineParts.config());
        commit(p, false);
        p.advance(later);
        if (purged) {
            p.loop.execute(p.writer::kernelTouched);
        }
        p.external.put(flow(10, 7, 0x12), p.now); // one flow changed at the peer since
        CommitResult r = commit(p, changesOnly);
        assertThat(r.flows()).isEqualTo(flows);
        assertThat(r.written()).isEqualTo(flows);
        assertThat(r.unchanged()).isEqualTo(unchanged);
        assertThat(r.sinceMillis()).isEqualTo(unchanged > 0 ? later.toMillis() : -1);
        assertThat(p.kernel.get(flow(10, 7, 0).orig(), 0)).get().extracting(Flow::mark).isEqualTo(0x4000_0012L);
    }

    @Test
    void aFlowTheKernelRefusesAsUnchangeableIsDeletedAndCreatedAgain() throws Exception {
        EngineParts p = parts(EngineParts.config());
        // the kernel's entry is ASSURED; the peer's is not: an update cannot clear the bit (EBUSY)
        p.kernel.inject(flow(10, 3, 0x11));
        p.external.put(flow(10, 3, 0x11, Ctnl.IPS_SEEN_REPLY), p.now);
        CommitResult r = commit(p, false);
        assertThat(r.written()).isEqualTo(N - 1);
        assertThat(r.replaced()).isEqualTo(1);
        assertThat(r.ok()).isTrue();
        assertThat(p.kernel.get(flow(10, 3, 0).orig(), 0)).get()
                .satisfies(f -> assertThat(f.status() & Ctnl.IPS_ASSURED).isZero());
        assertThat(p.counter("kernel_write_failed")).isZero();
    }

    static void send(EngineParts p, Flow f) {
        p.peer.onFlowUpdate(CompactFlow.encode(f), p.now);
    }

    static void delete(EngineParts p, Flow f) {
        p.peer.onFlowDelete(CompactFlow.encodeKey(f.orig(), f.zone()));
    }

    /** A tick of warm standby: the loop flushes, the worker writes, the loop records. */
    static void tick(EngineParts p) {
        p.advance(Duration.ofMillis(10));
        p.loop.execute(p.writer::flushInjections);
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

    /**
     * The MASTER transition after warm standby writes only what arrived since the flows were
     * written: here the 3 flows of the last tick before the role changed.
     */
    @Test
    void takingMasterAfterWarmStandbyWritesOnlyTheFlowsChangedSinceTheyWereWritten() throws Exception {
        EngineParts p = warm(Standing.STANDBY);
        for (int i = 0; i < N; i++) {
            send(p, flow(10, i, 0x11));
        }
        tick(p);
        p.advance(Duration.ofSeconds(30));
        for (int i = 0; i < 3; i++) {
            send(p, flow(10, i, 0x12));
        }
        p.loop.execute(() -> p.ctx.standing(Standing.ACTIVE));
        CommitResult r = commit(p, true);
        assertThat(r.flows()).isEqualTo(3);
        assertThat(r.written()).isEqualTo(3);
        assertThat(r.unchanged()).isEqualTo(N - 3);
        assertThat(r.sinceMillis()).isEqualTo(30_000);
        assertThat(r.toString()).contains("3/3", (N - 3) + " unchanged");
        assertThat(p.kernel.flows()).hasSize(N).filteredOn(f -> (f.mark() & 0xff) == 0x12).hasSize(3);
        tick(p);
        assertThat(p.counter("injected")).as("nothing more on MASTER").isEqualTo(N);
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

    /**
     * The kernel loses flows warm standby wrote, behind hactl's back: one expires, two are
     * deleted by someone else (conntrack -D, a flush). Their DESTROY events tell, and the commit of
     * the changes writes those three again; lost events make it write everything.
     */
    @Test
    void flowsTheKernelLostAreWrittenAgainByTheCommitOfTheChanges() throws Exception {
        EngineParts p = warm(Standing.STANDBY);
        for (int i = 0; i < N; i++) {
            send(p, flow(10, i, 0x11));
        }
        tick(p);
        deliverEvents(p);
        assertThat(p.kernel.size()).isEqualTo(N);
        p.kernel.expire(flow(10, 1, 0).orig(), 0);
        try (var other = new InMemoryKernelAccess(p.kernel).openConntrack(new io.hactl.sync.ctnetlink.DecodeStats())) {
            assertThat(other.batchDelete(List.of(flow(10, 2, 0), flow(10, 3, 0))).succeeded()).isEqualTo(2);
        }
        deliverEvents(p);
        p.loop.execute(() -> p.ctx.standing(Standing.ACTIVE));
        CommitResult r = commit(p, true);
        assertThat(r.flows()).as("%s", r).isEqualTo(3);
        assertThat(r.unchanged()).isEqualTo(N - 3);
        assertThat(p.kernel.size()).isEqualTo(N);

        p.loop.execute(p.writer::kernelEventsLost);
        assertThat(commit(p, true).flows()).as("events lost: everything").isEqualTo(N);
    }

    /**
     * The peer sends its flows again unchanged (a bulk, or bulks repeated after losses): the
     * kernel already holds them, so nothing is written again and the MASTER commit still finds
     * them unchanged; a flow whose copy is about to expire is written again.
     */
    @Test
    void flowsSentAgainUnchangedAreNotWrittenAgain() throws Exception {
        EngineParts p = warm(Standing.STANDBY);
        for (int i = 0; i < N; i++) {
            send(p, flow(10, i, 0x11));
        }
        send(p, flow(10, N, 0x11).toBuilder().timeout(15).build());
        tick(p);
        assertThat(p.counter("injected")).isEqualTo(N + 1);
        p.advance(Duration.ofSeconds(6));
        p.peer.onBulkBegin(p.now);
        for (int i = 0; i < N; i++) {
            send(p, flow(10, i, i == 0 ? 0x12 : 0x11));
        }
        send(p, flow(10, N, 0x11).toBuilder().timeout(15).build()); // its copy ends in 9 s
        p.peer.onBulkEnd(N + 1);
        tick(p);
        assertThat(p.counter("injected") + p.counter("reconciled")).as("the changed flow and the expiring one")
                .isEqualTo(N + 3);
        p.loop.execute(() -> p.ctx.standing(Standing.ACTIVE));
        CommitResult r = commit(p, true);
        assertThat(r.flows()).as("%s", r).isZero();
        assertThat(r.unchanged()).isEqualTo(N + 1);
    }
}
